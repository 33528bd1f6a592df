package herald

// Action names what an audit entry records. The names are part of the API
// (GET /v1/audit?action=…).
type Action string

// Audit actions of leads.
const (
	ActionLeadCreated  Action = "lead.created"
	ActionLeadUpdated  Action = "lead.updated"
	ActionLeadOptedOut Action = "lead.opted_out"
	ActionLeadOptedIn  Action = "lead.opted_in"
	// ActionLeadErased: the lead's name, phone and email were erased on
	// request (DELETE /v1/leads/{id}).
	ActionLeadErased Action = "lead.erased"
)

// Audit actions of meetings.
const (
	ActionMeetingBooked    Action = "meeting.booked"
	ActionMeetingUpdated   Action = "meeting.updated"
	ActionMeetingMoved     Action = "meeting.rescheduled"
	ActionMeetingCancelled Action = "meeting.cancelled"
	ActionMeetingConfirmed Action = "meeting.confirmed"
)

// Audit actions of reminders: planning, then delivery.
const (
	ActionReminderPlanned   Action = "reminder.planned"
	ActionReminderSkipped   Action = "reminder.skipped"
	ActionReminderCancelled Action = "reminder.cancelled"
	// ActionReminderReplanned: a pending reminder moved because the
	// lead's time zone changed under a send window.
	ActionReminderReplanned Action = "reminder.replanned"

	ActionAttempt         Action = "reminder.attempt"
	ActionSent            Action = "reminder.sent"
	ActionFailed          Action = "reminder.failed"
	ActionRetry           Action = "reminder.retry_scheduled"
	ActionThrottled       Action = "reminder.throttled"
	ActionUnknown         Action = "reminder.unknown"
	ActionExpired         Action = "reminder.expired"
	ActionFallbackEmail   Action = "reminder.fallback_email"
	ActionDeliveryReceipt Action = "reminder.delivery_receipt"
)

// Audit actions of texts leads send, and of Herald's answers.
const (
	ActionInboundSMS Action = "sms.inbound"
	ActionReplySent  Action = "sms.reply"
)

// Audit actions of tenants' settings and templates. A template's entity is
// its name, and its channel the template's channel.
const (
	ActionSettingsUpdated Action = "settings.updated"
	// ActionProvidersUpdated: the operator set or removed the tenant's own
	// SMS provider accounts (the detail names which, never a secret).
	ActionProvidersUpdated Action = "tenant.providers_updated"
	ActionTemplateSaved    Action = "template.saved"
	ActionTemplateDeleted  Action = "template.deleted"
)

// Audit actions of webhook endpoints and events.
const (
	ActionEndpointCreated       Action = "webhook_endpoint.created"
	ActionEndpointUpdated       Action = "webhook_endpoint.updated"
	ActionEndpointDeleted       Action = "webhook_endpoint.deleted"
	ActionEndpointSecretRotated Action = "webhook_endpoint.secret_rotated"
	ActionEndpointDisabled      Action = "webhook_endpoint.disabled"
	ActionEventRedelivered      Action = "event.redelivered"
)

// Audit actions of a tenant's API keys (the entity is the key's id, the
// detail its prefix) and of the operator's switch.
const (
	ActionAPIKeyCreated  Action = "api_key.created"
	ActionAPIKeyRevoked  Action = "api_key.revoked"
	ActionTenantDisabled Action = "tenant.disabled"
	ActionTenantEnabled  Action = "tenant.enabled"
)
