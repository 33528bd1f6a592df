package herald

import (
	"fmt"
	"time"
)

// SendWindow is the part of the day, in the lead's local time, when
// reminders may go out: from "08:00" to "20:00" for example. A window whose
// From is after its To runs over midnight ("21:00" to "07:00").
type SendWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// What a rule's reminder does when its time falls outside the send window.
const (
	// OutsideEarlier moves it back to the end of the last window before.
	OutsideEarlier = "earlier"
	// OutsideLater moves it to the start of the next window, if that is
	// still before the meeting; otherwise it goes as OutsideEarlier.
	OutsideLater = "later"
	// OutsideSkip skips it (reason outside_window).
	OutsideSkip = "skip"
	// OutsideSend sends it at its time, ignoring the window.
	OutsideSend = "send"
)

// LongRule is the offset from which a rule's reminder moves later by
// default when its time falls outside the window; shorter rules are sent
// at their time, since a move would make them say the wrong thing ("starts
// in 10 min").
const LongRule = 6 * time.Hour

// OutsideWindowPolicy returns the rule's policy, or the default for its
// offset when it has none.
func (r ReminderRule) OutsideWindowPolicy() string {
	if r.OutsideWindow != "" {
		return r.OutsideWindow
	}
	return DefaultOutsideWindow(time.Duration(r.Offset))
}

// DefaultOutsideWindow is the policy of a rule that does not name one:
// later for rules of LongRule or more, send below.
func DefaultOutsideWindow(offset time.Duration) string {
	if offset >= LongRule {
		return OutsideLater
	}
	return OutsideSend
}

func validOutsideWindow(p string) bool {
	switch p {
	case OutsideEarlier, OutsideLater, OutsideSkip, OutsideSend:
		return true
	}
	return false
}

// clock is a time of day in minutes after midnight.
type clock int

func parseClock(s string) (clock, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, fmt.Errorf("%q is not a time of day such as \"08:00\"", s)
	}
	return clock(t.Hour()*60 + t.Minute()), nil
}

// Validate checks the window's times.
func (w *SendWindow) Validate() error {
	from, err := parseClock(w.From)
	if err != nil {
		return FieldErrorf(ECodeInvalid, "send_window.from", "send_window.from: %v", err)
	}
	to, err := parseClock(w.To)
	if err != nil {
		return FieldErrorf(ECodeInvalid, "send_window.to", "send_window.to: %v", err)
	}
	if from == to {
		return FieldErrorf(ECodeInvalid, "send_window", "send_window.from and send_window.to must differ")
	}
	return nil
}

// interval is one opening of the window.
type interval struct{ start, end time.Time }

// openings returns the window's openings that touch the days around t, in
// loc, oldest first. Each day's times are read on that day's clock, so a
// daylight-saving change moves them with the local time, not with UTC.
func (w *SendWindow) openings(t time.Time, loc *time.Location) []interval {
	from, _ := parseClock(w.From)
	to, _ := parseClock(w.To)
	local := t.In(loc)
	y, m, d := local.Date()
	at := func(day int, c clock) time.Time {
		return time.Date(y, m, day, int(c)/60, int(c)%60, 0, 0, loc)
	}
	var out []interval
	for day := d - 2; day <= d+2; day++ {
		end := at(day, to)
		if to < from {
			end = at(day+1, to)
		}
		out = append(out, interval{start: at(day, from), end: end})
	}
	return out
}

// Contains reports whether t falls inside the window (both ends included).
func (w *SendWindow) Contains(t time.Time, loc *time.Location) bool {
	for _, o := range w.openings(t, loc) {
		if !t.Before(o.start) && !t.After(o.end) {
			return true
		}
	}
	return false
}

// previousEnd returns the end of the last opening that ends before t.
func (w *SendWindow) previousEnd(t time.Time, loc *time.Location) time.Time {
	var best time.Time
	for _, o := range w.openings(t, loc) {
		if o.end.Before(t) && o.end.After(best) {
			best = o.end
		}
	}
	return best
}

// nextStart returns the start of the first opening that starts after t.
func (w *SendWindow) nextStart(t time.Time, loc *time.Location) time.Time {
	for _, o := range w.openings(t, loc) {
		if o.start.After(t) {
			return o.start
		}
	}
	return time.Time{}
}

// Place decides when a reminder whose rule falls due at ruleAt goes, for
// a meeting starting at start: at ruleAt when it is inside the window or
// the policy is send, else moved or skipped by the policy. skip reports a
// reminder that must not go at all.
func (w *SendWindow) Place(ruleAt, start time.Time, loc *time.Location, policy string) (at time.Time, skip bool) {
	if w == nil || policy == OutsideSend || w.Contains(ruleAt, loc) {
		return ruleAt, false
	}
	switch policy {
	case OutsideSkip:
		return ruleAt, true
	case OutsideLater:
		if next := w.nextStart(ruleAt, loc); !next.IsZero() && next.Before(start) {
			return next.UTC(), false
		}
	}
	return w.previousEnd(ruleAt, loc).UTC(), false
}

// PlanInput is what placing a meeting's reminders in the send window
// needs beside the reminders themselves.
type PlanInput struct {
	Rules  []ReminderRule
	Window *SendWindow
	// Zone is the lead's local zone: the lead's, else the meeting's, else
	// the tenant's (see ReminderZone).
	Zone *time.Location
	Now  time.Time
}

// ReminderZone resolves the zone a lead's reminders are planned and
// rendered in: the lead's zone, else the meeting's, else the tenant's,
// else UTC.
func ReminderZone(lead, meeting, tenant string) *time.Location {
	for _, name := range []string{lead, meeting, tenant} {
		if loc, err := LoadZone(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// ruleNamed returns the rule of that name, or one built from the reminder
// when the tenant has dropped it since.
func ruleFor(rules []ReminderRule, r *Reminder, start time.Time) ReminderRule {
	for _, rule := range rules {
		if rule.Name == r.Rule {
			return rule
		}
	}
	return ReminderRule{Name: r.Rule, Offset: Duration(start.Sub(r.RuleAt)), Template: r.Template}
}

// PlaceInWindow sets the time of each pending reminder of a meeting
// starting at start from its rule's time (RuleAt) and the send window: a
// reminder moved out of its rule's time keeps that time in RuleAt, one
// whose rule says skip is skipped (outside_window), and one whose new time
// is not after now is skipped as too late. It reports which reminders
// changed.
func PlaceInWindow(rs []Reminder, start time.Time, in PlanInput) []bool {
	changed := make([]bool, len(rs))
	for i := range rs {
		r := &rs[i]
		if r.Status != ReminderPending {
			continue
		}
		if r.RuleAt.IsZero() {
			r.RuleAt = r.ScheduledAt
		}
		at, skip := in.Window.Place(r.RuleAt, start, in.Zone, ruleFor(in.Rules, r, start).OutsideWindowPolicy())
		switch {
		case skip:
			r.Status, r.Reason = ReminderSkipped, ReasonOutsideWindow
		case !at.After(in.Now):
			r.ScheduledAt = at
			r.Status, r.Reason = ReminderSkipped, ReasonTooLate
		default:
			changed[i] = !at.Equal(r.ScheduledAt)
			r.ScheduledAt = at
			continue
		}
		changed[i] = true
	}
	return changed
}
