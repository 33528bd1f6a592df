package herald_test

import (
	"testing"
	"time"

	"herald"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// local builds a wall-clock time in loc.
func local(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

var dayWindow = &herald.SendWindow{From: "08:00", To: "20:00"}

// TestSendWindowAcrossDST places a 24-hour reminder whose rule time falls
// before the window on the day a daylight-saving change happens, in the
// US and in the EU: the moved time is the window's local 08:00 (or 20:00)
// on that day's clock, not a UTC offset carried over from the day before.
func TestSendWindowAcrossDST(t *testing.T) {
	t.Parallel()
	ny, berlin := zone(t, "America/New_York"), zone(t, "Europe/Berlin")
	cases := []struct {
		name     string
		loc      *time.Location
		start    time.Time // the meeting
		offset   time.Duration
		policy   string
		want     time.Time
		wantSkip bool
	}{
		// US spring forward: Sunday 8 March 2026, 02:00 EST -> 03:00 EDT.
		{"US spring later", ny, local(ny, 2026, 3, 9, 7, 30), 24 * time.Hour, herald.OutsideLater,
			local(ny, 2026, 3, 8, 8, 0), false},
		{"US spring earlier", ny, local(ny, 2026, 3, 9, 7, 30), 24 * time.Hour, herald.OutsideEarlier,
			local(ny, 2026, 3, 7, 20, 0), false},
		// US fall back: Sunday 1 November 2026, 02:00 EDT -> 01:00 EST.
		{"US fall later", ny, local(ny, 2026, 11, 2, 6, 0), 24 * time.Hour, herald.OutsideLater,
			local(ny, 2026, 11, 1, 8, 0), false},
		// 24 hours before 06:00 EST is 07:00 EDT the day before: the rule
		// counts real hours, the window reads each day's clock.
		{"US fall earlier across the change", ny, local(ny, 2026, 11, 1, 6, 0), 24 * time.Hour, herald.OutsideEarlier,
			local(ny, 2026, 10, 30, 20, 0), false},
		// EU spring forward: Sunday 29 March 2026, 02:00 CET -> 03:00 CEST.
		{"EU spring later", berlin, local(berlin, 2026, 3, 30, 6, 0), 24 * time.Hour, herald.OutsideLater,
			local(berlin, 2026, 3, 29, 8, 0), false},
		// EU fall back: Sunday 25 October 2026, 03:00 CEST -> 02:00 CET.
		{"EU fall evening earlier", berlin, local(berlin, 2026, 10, 26, 22, 0), 24 * time.Hour, herald.OutsideEarlier,
			local(berlin, 2026, 10, 25, 20, 0), false},
		{"EU fall evening later", berlin, local(berlin, 2026, 10, 26, 22, 0), 24 * time.Hour, herald.OutsideLater,
			local(berlin, 2026, 10, 26, 8, 0), false},
		// Later would be after the meeting: it goes as earlier.
		{"later past the meeting goes earlier", berlin, local(berlin, 2026, 10, 26, 7, 0), time.Hour, herald.OutsideLater,
			local(berlin, 2026, 10, 25, 20, 0), false},
		{"skip", ny, local(ny, 2026, 3, 9, 7, 30), 24 * time.Hour, herald.OutsideSkip, time.Time{}, true},
		{"send ignores the window", ny, local(ny, 2026, 3, 9, 7, 30), 10 * time.Minute, herald.OutsideSend,
			local(ny, 2026, 3, 9, 7, 20), false},
		{"inside the window stays", ny, local(ny, 2026, 3, 9, 12, 0), 24 * time.Hour, herald.OutsideEarlier,
			local(ny, 2026, 3, 8, 12, 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ruleAt := c.start.Add(-c.offset)
			got, skip := dayWindow.Place(ruleAt, c.start, c.loc, c.policy)
			if skip != c.wantSkip {
				t.Fatalf("skip = %v, want %v", skip, c.wantSkip)
			}
			if !c.wantSkip && !got.Equal(c.want) {
				t.Fatalf("placed at %s (%s local), want %s (%s local)", got.UTC().Format(time.RFC3339),
					got.In(c.loc).Format(time.RFC3339), c.want.UTC().Format(time.RFC3339), c.want.Format(time.RFC3339))
			}
		})
	}
}

// TestSendWindowOvernight: a window running over midnight contains the
// small hours and moves a midday reminder to its edges.
func TestSendWindowOvernight(t *testing.T) {
	t.Parallel()
	loc := zone(t, "Europe/Paris")
	w := &herald.SendWindow{From: "21:00", To: "07:00"}
	if !w.Contains(local(loc, 2026, 6, 2, 3, 0), loc) || w.Contains(local(loc, 2026, 6, 2, 12, 0), loc) {
		t.Fatal("overnight window contains the wrong hours")
	}
	start := local(loc, 2026, 6, 3, 12, 0)
	if got, _ := w.Place(start.Add(-24*time.Hour), start, loc, herald.OutsideEarlier); !got.Equal(local(loc, 2026, 6, 2, 7, 0)) {
		t.Fatalf("earlier = %s", got.In(loc))
	}
	if got, _ := w.Place(start.Add(-24*time.Hour), start, loc, herald.OutsideLater); !got.Equal(local(loc, 2026, 6, 2, 21, 0)) {
		t.Fatalf("later = %s", got.In(loc))
	}
}

// TestRuleDefaults: rules of 6 hours or more move later by default,
// shorter ones are sent at their time; bad windows and policies are
// refused.
func TestRuleDefaults(t *testing.T) {
	t.Parallel()
	s := herald.DefaultSettings()
	s.SendWindow = &herald.SendWindow{From: "08:00", To: "20:00"}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"24h": herald.OutsideLater, "1h": herald.OutsideSend, "10m": herald.OutsideSend}
	for _, r := range s.ReminderRules {
		if r.OutsideWindow != want[r.Name] {
			t.Errorf("rule %s outside_window = %q, want %q", r.Name, r.OutsideWindow, want[r.Name])
		}
	}
	for _, bad := range []herald.Settings{
		{SendWindow: &herald.SendWindow{From: "8am", To: "20:00"}},
		{SendWindow: &herald.SendWindow{From: "08:00", To: "08:00"}},
		{SendWindow: &herald.SendWindow{From: "08:00", To: "24:30"}},
		{ReminderRules: []herald.ReminderRule{{Name: "x", Offset: herald.Duration(time.Hour), Template: "t", OutsideWindow: "never"}}},
		{SMSFrom: "4155550100"},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("settings %+v accepted", bad)
		}
	}
}

