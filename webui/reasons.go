package webui

import (
	"fmt"
	"strings"
	"time"

	"herald"
)

// waitReason says in words why a reminder that has not gone out yet is
// waiting, and how it will travel: what a tenant asks first when a lead
// says "I never got a reminder".
func waitReason(r herald.ReminderView, st herald.Settings, now time.Time, zone *time.Location) string {
	var why string
	switch {
	case r.Status == herald.ReminderSending:
		why = "Being handed to the provider now"
		if r.Provider != "" {
			why = "Being handed to " + r.Provider + " now"
		}
	case r.Status == herald.ReminderUnknown:
		why = "The provider's answer was lost; waiting for a delivery receipt to settle it (it is never sent twice)"
	case r.NextRetryAt != nil && r.NextRetryAt.After(now):
		why = fmt.Sprintf("Retry at %s (attempt %d of %d)", r.NextRetryAt.In(zone).Format("15:04"), r.Attempts+1, r.MaxRetries+1)
		if r.LastError != "" {
			why += " after: " + r.LastError
		}
	case r.ScheduledAt.After(now):
		why = "Waiting for its time"
		if !r.RuleAt.IsZero() && !r.RuleAt.Equal(r.ScheduledAt) {
			why = "Held by the send window: its rule said " + r.RuleAt.In(zone).Format("Mon 15:04")
		}
	default:
		why = "Due: waiting for its turn at the provider's pace"
	}
	if r.Status != herald.ReminderPending {
		return why
	}
	if how := channelNote(r, st); how != "" {
		why += "; " + how
	}
	return why
}

// channelNote says how a pending reminder will travel when that is not
// plain SMS, following the channel rules of docs/ (SMS when the lead has a
// phone, has not opted out and the tenant has SMS on; otherwise email).
func channelNote(r herald.ReminderView, st herald.Settings) string {
	smsBlocked := ""
	switch {
	case !st.Channels.SMS:
		smsBlocked = "SMS is off for this tenant"
	case r.LeadPhone == "":
		smsBlocked = "the lead has no phone number"
	case r.LeadOptedOut:
		smsBlocked = "the lead opted out of SMS"
	}
	if smsBlocked == "" {
		return ""
	}
	if r.LeadEmail != "" && st.Channels.Email {
		return smsBlocked + ", so it goes by email"
	}
	return smsBlocked + " and there is no email to fall back to: it will fail (" + strings.ReplaceAll(string(herald.ReasonNoContact), "_", " ") + ")"
}
