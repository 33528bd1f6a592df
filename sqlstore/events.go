package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"herald"
)

// EventScheduler plans the jobs that deliver events to webhook endpoints,
// inside the transaction that writes the events, so an event and its
// deliveries commit or roll back together.
type EventScheduler interface {
	// ScheduleEventDeliveries inserts one job per delivery, due at once,
	// and sets each delivery's JobID.
	ScheduleEventDeliveries(ctx context.Context, tx *sql.Tx, deliveries []*herald.EventDelivery) error
}

// writeEvents stores events in the caller's transaction, in their order,
// and plans their deliveries to the enabled endpoints of their tenants
// that take their types. Without an EventScheduler the events are kept
// but not delivered.
func (s *Store) writeEvents(ctx context.Context, tx *sql.Tx, events ...herald.Event) error {
	if len(events) == 0 {
		return nil
	}
	tenants := map[string]bool{}
	for _, part := range inParts(events) {
		var v valuesList
		for _, e := range part {
			v.row(nil, e.ID, e.TenantID, string(e.Type), e.ObjectID, string(e.Data), ts(e.CreatedAt))
			tenants[e.TenantID] = true
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (id, tenant_id, type, object_id, data, created_at)
		VALUES `+v.b.String(), v.args...); err != nil {
			return fmt.Errorf("write events: %w", err)
		}
	}
	if s.events == nil {
		return nil
	}
	ids := make([]any, 0, len(tenants))
	for id := range tenants {
		ids = append(ids, id)
	}
	endpoints, err := enabledEndpoints(ctx, tx, ids)
	if err != nil || len(endpoints) == 0 {
		return err
	}
	var deliveries []*herald.EventDelivery
	for _, e := range events {
		for _, ep := range endpoints[e.TenantID] {
			if ep.Wants(e.Type) {
				deliveries = append(deliveries, &herald.EventDelivery{ID: herald.NewID("dlv_"), TenantID: e.TenantID,
					EventID: e.ID, EndpointID: ep.ID, Status: herald.EventDeliveryPending, CreatedAt: e.CreatedAt,
					UpdatedAt: e.CreatedAt})
			}
		}
	}
	return s.startDeliveries(ctx, tx, deliveries)
}

// startDeliveries plans the jobs of new deliveries and stores them.
func (s *Store) startDeliveries(ctx context.Context, tx *sql.Tx, deliveries []*herald.EventDelivery) error {
	if len(deliveries) == 0 || s.events == nil {
		return nil
	}
	if err := s.events.ScheduleEventDeliveries(ctx, tx, deliveries); err != nil {
		return fmt.Errorf("schedule event deliveries: %w", err)
	}
	var v valuesList
	for _, d := range deliveries {
		v.row(nil, d.ID, d.TenantID, d.EventID, d.EndpointID, d.Status, d.JobID, ts(d.CreatedAt), ts(d.UpdatedAt))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO event_deliveries (id, tenant_id, event_id, endpoint_id, status,
		job_id, created_at, updated_at) VALUES `+v.b.String(), v.args...); err != nil {
		return fmt.Errorf("store event deliveries: %w", err)
	}
	return nil
}

// enabledEndpoints returns the enabled endpoints of the tenants, by tenant.
func enabledEndpoints(ctx context.Context, q queryer, tenantIDs []any) (map[string][]herald.WebhookEndpoint, error) {
	tenantIDs = padded(tenantIDs)
	rows, err := q.QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE tenant_id IN (`+placeholders(1, len(tenantIDs))+`) AND disabled_at IS NULL`, tenantIDs...)
	if err != nil {
		return nil, fmt.Errorf("load webhook endpoints: %w", err)
	}
	defer rows.Close()
	out := map[string][]herald.WebhookEndpoint{}
	for rows.Next() {
		ep, err := scanEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("load webhook endpoints: %w", err)
		}
		out[ep.TenantID] = append(out[ep.TenantID], ep)
	}
	return out, rows.Err()
}

const endpointColumns = `id, tenant_id, url, description, event_types, secret, previous_secret, previous_secret_until,
	disabled_at, disabled_reason, created_at, updated_at`

func scanEndpoint(row interface{ Scan(...any) error }) (herald.WebhookEndpoint, error) {
	var ep herald.WebhookEndpoint
	var types string
	err := row.Scan(&ep.ID, &ep.TenantID, &ep.URL, &ep.Description, &types, &ep.Secret, &ep.PreviousSecret,
		scanNullTime(&ep.PreviousSecretUntil), scanNullTime(&ep.DisabledAt), &ep.DisabledReason,
		scanTime(&ep.CreatedAt), scanTime(&ep.UpdatedAt))
	if err != nil {
		return ep, err
	}
	ep.Events = []herald.EventType{}
	if types != "" {
		if err := json.Unmarshal([]byte(types), &ep.Events); err != nil {
			return ep, fmt.Errorf("endpoint %s event types: %w", ep.ID, err)
		}
	}
	return ep, nil
}

// The events of the changes the store makes. Each takes the object as the
// API shows it after the change.

// meetingEvents reports a meeting booked or moved, and the reminders its
// planning skipped as too late.
func meetingEvents(typ herald.EventType, m herald.Meeting, at time.Time) []herald.Event {
	out := []herald.Event{herald.NewEvent(m.TenantID, typ, m.ID, m, at)}
	for _, r := range m.Reminders {
		if r.Status == herald.ReminderSkipped && r.CreatedAt.Equal(at) {
			out = append(out, herald.NewEvent(r.TenantID, herald.EventReminderSkipped, r.ID, r, at))
		}
	}
	return out
}

// reminderEvents reports what a delivery decision changed in a reminder:
// its status, then its delivery status.
func reminderEvents(before, after *herald.Reminder, at time.Time) []herald.Event {
	var out []herald.Event
	if after.Status != before.Status {
		var typ herald.EventType
		switch after.Status {
		case herald.ReminderSent:
			typ = herald.EventReminderSent
		case herald.ReminderFailed:
			typ = herald.EventReminderFailed
		case herald.ReminderUnknown:
			typ = herald.EventReminderUnknown
		case herald.ReminderSkipped:
			typ = herald.EventReminderSkipped
		case herald.ReminderExpired:
			typ = herald.EventReminderExpired
		}
		if typ != "" {
			out = append(out, herald.NewEvent(after.TenantID, typ, after.ID, after, at))
		}
	}
	if after.DeliveryStatus != before.DeliveryStatus {
		var typ herald.EventType
		switch after.DeliveryStatus {
		case herald.DeliveryDelivered:
			typ = herald.EventReminderDelivered
		case herald.DeliveryUndelivered, herald.DeliveryFailed:
			typ = herald.EventReminderUndelivered
		}
		if typ != "" {
			out = append(out, herald.NewEvent(after.TenantID, typ, after.ID, after, at))
		}
	}
	return out
}