// TestPlaceInWindow: a moved reminder keeps its rule's time in RuleAt; a
// skipped one says why; one moved into the past is too late.
func TestPlaceInWindow(t *testing.T) {
	t.Parallel()
	ny := zone(t, "America/New_York")
	start := local(ny, 2026, 3, 9, 7, 30)
	m := &herald.Meeting{ID: "mtg_1", StartsAt: start.UTC()}
	rules := []herald.ReminderRule{
		{Name: "24h", Offset: herald.Duration(24 * time.Hour), Template: "t24"},
		{Name: "1h", Offset: herald.Duration(time.Hour), Template: "t1", OutsideWindow: herald.OutsideSkip},
		{Name: "10m", Offset: herald.Duration(10 * time.Minute), Template: "t10"},
	}
	now := start.Add(-72 * time.Hour)
	rs := herald.PlanReminders(m, rules, now, 3)
	herald.PlaceInWindow(rs, start, herald.PlanInput{Rules: rules, Window: dayWindow, Zone: ny, Now: now})
	if r := rs[0]; !r.ScheduledAt.Equal(local(ny, 2026, 3, 8, 8, 0)) || !r.RuleAt.Equal(start.Add(-24*time.Hour)) || r.Status != herald.ReminderPending {
		t.Errorf("24h = %+v", r)
	}
	if r := rs[1]; r.Status != herald.ReminderSkipped || r.Reason != herald.ReasonOutsideWindow {
		t.Errorf("1h = %s/%s, want skipped/outside_window", r.Status, r.Reason)
	}
	if r := rs[2]; !r.ScheduledAt.Equal(r.RuleAt) || r.Status != herald.ReminderPending {
		t.Errorf("10m = %+v", r)
	}
	// Booked at 07:50 the day before: the 24h rule time (07:30) has passed.
	now = local(ny, 2026, 3, 8, 7, 50)
	rs = herald.PlanReminders(m, rules[:1], now, 3)
	herald.PlaceInWindow(rs, start, herald.PlanInput{Rules: rules, Window: dayWindow, Zone: ny, Now: now})
	if rs[0].Status != herald.ReminderSkipped || rs[0].Reason != herald.ReasonTooLate {
		t.Errorf("late booking = %s/%s, want skipped/too_late", rs[0].Status, rs[0].Reason)
	}
}
