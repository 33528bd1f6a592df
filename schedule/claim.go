package schedule

import (
	"context"
	"log/slog"
	"time"

	"herald"
	"herald/render"
)

// earlyTolerance is how early a job may run and still send: the job engine
// compares due times with the database's clock, which may differ from
// ours by a few milliseconds, and waiting would cost a whole promotion
// cycle of the engine.
const earlyTolerance = time.Second

// TenantHoldRecheck is how often a reminder of a disabled tenant is looked
// at again: the longest it waits after the tenant is enabled.
const TenantHoldRecheck = 30 * time.Second

// sendPlan is a claimed attempt, ready to be handed to a sender.
type sendPlan struct {
	tenantID, reminderID string
	attempt              herald.Attempt
	message              herald.Message
	sender               herald.Sender
	scheduledAt          time.Time
	recipient            string
	// slot is the provider slot the first call uses; nil when the sender
	// is not paced.
	slot *herald.SendSlot
}

// claimed is what a claim decided: send the plan, wait, take a slot
// first, or nothing more.
type claimed struct {
	plan *sendPlan
	wait time.Duration
	// turn, when set, asks for a provider slot to be waited for before
	// the reminder is claimed again; nothing was written.
	turn *herald.SendTurn
}

func (p *sendPlan) channelName() string { return string(p.attempt.Channel) }

// claim decides what to do with a due reminder and, when it is to be sent,
// records the attempt as started (status sending) before any provider is
// called: if the process dies during the call, the next run finds the
// open attempt and does not send again. A paced SMS is claimed only with
// its provider slot held (*slot), so that the call goes as soon as the
// claim commits; without a free slot the claim writes nothing and asks
// for one to be waited for.
func (d *Deliverer) claim(ctx context.Context, st *herald.DeliveryState, now time.Time, forced herald.Channel, slot **herald.SendSlot) claimed {
	r := &st.Reminder
	switch r.Status {
	case herald.ReminderPending:
	case herald.ReminderSending:
		if open := st.OpenAttempt(); open != nil {
			return claimed{wait: d.markUnknown(ctx, st, open, "the process stopped during the provider call", now)}
		}
	case herald.ReminderUnknown:
		if r.NextRetryAt == nil {
			return claimed{} // kept unknown, or settled by a receipt
		}
	default:
		d.Logger.DebugContext(ctx, "Reminder needs no send", "reminder", r.ID, "status", r.Status)
		return claimed{}
	}
	due := r.ScheduledAt
	if r.NextRetryAt != nil {
		due = *r.NextRetryAt
	}
	if wait := due.Sub(now); wait > earlyTolerance {
		return claimed{wait: wait}
	}
	if r.Status == herald.ReminderUnknown {
		if !d.resendUnknown(st, now) {
			return claimed{}
		}
	} else if reason, status := stale(st, now); status != "" {
		d.finish(ctx, st, status, reason, "", now)
		return claimed{}
	}
	if st.Tenant.Disabled() {
		// Held, not sent and not cancelled: it goes once the operator
		// enables the tenant again, unless its meeting has started by then.
		d.Logger.InfoContext(ctx, "Reminder held: its tenant is disabled", "reminder", r.ID, "tenant", st.Tenant.ID)
		return claimed{wait: TenantHoldRecheck}
	}
	if r.Reason == herald.ReasonSMSUndelivered || r.Reason == herald.ReasonSMSUnavailable {
		// A receipt reported its SMS undelivered, or the SMS could not go.
		forced = herald.ChannelEmail
	}
	numbersKnown := d.applyOptOuts(st, now)
	smsAvailable, availabilityKnown := d.smsAvailable(st)
	channel, recipient := chooseChannel(st, smsAvailable || !availabilityKnown, d.Email != nil, forced)
	if !(numbersKnown && availabilityKnown) && channel == herald.ChannelSMS {
		// An opt-out on record may be from the number this SMS would go
		// from, and SMS may not be available to the tenant at all, which
		// the sender learns while a slot is waited for.
		if _, paced := d.SMS.(herald.PacedSender); paced && *slot == nil {
			return claimed{turn: sendTurn(st, due)}
		}
		// Still not known: not by SMS this time, rather than risk it.
		channel, recipient = chooseChannel(st, false, d.Email != nil, forced)
	}
	if channel == "" {
		d.finish(ctx, st, herald.ReminderFailed, herald.ReasonNoContact, "the lead has no usable phone or email", now)
		return claimed{}
	}
	tmpl, err := d.Templates.Template(ctx, st, channel)
	if err != nil {
		d.finish(ctx, st, herald.ReminderFailed, herald.ReasonTemplateMissing, err.Error(), now)
		return claimed{}
	}
	var held *herald.SendSlot
	if paced, ok := d.SMS.(herald.PacedSender); ok && channel == herald.ChannelSMS {
		if *slot == nil {
			turn := sendTurn(st, due)
			s, ok, err := paced.HoldSlot(ctx, *turn, false)
			if err != nil || !ok {
				return claimed{turn: turn}
			}
			*slot = &s
		}
		held = *slot
	}
	attempt := herald.Attempt{ID: herald.NewID("att_"), ReminderID: r.ID, Number: len(st.Attempts) + 1,
		Channel: string(channel), Recipient: recipient, StartedAt: now}
	attempt.Reference = attempt.ID
	plan := &sendPlan{tenantID: st.Tenant.ID, reminderID: r.ID, attempt: attempt, scheduledAt: r.ScheduledAt,
		recipient: recipient, message: d.message(st, tmpl, channel, recipient, attempt.Reference, now), slot: held}
	plan.sender = d.SMS
	if channel == herald.ChannelEmail {
		plan.sender = d.Email
	}
	if r.Status == herald.ReminderUnknown {
		st.Audit = append(st.Audit, r.Audit(herald.ActionRetry, "no receipt within "+d.unknownAfter().String()+
			"; sending once more, as the tenant's on_unknown setting asks", now))
		d.Logger.InfoContext(ctx, "Reminder outcome still unknown; sending it once more", "tenant", r.TenantID,
			"meeting", r.MeetingID, "reminder", r.ID)
	}
	r.Status, r.Channel, r.NextRetryAt = herald.ReminderSending, string(channel), nil
	r.Attempts++
	st.NewAttempt = &attempt
	st.Audit = append(st.Audit, r.Audit(herald.ActionAttempt, "attempt "+itoa(attempt.Number)+" to "+mask(channel, recipient), now))
	return claimed{plan: plan}
}

