package schedule

import (
	"time"

	"herald"
)

// ReceiptDecider returns the rules that delivery receipts follow
// (docs/RULES.md, "No duplicates" and "Delivery receipts"). emailAvailable
// says whether this deployment can send email at all; without it an
// undelivered SMS has nothing to fall back to.
//
// A receipt for the reminder's latest attempt sets its delivery status,
// which only moves forward (accepted, unknown, delivered, then undelivered
// or failed: a failed part of a long SMS outweighs a delivered one). A
// receipt proves that its attempt reached the provider, so a reminder left
// unknown by a lost outcome, or waiting to retry a call that seemed to
// fail, is settled as sent. An SMS reported undelivered or failed while its
// reminder would still be on time goes again by email, once.
func ReceiptDecider(emailAvailable bool) herald.ReceiptDecider {
	return func(st *herald.DeliveryState, attempt *herald.Attempt, rc herald.Receipt) bool {
		r := &st.Reminder
		now := rc.ReceivedAt
		detail := rc.Provider + " reports " + rc.ProviderStatus
		if rc.ErrorCode != "" && rc.ErrorCode != "0" {
			detail += " (error " + rc.ErrorCode + ")"
		}
		detail += " for attempt " + itoa(attempt.Number)
		st.Audit = append(st.Audit, herald.AuditAction{TenantID: r.TenantID, Action: herald.ActionDeliveryReceipt,
			EntityType: herald.EntityReminder, EntityID: r.ID, Channel: attempt.Channel, Provider: rc.Provider,
			Outcome: string(rc.Status), Detail: detail, At: now})
		latest := attempt.ID == st.Attempts[len(st.Attempts)-1].ID
		switch {
		case attempt.Channel != string(herald.ChannelSMS):
			return false
		case r.Status == herald.ReminderSending:
			// The receipt came before the send's own commit. Its news is
			// kept on the reminder: the worker's record keeps it, and a
			// worker that died before recording learns the SMS went out.
			if latest && attempt.FinishedAt == nil {
				r.DeliveryStatus = laterDelivery(r.DeliveryStatus, rc.Status)
				r.Provider = firstOf(r.Provider, rc.Provider)
				r.ExternalMessageID = firstOf(r.ExternalMessageID, rc.MessageID)
			}
			return false
		case r.Status == herald.ReminderSent:
			if !latest {
				return false // news of an SMS a later email attempt replaced
			}
			r.DeliveryStatus = laterDelivery(r.DeliveryStatus, rc.Status)
			if rc.Expired && !now.Add(expiryLeeway).Before(st.Meeting.StartsAt) {
				expireUndelivered(st, rc, now)
				return false
			}
		case attempt.Outcome == herald.OutcomeTransient || attempt.Outcome == herald.OutcomeUnknown:
			settleSent(st, attempt, rc.Provider, rc.MessageID, rc.Sender, now,
				"settled by a delivery receipt for reference "+attempt.Reference)
			r.DeliveryStatus = laterDelivery(herald.DeliveryAccepted, rc.Status)
		default:
			return false
		}
		return emailAvailable && fallBackToEmail(st, now)
	}
}

// deliveryRank orders delivery statuses so that a late or repeated receipt
// never moves a message back.
func deliveryRank(status herald.DeliveryStatus) int {
	switch status {
	case herald.DeliveryAccepted:
		return 1
	case herald.DeliveryUnknown:
		return 2
	case herald.DeliveryDelivered:
		return 3
	case herald.DeliveryUndelivered, herald.DeliveryFailed:
		return 4
	}
	return 0
}

// laterDelivery returns whichever status is further along.
func laterDelivery(current, reported herald.DeliveryStatus) herald.DeliveryStatus {
	if deliveryRank(reported) > deliveryRank(current) {
		return reported
	}
	return current
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// settleSent records that attempt did reach the provider, whatever its
// call reported: the reminder is sent, and is never sent again.
func settleSent(st *herald.DeliveryState, attempt *herald.Attempt, provider, messageID, sender string, now time.Time, why string) {
	r := &st.Reminder
	sentAt := attempt.StartedAt
	r.Status, r.Reason, r.LastError, r.NextRetryAt = herald.ReminderSent, "", "", nil
	r.Channel, r.Provider, r.SentAt = attempt.Channel, firstOf(provider, r.Provider), &sentAt
	r.ExternalMessageID = firstOf(messageID, r.ExternalMessageID)
	finished := *attempt
	finished.Outcome, finished.Provider = herald.OutcomeSent, r.Provider
	finished.ProviderMessageID = firstOf(finished.ProviderMessageID, r.ExternalMessageID)
	finished.Sender = firstOf(finished.Sender, sender)
	if finished.FinishedAt == nil {
		finished.FinishedAt = &now
	}
	st.FinishedAttempt = &finished
	st.Audit = append(st.Audit, r.Audit(herald.ActionSent, why, now))
}

// fallBackToEmail puts an SMS reminder reported undelivered back to
// pending, to go by email at once, when that email would still be on time
// and the reminder has not fallen back before.
func fallBackToEmail(st *herald.DeliveryState, now time.Time) bool {
	r := &st.Reminder
	switch {
	case r.Status != herald.ReminderSent || r.Channel != string(herald.ChannelSMS):
		return false
	case r.DeliveryStatus != herald.DeliveryUndelivered && r.DeliveryStatus != herald.DeliveryFailed:
		return false
	case st.Lead.Email == "" || !st.Settings.Channels.Email:
		return false
	}
	if _, status := stale(st, now); status != "" {
		return false
	}
	for _, prior := range st.Attempts {
		if prior.Channel == string(herald.ChannelEmail) {
			return false
		}
	}
	detail := "SMS reported " + string(r.DeliveryStatus) + "; sending by email"
	// The new attempt reports its own delivery: the SMS's stays in the
	// attempt history and the audit trail.
	r.Status, r.Reason, r.DeliveryStatus, r.NextRetryAt = herald.ReminderPending, herald.ReasonSMSUndelivered, "", nil
	st.Audit = append(st.Audit, r.Audit(herald.ActionFallbackEmail, detail, now))
	return true
}

// expiryLeeway is how long before the meeting's start a receipt saying
// the provider gave up on a message at its deadline still means that
// deadline (the validity Herald gives is whole seconds, counted from
// before the call). An earlier one is the provider's own deadline (Twilio
// keeps a message 10 hours, Vonage 72, when the meeting is further): the
// SMS is undelivered, and email may still go before the meeting.
const expiryLeeway = time.Minute

// expireUndelivered records that the provider dropped the reminder's SMS
// at the deadline Herald gave it (the meeting's start): the lead never got
// it, and it is too late for any other channel.
func expireUndelivered(st *herald.DeliveryState, rc herald.Receipt, now time.Time) {
	r := &st.Reminder
	r.Status, r.Reason = herald.ReminderExpired, herald.ReasonValidityExpired
	st.Audit = append(st.Audit, r.Audit(herald.ActionExpired, rc.Provider+" dropped the message when the meeting began (error "+
		rc.ErrorCode+")", now))
}
