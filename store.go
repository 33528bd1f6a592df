package herald

import "context"

// Store keeps Herald's state. Every method but CreateTenant and
// TenantByAPIKey is scoped by a tenant id: another tenant's object is
// reported as not found, exactly like a missing one. Each change writes its
// audit actions in the same transaction.
type Store interface {
	Ping(ctx context.Context) error
	IdempotencyStore

	// CreateTenant creates a tenant and returns it with its API key, which
	// is stored hashed and cannot be read again.
	CreateTenant(ctx context.Context, name string) (Tenant, string, error)
	TenantByAPIKey(ctx context.Context, apiKey string) (Tenant, error)
	Settings(ctx context.Context, tenantID string) (Settings, error)

	// CreateAPIKey issues another key for the tenant; the key is returned
	// this once. ListAPIKeys shows them by prefix; RevokeAPIKey deletes one
	// at once, but never the tenant's last.
	CreateAPIKey(ctx context.Context, tenantID string) (APIKey, string, error)
	ListAPIKeys(ctx context.Context, tenantID string) ([]APIKey, error)
	RevokeAPIKey(ctx context.Context, tenantID, keyID string) error

	// ListTenants, Tenant and SetTenantDisabled are the operator's: they
	// are not scoped by a tenant. A disabled tenant's keys are refused and
	// its reminders held.
	ListTenants(ctx context.Context, page PageRequest) (Page[TenantSummary], error)
	Tenant(ctx context.Context, id string) (Tenant, error)
	SetTenantDisabled(ctx context.Context, id string, disabled bool) (Tenant, error)
	UpdateSettings(ctx context.Context, tenantID string, s Settings) (Settings, error)

	CreateLead(ctx context.Context, tenantID string, in LeadInput) (Lead, error)
	Lead(ctx context.Context, tenantID, id string) (Lead, error)
	// UpdateLead applies patch after check accepts the patched lead.
	UpdateLead(ctx context.Context, tenantID, id string, patch LeadPatch, check func(*Lead) error) (Lead, error)
	ListLeads(ctx context.Context, tenantID string, page PageRequest) (Page[Lead], error)
	// EraseLead erases a lead's name, phone and email and cancels its
	// pending reminders (reason erased); its ids, its audit trail (masked)
	// and any opt-out of its phone remain.
	EraseLead(ctx context.Context, tenantID, id string) error

	// BookMeeting books a meeting and plans its reminders in one
	// transaction. With a non-empty idempotency key, a replay with the same
	// request hash returns the first meeting and replayed=true.
	BookMeeting(ctx context.Context, tenantID string, in BookMeetingInput, idem Idempotency) (m Meeting, replayed bool, err error)
	// BookMeetingBatch books each item on its own, as BookMeeting does,
	// and records answer(meeting) under the item's idempotency key in the
	// same transaction; an item whose key has a record answers it. An
	// item's failure is its outcome's Err and changes nothing; the error
	// is for the batch as a whole.
	BookMeetingBatch(ctx context.Context, tenantID string, items []BatchBooking, answer func(Meeting) IdempotentResponse) ([]BatchOutcome, error)
	// BookMeetingKeyed books one item as BookMeetingBatch would, in a
	// transaction of its own or one shared with other bookings: the key's
	// record is read, the meeting booked and its answer recorded together.
	BookMeetingKeyed(ctx context.Context, tenantID string, item BatchBooking, answer func(Meeting) IdempotentResponse) (BatchOutcome, error)
	Meeting(ctx context.Context, tenantID, id string) (Meeting, error)
	UpdateMeeting(ctx context.Context, tenantID, id string, patch MeetingPatch) (Meeting, error)
	CancelMeeting(ctx context.Context, tenantID, id string) (Meeting, error)
	ListMeetings(ctx context.Context, tenantID string, f MeetingFilter) (Page[Meeting], error)

	Reminder(ctx context.Context, tenantID, id string) (Reminder, error)
	ListReminders(ctx context.Context, tenantID string, f ReminderFilter) (Page[Reminder], error)
	ListAudit(ctx context.Context, tenantID string, f AuditFilter) (Page[AuditAction], error)
	// ListOutbox lists the messages the outbox sender kept.
	ListOutbox(ctx context.Context, tenantID string, page PageRequest) (Page[OutboxMessage], error)

	// TemplateOverrides lists a tenant's own templates, sorted by name,
	// channel and locale; with a non-empty name, only those of that name
	// (one per channel and locale at most).
	TemplateOverrides(ctx context.Context, tenantID, name string) ([]TemplateOverride, error)
	// SaveTemplateOverride creates or replaces the tenant's template of
	// o's name, channel and locale, which the caller has validated; created reports
	// that none existed. A tenant keeps at most MaxTemplateOverrides.
	SaveTemplateOverride(ctx context.Context, tenantID string, o TemplateOverride) (saved TemplateOverride, created bool, err error)
	// DeleteTemplateOverride removes the tenant's template of that name,
	// channel and locale; a missing one is a not_found *Error.
	DeleteTemplateOverride(ctx context.Context, tenantID, name string, channel Channel, locale string) error
}

// Idempotency identifies a booking request for replay: Key is the client's
// Idempotency-Key header, RequestHash a digest of the request body.
type Idempotency struct {
	Key         string
	RequestHash string
}