// sendTurn is the turn of a reminder due at due, for its provider slot.
func sendTurn(st *herald.DeliveryState, due time.Time) *herald.SendTurn {
	r := &st.Reminder
	return &herald.SendTurn{TenantID: r.TenantID, ReminderID: r.ID, MeetingStartsAt: st.Meeting.StartsAt, DueAt: due}
}

// stale tells whether a reminder must not go out any more: its meeting is
// cancelled or has started, or a later rule's time has already come.
func stale(st *herald.DeliveryState, now time.Time) (herald.Reason, herald.ReminderStatus) {
	r := &st.Reminder
	switch {
	case !st.Meeting.Active():
		return herald.ReasonCancelled, herald.ReminderCancelled
	case !now.Before(st.Meeting.StartsAt):
		return herald.ReasonMeetingStarted, herald.ReminderExpired
	}
	for _, other := range st.Meeting.Reminders {
		if other.ID == r.ID || other.Status == herald.ReminderCancelled {
			continue
		}
		if other.ScheduledAt.After(r.ScheduledAt) && !other.ScheduledAt.After(now) {
			return herald.ReasonSuperseded, herald.ReminderSkipped
		}
	}
	return "", ""
}

// chooseChannel applies docs/RULES.md, "Channel choice": SMS when the lead has a phone,
// has not opted out and the tenant has SMS on; else email when the lead
// has an address and the tenant has email on.
func chooseChannel(st *herald.DeliveryState, smsAvailable, emailAvailable bool, forced herald.Channel) (herald.Channel, string) {
	lead, ch := &st.Lead, st.Settings.Channels
	if forced != herald.ChannelEmail && smsAvailable && ch.SMS && lead.Phone != "" && !lead.SMSOptedOut {
		return herald.ChannelSMS, lead.Phone
	}
	if emailAvailable && ch.Email && lead.Email != "" {
		return herald.ChannelEmail, lead.Email
	}
	return "", ""
}

// message renders the reminder for its channel at send time.
func (d *Deliverer) message(st *herald.DeliveryState, tmpl *render.Template, channel herald.Channel, to, ref string, now time.Time) herald.Message {
	m := &st.Meeting
	values := render.Values{Name: st.Lead.Name, Title: m.Title, Start: m.StartsAt, JoinLink: m.JoinLink,
		Tenant: st.Tenant.Name, Zone: render.ResolveZone(st.Lead.Timezone, m.Timezone, st.Settings.Timezone),
		Locale: st.Lead.Locale, Now: now}
	msg := herald.Message{TenantID: st.Tenant.ID, ReminderID: st.Reminder.ID, Reference: ref, To: to, ToName: st.Lead.Name,
		NotAfter: m.StartsAt}
	if channel == herald.ChannelSMS {
		msg.From = st.Settings.SMSFrom
	}
	tmpl.Render(values).ApplyTo(&msg)
	if channel == herald.ChannelEmail && msg.Email != nil {
		msg.Email.Calendar = render.Calendar(render.Event{UID: render.EventUID(m.ID), Sequence: m.Sequence,
			Start: m.StartsAt, Stamp: now, Summary: m.Title, URL: m.JoinLink, OrganizerName: st.Tenant.Name,
			OrganizerEmail: d.SenderEmail, AttendeeName: st.Lead.Name, AttendeeEmail: st.Lead.Email})
	}
	return msg
}

