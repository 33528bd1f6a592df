package herald

import "time"

// AuditAction is an append-only record of something that happened, stored
// in the table assistant_actions (the original system's name).
type AuditAction struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"-"`
	Action     Action    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Channel    string    `json:"channel"`
	Provider   string    `json:"provider"`
	Outcome    string    `json:"outcome"`
	Detail     string    `json:"detail"`
	At         time.Time `json:"at"`
}

// AuditFilter narrows an audit list.
type AuditFilter struct {
	EntityID string
	Action   Action
	Page     PageRequest
}

// Entity types of audit entries.
const (
	EntityLead     = "lead"
	EntityMeeting  = "meeting"
	EntityReminder = "reminder"
	EntityTemplate = "template"
	EntityTenant   = "tenant"
	// EntityEndpoint is a webhook endpoint, EntityEvent an event.
	EntityEndpoint = "webhook_endpoint"
	EntityEvent    = "event"
)

// Audit returns the audit entry that records r's current state: its
// status as outcome, its channel and provider.
func (r *Reminder) Audit(action Action, detail string, at time.Time) AuditAction {
	return AuditAction{TenantID: r.TenantID, Action: action, EntityType: EntityReminder, EntityID: r.ID,
		Channel: r.Channel, Provider: r.Provider, Outcome: string(r.Status), Detail: detail, At: at}
}
