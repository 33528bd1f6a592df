package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"herald"
)

// CreatedTenant is a new tenant with its API key, shown only once.
type CreatedTenant struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	APIKey string `json:"api_key"`
}

// CreateTenant creates a tenant; the client's key must be the admin token.
func (c *Client) CreateTenant(ctx context.Context, name string, opts ...RequestOption) (CreatedTenant, error) {
	var out CreatedTenant
	err := c.do(ctx, http.MethodPost, "/v1/admin/tenants", nil, map[string]string{"name": name}, &out, opts...)
	return out, err
}

// Settings reads the tenant's settings.
func (c *Client) Settings(ctx context.Context) (herald.Settings, error) {
	var out herald.Settings
	err := c.do(ctx, http.MethodGet, "/v1/settings", nil, nil, &out)
	return out, err
}

// UpdateSettings replaces the tenant's settings; fields left empty take
// their defaults.
func (c *Client) UpdateSettings(ctx context.Context, s herald.Settings) (herald.Settings, error) {
	var out herald.Settings
	err := c.do(ctx, http.MethodPut, "/v1/settings", nil, s, &out)
	return out, err
}

// CreateLead creates a lead.
func (c *Client) CreateLead(ctx context.Context, in herald.LeadInput, opts ...RequestOption) (herald.Lead, error) {
	var out herald.Lead
	err := c.do(ctx, http.MethodPost, "/v1/leads", nil, in, &out, opts...)
	return out, err
}

// Lead reads a lead.
func (c *Client) Lead(ctx context.Context, id string) (herald.Lead, error) {
	var out herald.Lead
	err := c.do(ctx, http.MethodGet, pathOf("v1", "leads", id), nil, nil, &out)
	return out, err
}

// UpdateLead changes a lead's fields that patch sets.
func (c *Client) UpdateLead(ctx context.Context, id string, patch herald.LeadPatch) (herald.Lead, error) {
	var out herald.Lead
	err := c.do(ctx, http.MethodPatch, pathOf("v1", "leads", id), nil, patch, &out)
	return out, err
}

// Leads lists the tenant's leads, oldest first.
func (c *Client) Leads(ctx context.Context, opts ListOptions) iter.Seq2[herald.Lead, error] {
	return paginate[herald.Lead](ctx, c, "/v1/leads", nil, opts)
}

// BookMeeting books a meeting and answers it with its planned reminders.
func (c *Client) BookMeeting(ctx context.Context, in herald.BookMeetingInput, opts ...RequestOption) (herald.Meeting, error) {
	var out herald.Meeting
	err := c.do(ctx, http.MethodPost, "/v1/meetings", nil, in, &out, opts...)
	return out, err
}

// Meeting reads a meeting with its reminders.
func (c *Client) Meeting(ctx context.Context, id string) (herald.Meeting, error) {
	var out herald.Meeting
	err := c.do(ctx, http.MethodGet, pathOf("v1", "meetings", id), nil, nil, &out)
	return out, err
}

// UpdateMeeting changes a meeting; a new start time plans its reminders
// anew.
func (c *Client) UpdateMeeting(ctx context.Context, id string, patch herald.MeetingPatch) (herald.Meeting, error) {
	var out herald.Meeting
	err := c.do(ctx, http.MethodPatch, pathOf("v1", "meetings", id), nil, patch, &out)
	return out, err
}

// CancelMeeting cancels a meeting and its pending reminders.
func (c *Client) CancelMeeting(ctx context.Context, id string, opts ...RequestOption) (herald.Meeting, error) {
	var out herald.Meeting
	err := c.do(ctx, http.MethodPost, pathOf("v1", "meetings", id, "cancel"), nil, nil, &out, opts...)
	return out, err
}

// MeetingFilter narrows Meetings.
type MeetingFilter struct {
	Status   string
	From, To time.Time
	ListOptions
}

// Meetings lists the tenant's meetings, oldest booking first.
func (c *Client) Meetings(ctx context.Context, f MeetingFilter) iter.Seq2[herald.Meeting, error] {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", string(f.Status))
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.UTC().Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.UTC().Format(time.RFC3339))
	}
	return paginate[herald.Meeting](ctx, c, "/v1/meetings", q, f.ListOptions)
}

// Reminder reads a reminder with its attempt history.
func (c *Client) Reminder(ctx context.Context, id string) (herald.Reminder, error) {
	var out herald.Reminder
	err := c.do(ctx, http.MethodGet, pathOf("v1", "reminders", id), nil, nil, &out)
	return out, err
}

// ReminderFilter narrows Reminders.
type ReminderFilter struct {
	Status    herald.ReminderStatus
	MeetingID string
	ListOptions
}

// Reminders lists the tenant's reminders.
func (c *Client) Reminders(ctx context.Context, f ReminderFilter) iter.Seq2[herald.Reminder, error] {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", string(f.Status))
	}
	if f.MeetingID != "" {
		q.Set("meeting_id", f.MeetingID)
	}
	return paginate[herald.Reminder](ctx, c, "/v1/reminders", q, f.ListOptions)
}

// AuditFilter narrows Audit.
type AuditFilter struct {
	EntityID string
	Action   herald.Action
	ListOptions
}

// Audit lists the tenant's audit actions, newest first.
func (c *Client) Audit(ctx context.Context, f AuditFilter) iter.Seq2[herald.AuditAction, error] {
	q := url.Values{}
	if f.EntityID != "" {
		q.Set("entity_id", f.EntityID)
	}
	if f.Action != "" {
		q.Set("action", string(f.Action))
	}
	return paginate[herald.AuditAction](ctx, c, "/v1/audit", q, f.ListOptions)
}

// Outbox lists the messages the outbox kept instead of sending them.
func (c *Client) Outbox(ctx context.Context, opts ListOptions) iter.Seq2[herald.OutboxMessage, error] {
	return paginate[herald.OutboxMessage](ctx, c, "/v1/outbox", nil, opts)
}