// finish gives a reminder a final status without sending.
func (d *Deliverer) finish(ctx context.Context, st *herald.DeliveryState, status herald.ReminderStatus, reason herald.Reason, detail string, now time.Time) {
	r := &st.Reminder
	r.Status, r.Reason, r.NextRetryAt = status, reason, nil
	if detail != "" {
		r.LastError = detail
	}
	action := herald.ActionFailed
	switch status {
	case herald.ReminderSkipped:
		action = herald.ActionReminderSkipped
	case herald.ReminderCancelled:
		action = herald.ActionReminderCancelled
	case herald.ReminderExpired:
		action = herald.ActionExpired
	}
	st.Audit = append(st.Audit, r.Audit(action, string(reason), now))
	// A failure is final and worth a look; the other ends are the rules
	// at work.
	level := slog.LevelInfo
	if status == herald.ReminderFailed {
		level = slog.LevelWarn
	}
	d.Logger.Log(ctx, level, "Reminder not sent", "tenant", r.TenantID, "meeting", r.MeetingID, "reminder", r.ID,
		"status", status, "reason", reason)
	d.Metrics.countOutcome(string(status), r.Channel, r.Provider)
}

// markUnknown settles a reminder whose provider call was cut off (by a
// crash or a shutdown) or answered unreadably: it may or may not have been
// sent, so it is not sent again. A delivery receipt carrying the attempt's
// reference settles it later.
//
// It returns how long until the tenant's on_unknown setting applies when
// that setting is "resend" and the reminder has not been resent before,
// else 0.
func (d *Deliverer) markUnknown(ctx context.Context, st *herald.DeliveryState, open *herald.Attempt, why string, now time.Time) time.Duration {
	r := &st.Reminder
	if r.DeliveryStatus != "" {
		// A delivery receipt for the open attempt came meanwhile: the
		// provider had the message, so the outcome is not lost.
		settleSent(st, open, r.Provider, r.ExternalMessageID, "", now, "settled by a delivery receipt that came before the outcome")
		return 0
	}
	r.Status, r.Reason = herald.ReminderUnknown, herald.ReasonOutcomeLost
	if open.Provider != "" {
		r.Provider = open.Provider
	}
	finished := *open
	finished.Outcome, finished.Error, finished.FinishedAt = herald.OutcomeUnknown, why, &now
	st.FinishedAttempt = &finished
	r.LastError = why
	st.Audit = append(st.Audit, r.Audit(herald.ActionUnknown, "reference "+open.Reference, now))
	d.Logger.WarnContext(ctx, "Reminder outcome unknown after an interrupted send; not sending again",
		"tenant", r.TenantID, "meeting", r.MeetingID, "reminder", r.ID, "reference", open.Reference, "why", why)
	d.Metrics.countOutcome(string(herald.ReminderUnknown), r.Channel, r.Provider)
	r.NextRetryAt = nil
	if st.Settings.OnUnknown != herald.OnUnknownResend || unknownAttempts(st, open.ID) > 0 {
		return 0
	}
	after := d.unknownAfter()
	check := now.Add(after)
	r.NextRetryAt = &check
	return after
}

// unknownAttempts counts the reminder's attempts that ended unknown, but
// the one named.
func unknownAttempts(st *herald.DeliveryState, except string) int {
	n := 0
	for _, a := range st.Attempts {
		if a.Outcome == herald.OutcomeUnknown && a.ID != except {
			n++
		}
	}
	return n
}

// defaultUnknownAfter is how long an unknown reminder waits for a receipt
// when Deliverer.UnknownAfter is not set.
const defaultUnknownAfter = 5 * time.Minute

func (d *Deliverer) unknownAfter() time.Duration {
	if d.UnknownAfter > 0 {
		return d.UnknownAfter
	}
	return defaultUnknownAfter
}

// resendUnknown decides, once no receipt has settled an unknown reminder
// in time, whether it goes once more: only when its tenant still says
// "resend" and its message would still be on time. Otherwise it stays
// unknown for good. A reminder to resend changes nothing here: it is
// claimed as a pending one.
func (d *Deliverer) resendUnknown(st *herald.DeliveryState, now time.Time) bool {
	r := &st.Reminder
	_, stale := stale(st, now)
	if st.Settings.OnUnknown == herald.OnUnknownResend && stale == "" {
		return true
	}
	r.NextRetryAt = nil
	detail := "no receipt within " + d.unknownAfter().String() + "; kept unknown"
	if stale != "" {
		detail += ": its message would no longer be on time"
	}
	st.Audit = append(st.Audit, r.Audit(herald.ActionUnknown, detail, now))
	return false
}
