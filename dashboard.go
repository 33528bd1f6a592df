package herald

import (
	"context"
	"time"
)

// DashboardSession is a sign-in to the dashboard. The browser holds a
// random token; the store keeps only its hash. A tenant session is valid
// while the API key it was opened with is: revoking the key ends it.
type DashboardSession struct {
	// TokenHash is HashAPIKey of the cookie's token.
	TokenHash string
	// TenantID is empty for an admin session.
	TenantID   string
	TenantName string
	// KeyHash is the hash of the API key (or admin token) signed in with.
	KeyHash string
	Admin   bool
	// CSRFToken must come back with every form of the session.
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ReminderView is a reminder with what a person needs to recognise it:
// its meeting's title and time and its lead's name and contact data.
type ReminderView struct {
	Reminder
	MeetingTitle    string
	MeetingStartsAt time.Time
	MeetingStatus   string
	MeetingTimezone string
	LeadID          string
	LeadName        string
	LeadPhone       string
	LeadEmail       string
	LeadTimezone    string
	LeadOptedOut    bool
}

// MessageFilter narrows the dashboard's message log. From and To bound
// the scheduled time; Search matches a lead's name, phone or email.
type MessageFilter struct {
	Status   ReminderStatus
	Channel  string
	Provider string
	From     *time.Time
	To       *time.Time
	Search   string
	Page     PageRequest
}

// TenantSummary is one row of the operator's list of tenants.
type TenantSummary struct {
	ID        string
	Name      string
	Keys      int
	CreatedAt time.Time
	// DisabledAt is when an operator disabled the tenant; nil when active.
	DisabledAt *time.Time
}

// ProviderError is a recent failed provider call, for the operator.
type ProviderError struct {
	Provider string
	TenantID string
	Error    string
	At       time.Time
}

// WorkerProcess is a process working reminders as its heartbeat row
// records it, for the operator.
type WorkerProcess struct {
	// ID is the name the process gives itself in the job engine.
	ID          string
	StartedAt   time.Time
	HeartbeatAt time.Time
}

// WorkerProcesses is what the database knows of the processes working
// reminders.
type WorkerProcesses struct {
	// Recorded is false on a database where processes do not heartbeat
	// (SQLite, which one process owns).
	Recorded bool
	// Processes are the processes seen, latest heartbeat first.
	Processes []WorkerProcess
	// Now is the database's clock, which the heartbeats are taken at.
	Now time.Time
}

// DashboardStore is what the dashboard reads beyond Store: sessions and
// the joined, indexed lists its pages show.
type DashboardStore interface {
	// CreateDashboardSession stores a session and forgets expired ones.
	CreateDashboardSession(ctx context.Context, s DashboardSession) error
	// DashboardSession returns the session of a token hash that has not
	// expired at now and whose tenant key still exists; anything else is a
	// not_found *Error.
	DashboardSession(ctx context.Context, tokenHash string, now time.Time) (DashboardSession, error)
	DeleteDashboardSession(ctx context.Context, tokenHash string) error

	// UpcomingReminders lists a tenant's reminders still to go out (pending,
	// sending or unknown) scheduled before until, soonest first.
	UpcomingReminders(ctx context.Context, tenantID string, until time.Time, page PageRequest) (Page[ReminderView], error)
	// MessageLog lists a tenant's reminders, latest scheduled first.
	MessageLog(ctx context.Context, tenantID string, f MessageFilter) (Page[ReminderView], error)
	// ReminderViews returns the reminders of the given ids in the tenant,
	// keyed by id; ids of another tenant are left out.
	ReminderViews(ctx context.Context, tenantID string, ids []string) (map[string]ReminderView, error)
	// LeadMeetings lists a lead's meetings, latest start first.
	LeadMeetings(ctx context.Context, tenantID, leadID string, page PageRequest) (Page[Meeting], error)
	// EntityAudit returns the audit actions of the given entities (ids of
	// reminders, meetings, leads), oldest first.
	EntityAudit(ctx context.Context, tenantID string, entityIDs []string) ([]AuditAction, error)
	// OutboxOfReminder returns what the outbox kept for a reminder.
	OutboxOfReminder(ctx context.Context, tenantID, reminderID string) ([]OutboxMessage, error)

	// RecentProviderErrors lists the latest failed provider attempts of
	// all tenants, newest first.
	RecentProviderErrors(ctx context.Context, limit int) ([]ProviderError, error)
	// WorkerProcesses lists the processes whose heartbeat the database
	// holds.
	WorkerProcesses(ctx context.Context) (WorkerProcesses, error)
}
