package schedule

import (
	"context"
	"errors"
	"strconv"
	"time"

	"herald"
)

// nextStep is what the job does after an outcome is recorded.
type nextStep struct {
	// wait asks for the job to run again after this long.
	wait time.Duration
	// fallback asks for an immediate second attempt by email.
	fallback bool
}

// defaultThrottleWait is used when a throttling provider does not say how
// long to wait.
const defaultThrottleWait = time.Second

// record writes a provider call's outcome on the reminder and its attempt.
// It changes nothing if the attempt is no longer the reminder's open one.
func (d *Deliverer) record(ctx context.Context, st *herald.DeliveryState, plan *sendPlan, out sendOutcome, now time.Time) nextStep {
	r := &st.Reminder
	open := st.OpenAttempt()
	if r.Status != herald.ReminderSending || open == nil || open.ID != plan.attempt.ID {
		d.Logger.WarnContext(ctx, "Reminder changed during its send; outcome not recorded", "reminder", r.ID)
		return nextStep{}
	}
	a := *open
	a.FinishedAt = &now
	if out.err != nil && r.DeliveryStatus != "" {
		// A delivery receipt for this very attempt came while the call was
		// failing (a timeout after the provider took the message): it was
		// sent, and sending it again would duplicate it.
		var failed *herald.SendError
		var tried []herald.ProviderCall
		if errors.As(out.err, &failed) {
			tried = failed.Tried
		}
		out = sendOutcome{result: herald.SendResult{Provider: r.Provider, MessageID: r.ExternalMessageID, Tried: tried}}
	}
	if out.err == nil {
		a.Outcome, a.Provider, a.ProviderMessageID, a.Calls = herald.OutcomeSent, out.result.Provider, out.result.MessageID, out.result.Tried
		a.Sender = herald.NormalizeNumber(out.result.From)
		st.FinishedAttempt = &a
		r.Status, r.Reason, r.LastError = herald.ReminderSent, "", ""
		r.Provider, r.ExternalMessageID, r.SentAt = out.result.Provider, out.result.MessageID, &now
		if out.result.Held {
			r.DeliveryStatus = herald.DeliveryHeld
			st.Audit = append(st.Audit, r.Audit(herald.ActionSent, "held in the outbox for "+mask(plan.message.Channel, plan.recipient)+", not sent", now))
			d.Logger.InfoContext(ctx, "Reminder held in the outbox, not sent", "tenant", r.TenantID,
				"meeting", r.MeetingID, "reminder", r.ID, "channel", r.Channel, "to", mask(plan.message.Channel, plan.recipient))
			d.Metrics.observeHeld(r, now.Sub(plan.scheduledAt))
			return nextStep{}
		}
		// A receipt that beat this commit may already have said more.
		r.DeliveryStatus = laterDelivery(r.DeliveryStatus, herald.DeliveryAccepted)
		st.Audit = append(st.Audit, r.Audit(herald.ActionSent, "to "+mask(plan.message.Channel, plan.recipient)+" message "+out.result.MessageID, now))
		// The original worker's words, without the id, so that lines group.
		d.Logger.InfoContext(ctx, "Reminder sent successfully", "tenant", r.TenantID,
			"meeting", r.MeetingID, "reminder", r.ID, "via", r.Channel, "provider", r.Provider, "to", mask(plan.message.Channel, plan.recipient),
			"late_ms", now.Sub(plan.scheduledAt).Milliseconds())
		d.Metrics.observeSent(r, now.Sub(plan.scheduledAt))
		return nextStep{}
	}

	var se *herald.SendError
	kind := herald.SendErrorKindOf(out.err)
	if errors.As(out.err, &se) {
		a.Provider, a.Calls = se.Provider, se.Tried
	}
	if out.interrupted || kind == herald.SendUnknown {
		// Like a crash during the call: the message may have gone, so it
		// is neither retried nor sent another way. A receipt for the
		// attempt's reference settles it.
		why := "the provider's answer could not be read"
		if out.interrupted {
			why = "shutdown cut the provider call short"
		}
		return nextStep{wait: d.markUnknown(ctx, st, &a, why+": "+out.err.Error(), now)}
	}
	a.Outcome, a.Error = kind.Outcome(), out.err.Error()
	st.FinishedAttempt = &a
	r.LastError, r.Provider = out.err.Error(), a.Provider

	switch kind {
	case herald.SendThrottled:
		wait := defaultThrottleWait
		if se != nil && se.RetryAfter > 0 {
			wait = se.RetryAfter
		}
		return d.retryAt(ctx, st, now, wait, herald.ActionThrottled)
	case herald.SendPermanentRecipient:
		if se != nil && se.OptedOut {
			// The provider's record of a STOP: kept as a STOP would be.
			st.OptOut = &herald.OptOut{Phone: st.Lead.Phone, Sender: herald.NormalizeNumber(se.From), OptedOut: true,
				Provider: se.Provider, Cause: se.Provider + " error " + se.Code + " (recipient unsubscribed)",
				Lead: &herald.LeadRef{TenantID: r.TenantID, LeadID: st.Lead.ID}, At: now}
		}
		if plan.message.Channel == herald.ChannelSMS && d.Email != nil && st.Settings.Channels.Email && st.Lead.Email != "" {
			r.Status = herald.ReminderPending
			st.Audit = append(st.Audit, r.Audit(herald.ActionFallbackEmail, "SMS refused for this number: "+out.err.Error(), now))
			return nextStep{fallback: true}
		}
		d.finish(ctx, st, herald.ReminderFailed, herald.ReasonRejected, "", now)
		return nextStep{}
	case herald.SendPermanent:
		if d.canFallBackToEmail(st, plan, now) {
			return d.fallBackToEmail(ctx, st, "SMS refused by every provider: "+out.err.Error(), now)
		}
		d.finish(ctx, st, herald.ReminderFailed, herald.ReasonRejected, "", now)
		return nextStep{}
	}
	// Transient: retry with exponential backoff, never past the meeting's
	// start, at most MaxRetries times.
	retries := 0
	for _, prior := range st.Attempts {
		if prior.Outcome == herald.OutcomeTransient && prior.ID != a.ID {
			retries++
		}
	}
	retries++ // this failure
	if retries > r.MaxRetries {
		if d.canFallBackToEmail(st, plan, now) {
			return d.fallBackToEmail(ctx, st, "SMS retries used up: "+out.err.Error(), now)
		}
		d.finish(ctx, st, herald.ReminderFailed, herald.ReasonRetriesExhausted, "", now)
		return nextStep{}
	}
	delay := d.Retry.Delay(retries)
	if !now.Add(delay).Before(st.Meeting.StartsAt) {
		if d.canFallBackToEmail(st, plan, now) {
			return d.fallBackToEmail(ctx, st, "the next SMS retry would come after the meeting's start: "+out.err.Error(), now)
		}
		d.finish(ctx, st, herald.ReminderExpired, herald.ReasonRetryAfterStart, "", now)
		return nextStep{}
	}
	return d.retryAt(ctx, st, now, delay, herald.ActionRetry)
}

