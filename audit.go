package herald

import "time"

// AuditAction is an append-only record of something that happened, stored
// in the table assistant_actions (the original system's name).
type AuditAction struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"-"`
	Action     string    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Channel    string    `json:"channel"`
	Provider   string    `json:"provider"`
	Outcome    string    `json:"outcome"`
	Detail     string    `json:"detail"`
	At         time.Time `json:"at"`
}

// Audit action names.
const (
	ActionLeadCreated       = "lead.created"
	ActionLeadUpdated       = "lead.updated"
	ActionLeadOptedOut      = "lead.opted_out"
	ActionLeadOptedIn       = "lead.opted_in"
	ActionMeetingBooked     = "meeting.booked"
	ActionMeetingUpdated    = "meeting.updated"
	ActionMeetingMoved      = "meeting.rescheduled"
	ActionMeetingCancelled  = "meeting.cancelled"
	ActionMeetingConfirmed  = "meeting.confirmed"
	ActionReminderPlanned   = "reminder.planned"
	ActionReminderSkipped   = "reminder.skipped"
	ActionReminderCancelled = "reminder.cancelled"
	ActionSettingsUpdated   = "settings.updated"
)

// AuditFilter narrows an audit list.
type AuditFilter struct {
	EntityID string
	Action   string
	Page     PageRequest
}
