package herald

import (
	"context"
	"time"
)

// DeliveryState is everything the worker decides a reminder's fate from,
// loaded and locked in one transaction. The worker changes Reminder, sets
// the attempt to write, and adds audit actions; the store saves exactly
// that when the decision function returns nil.
type DeliveryState struct {
	Tenant   Tenant
	Settings Settings
	Reminder Reminder
	// Meeting comes with all its reminders, to tell whether a later rule's
	// time has already come.
	Meeting Meeting
	Lead    Lead
	// Attempts are the reminder's attempts so far, oldest first.
	Attempts []Attempt
	// TemplateOverrides are the tenant's own versions of the reminder's
	// template, one per channel at most. They are read in the same
	// transaction so that rendering needs no query of its own: on SQLite
	// the transaction holds the only connection.
	TemplateOverrides []TemplateOverride

	// NewAttempt, when set, is inserted.
	NewAttempt *Attempt
	// FinishedAttempt, when set, replaces the stored attempt of the same id.
	FinishedAttempt *Attempt
	// OptOuts are the opt-outs on record for the lead's phone, from
	// whatever number.
	OptOuts []PhoneOptOut

	// OptOut, when set, is recorded as a STOP would be: a provider said the
	// lead's phone unsubscribed from a number, or an opt-out on record was
	// found to apply to the lead.
	OptOut *OptOut
	Audit  []AuditAction
}

// OpenAttempt returns the latest attempt that was started but never
// finished: the trace of a process that died during a provider call.
func (s *DeliveryState) OpenAttempt() *Attempt {
	if n := len(s.Attempts); n > 0 && s.Attempts[n-1].FinishedAt == nil {
		return &s.Attempts[n-1]
	}
	return nil
}

// DeliveryStore is what the worker needs of storage.
type DeliveryStore interface {
	// UpdateDelivery loads and locks the reminder's state, calls decide, and
	// saves the changes decide made in the same transaction. A missing
	// reminder is a not_found *Error.
	UpdateDelivery(ctx context.Context, tenantID, reminderID string, decide func(*DeliveryState) error) error
}

// OutboxMessage is a message held by the outbox sender instead of being
// handed to a provider.
type OutboxMessage struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"-"`
	ReminderID string    `json:"reminder_id"`
	Reference  string    `json:"reference"`
	Channel    Channel   `json:"channel"`
	Recipient  string    `json:"recipient"`
	Subject    string    `json:"subject"`
	Text       string    `json:"text"`
	CreatedAt  time.Time `json:"created_at"`
}

// DeliveryUpdate is one UpdateDelivery call, for a store that runs many in
// one transaction.
type DeliveryUpdate struct {
	TenantID, ReminderID string
	Decide               func(*DeliveryState) error
}