// canFallBackToEmail tells whether an SMS that cannot go for a reason not
// the lead's may go by email instead: the lead has an address, the tenant
// and this process send email, the meeting is still ahead, and the
// reminder has never gone by email (the fallback happens once).
func (d *Deliverer) canFallBackToEmail(st *herald.DeliveryState, plan *sendPlan, now time.Time) bool {
	if plan.message.Channel != herald.ChannelSMS || d.Email == nil || !st.Settings.Channels.Email ||
		st.Lead.Email == "" || !now.Before(st.Meeting.StartsAt) {
		return false
	}
	for _, prior := range st.Attempts {
		if prior.Channel == string(herald.ChannelEmail) {
			return false
		}
	}
	return true
}

// fallBackToEmail puts the reminder back to pending, marked to go by
// email, and asks for the email attempt at once. The mark survives a
// crash before that attempt: the job's next run sends the email, never
// the SMS again.
func (d *Deliverer) fallBackToEmail(ctx context.Context, st *herald.DeliveryState, why string, now time.Time) nextStep {
	r := &st.Reminder
	r.Status, r.Reason, r.NextRetryAt = herald.ReminderPending, herald.ReasonSMSUnavailable, nil
	st.Audit = append(st.Audit, r.Audit(herald.ActionFallbackEmail, why, now))
	d.Logger.InfoContext(ctx, "Reminder goes by email: its SMS cannot go", "tenant", r.TenantID,
		"meeting", r.MeetingID, "reminder", r.ID, "error", r.LastError)
	return nextStep{fallback: true}
}

// retryAt puts the reminder back to pending until now+wait.
func (d *Deliverer) retryAt(ctx context.Context, st *herald.DeliveryState, now time.Time, wait time.Duration, action herald.Action) nextStep {
	r := &st.Reminder
	next := now.Add(wait)
	r.Status, r.NextRetryAt = herald.ReminderPending, &next
	st.Audit = append(st.Audit, r.Audit(action, "next try at "+next.Format(time.RFC3339)+": "+r.LastError, now))
	d.Logger.WarnContext(ctx, "Reminder will be retried", "tenant", r.TenantID, "meeting", r.MeetingID, "reminder", r.ID,
		"in", wait.String(), "error", r.LastError)
	// The outcome label speaks the attempts' vocabulary, as
	// herald_sender_duration_seconds does: transient or throttled.
	outcome := herald.OutcomeTransient
	if action == herald.ActionThrottled {
		outcome = herald.OutcomeThrottled
	}
	d.Metrics.countOutcome(string(outcome), r.Channel, r.Provider)
	return nextStep{wait: wait}
}

func mask(channel herald.Channel, recipient string) string {
	if channel == herald.ChannelEmail {
		return herald.MaskEmail(recipient)
	}
	return herald.MaskPhone(recipient)
}

func itoa(n int) string { return strconv.Itoa(n) }
