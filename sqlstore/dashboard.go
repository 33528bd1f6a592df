package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"herald"
)

// The dashboard's lists page through reminders by (scheduled_at, id), on
// the indexes of migration 0060, and fetch the meetings and leads of one
// page only: a page costs the same on a tenant with a million reminders
// as on one with ten.

// upcomingStatuses are the states of a reminder that may still go out.
var upcomingStatuses = []herald.ReminderStatus{herald.ReminderPending, herald.ReminderSending, herald.ReminderUnknown}

// UpcomingReminders lists the reminders still to go out before until,
// soonest first. Each status is read in order from its own index range
// and the three are merged, so no query sorts.
func (s *Store) UpcomingReminders(ctx context.Context, tenantID string, until time.Time, page herald.PageRequest) (herald.Page[herald.ReminderView], error) {
	c, err := decodeCursor(page.Cursor)
	if err != nil {
		return herald.Page[herald.ReminderView]{}, err
	}
	limit := pageLimit(page)
	var all []herald.Reminder
	for _, status := range upcomingStatuses {
		args := []any{tenantID, status, ts(until)}
		where := "tenant_id = $1 AND status = $2 AND scheduled_at < $3"
		if c != nil {
			args = append(args, ts(c.at), c.id)
			where += " AND (scheduled_at, id) > ($4, $5)"
		}
		rs, err := s.remindersPage(ctx, where, false, limit+1, args...)
		if err != nil {
			return herald.Page[herald.ReminderView]{}, fmt.Errorf("upcoming reminders: %w", err)
		}
		all = append(all, rs...)
	}
	slices.SortFunc(all, func(a, b herald.Reminder) int {
		return cmp.Or(a.ScheduledAt.Compare(b.ScheduledAt), strings.Compare(a.ID, b.ID))
	})
	all, next := nextCursor(all, limit, func(r herald.Reminder) (time.Time, string) { return r.ScheduledAt, r.ID })
	views, err := s.withMeetings(ctx, tenantID, all)
	return herald.Page[herald.ReminderView]{Items: views, NextCursor: next}, err
}

// maxSearchLeads bounds the leads a message-log search looks at: a search
// is meant to find one person, not to list a tenant.
const maxSearchLeads = 100

// MessageLog lists a tenant's reminders, latest scheduled first.
func (s *Store) MessageLog(ctx context.Context, tenantID string, f herald.MessageFilter) (herald.Page[herald.ReminderView], error) {
	c, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return herald.Page[herald.ReminderView]{}, err
	}
	search := strings.TrimSpace(f.Search)
	q := listQuery{}
	if search == "" {
		// A search reads the reminders of the tenant's meetings it found,
		// through the meeting index; they are checked to be the tenant's
		// below.
		q.add("tenant_id = ?", tenantID)
	}
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	if f.Channel != "" {
		q.add("channel = ?", f.Channel)
	}
	if f.Provider != "" {
		q.add("provider = ?", f.Provider)
	}
	if f.From != nil {
		q.add("scheduled_at >= ?", ts(*f.From))
	}
	if f.To != nil {
		q.add("scheduled_at < ?", ts(*f.To))
	}
	if search != "" {
		meetings, err := s.searchMeetings(ctx, tenantID, search)
		if err != nil {
			return herald.Page[herald.ReminderView]{}, err
		}
		if len(meetings) == 0 {
			return herald.Page[herald.ReminderView]{Items: []herald.ReminderView{}}, nil
		}
		first := len(q.args) + 1
		q.args = append(q.args, meetings...)
		q.where = append(q.where, "meeting_id IN ("+placeholders(first, len(meetings))+")")
	}
	if c != nil {
		q.args = append(q.args, ts(c.at), c.id)
		q.where = append(q.where, fmt.Sprintf("(scheduled_at, id) < ($%d, $%d)", len(q.args)-1, len(q.args)))
	}
	limit := pageLimit(f.Page)
	var rs []herald.Reminder
	if search == "" {
		rs, err = s.remindersPage(ctx, strings.Join(q.where, " AND "), true, limit+1, q.args...)
	} else {
		// The reminders of a few meetings, read through the meeting index
		// and sorted here: ordered by time, a database would rather walk
		// the tenant's whole time index looking for them.
		rs, err = s.queryReminders(ctx, fmt.Sprintf("SELECT %s FROM reminders WHERE %s", reminderColumns,
			strings.Join(q.where, " AND ")), q.args...)
	}
	if err != nil {
		return herald.Page[herald.ReminderView]{}, fmt.Errorf("message log: %w", err)
	}
	if search != "" {
		rs = slices.DeleteFunc(rs, func(r herald.Reminder) bool { return r.TenantID != tenantID })
		slices.SortFunc(rs, func(a, b herald.Reminder) int {
			return cmp.Or(b.ScheduledAt.Compare(a.ScheduledAt), strings.Compare(b.ID, a.ID))
		})
		rs = rs[:min(len(rs), limit+1)]
	}
	rs, next := nextCursor(rs, limit, func(r herald.Reminder) (time.Time, string) { return r.ScheduledAt, r.ID })
	views, err := s.withMeetings(ctx, tenantID, rs)
	return herald.Page[herald.ReminderView]{Items: views, NextCursor: next}, err
}

// maxSearchMeetings bounds the meetings whose reminders a search lists:
// the latest of the matching leads.
const maxSearchMeetings = 500

// searchMeetings returns the ids of the latest meetings of a tenant's
// leads whose name, phone or email contains text, case-insensitively.
func (s *Store) searchMeetings(ctx context.Context, tenantID, text string) ([]any, error) {
	pattern := "%" + escapeLike(strings.ToLower(text)) + "%"
	leads, err := s.ids(ctx, fmt.Sprintf(`SELECT id FROM leads WHERE tenant_id = $1
		AND (lower(name) LIKE $2 ESCAPE '\' OR phone LIKE $2 ESCAPE '\' OR lower(email) LIKE $2 ESCAPE '\') LIMIT %d`,
		maxSearchLeads), tenantID, pattern)
	if err != nil || len(leads) == 0 {
		return nil, err
	}
	// The leads are the tenant's, so their meetings are too: the query
	// names no tenant, which would tempt SQLite into the tenant's index.
	return s.ids(ctx, fmt.Sprintf("SELECT id FROM meetings WHERE lead_id IN (%s) ORDER BY starts_at DESC LIMIT %d",
		placeholders(1, len(leads)), maxSearchMeetings), leads...)
}

// ids runs a query of one text column.
func (s *Store) ids(ctx context.Context, query string, args ...any) ([]any, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// escapeLike makes text match itself in a LIKE pattern.
func escapeLike(text string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
}

// ReminderViews returns the tenant's reminders of the given ids.
func (s *Store) ReminderViews(ctx context.Context, tenantID string, ids []string) (map[string]herald.ReminderView, error) {
	out := map[string]herald.ReminderView{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, id := range ids {
		args = append(args, id)
	}
	rs, err := s.queryReminders(ctx, "SELECT "+reminderColumns+" FROM reminders WHERE tenant_id = $1 AND id IN ("+
		placeholders(2, len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("reminder views: %w", err)
	}
	views, err := s.withMeetings(ctx, tenantID, rs)
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		out[v.ID] = v
	}
	return out, nil
}

// remindersPage reads one page of reminders in two steps: the ids, in
// (scheduled_at, id) order, through an index that holds every column the
// condition and the order need, then the rows by primary key. Asked for
// whole rows at once, SQLite without statistics may prefer an index that
// leaves the status to be checked row by row, across the tenant.
func (s *Store) remindersPage(ctx context.Context, where string, desc bool, limit int, args ...any) ([]herald.Reminder, error) {
	order := "scheduled_at, id"
	if desc {
		order = "scheduled_at DESC, id DESC"
	}
	rs, err := s.queryReminders(ctx, fmt.Sprintf("SELECT %s FROM reminders WHERE id IN (SELECT id FROM reminders WHERE %s ORDER BY %s LIMIT %d)",
		reminderColumns, where, order, limit), args...)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rs, func(a, b herald.Reminder) int {
		c := cmp.Or(a.ScheduledAt.Compare(b.ScheduledAt), strings.Compare(a.ID, b.ID))
		if desc {
			return -c
		}
		return c
	})
	return rs, nil
}

func (s *Store) queryReminders(ctx context.Context, query string, args ...any) ([]herald.Reminder, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []herald.Reminder{}
	for rows.Next() {
		r, err := scanReminder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// withMeetings adds to one page of reminders their meetings and leads, in
// one query by primary key.
func (s *Store) withMeetings(ctx context.Context, tenantID string, rs []herald.Reminder) ([]herald.ReminderView, error) {
	views := make([]herald.ReminderView, len(rs))
	if len(rs) == 0 {
		return views, nil
	}
	args := []any{tenantID}
	seen := map[string]bool{}
	for _, r := range rs {
		if !seen[r.MeetingID] {
			seen[r.MeetingID] = true
			args = append(args, r.MeetingID)
		}
	}
	// By primary key alone: with the tenant in the WHERE clause SQLite may
	// walk the tenant's index instead. The tenant is checked on each row.
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.tenant_id, m.title, m.starts_at, m.status, m.timezone,
		l.id, l.name, l.phone, l.email, l.timezone, l.sms_opted_out
		FROM meetings m JOIN leads l ON l.id = m.lead_id
		WHERE m.id IN (`+placeholders(1, len(args)-1)+")", args[1:]...)
	if err != nil {
		return nil, fmt.Errorf("meetings of reminders: %w", err)
	}
	defer rows.Close()
	byMeeting := map[string]herald.ReminderView{}
	for rows.Next() {
		var id, owner string
		var v herald.ReminderView
		if err := rows.Scan(&id, &owner, &v.MeetingTitle, scanTime(&v.MeetingStartsAt), &v.MeetingStatus, &v.MeetingTimezone,
			&v.LeadID, &v.LeadName, &v.LeadPhone, &v.LeadEmail, &v.LeadTimezone, &v.LeadOptedOut); err != nil {
			return nil, fmt.Errorf("meetings of reminders: %w", err)
		}
		if owner == tenantID {
			byMeeting[id] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meetings of reminders: %w", err)
	}
	for i, r := range rs {
		views[i] = byMeeting[r.MeetingID]
		views[i].Reminder = r
	}
	return views, nil
}

// LeadMeetings lists a lead's meetings, latest start first, each with its
// reminders.
func (s *Store) LeadMeetings(ctx context.Context, tenantID, leadID string, page herald.PageRequest) (herald.Page[herald.Meeting], error) {
	c, err := decodeCursor(page.Cursor)
	if err != nil {
		return herald.Page[herald.Meeting]{}, err
	}
	args := []any{tenantID, leadID}
	where := "tenant_id = $1 AND lead_id = $2"
	if c != nil {
		args = append(args, ts(c.at), c.id)
		where += " AND (starts_at, id) < ($3, $4)"
	}
	limit := pageLimit(page)
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM meetings WHERE %s ORDER BY starts_at DESC, id DESC LIMIT %d",
		meetingColumns, where, limit+1), args...)
	if err != nil {
		return herald.Page[herald.Meeting]{}, fmt.Errorf("lead meetings: %w", err)
	}
	items := []herald.Meeting{}
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			rows.Close()
			return herald.Page[herald.Meeting]{}, fmt.Errorf("lead meetings: %w", err)
		}
		items = append(items, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return herald.Page[herald.Meeting]{}, fmt.Errorf("lead meetings: %w", err)
	}
	items, next := nextCursor(items, limit, func(m herald.Meeting) (time.Time, string) { return m.StartsAt, m.ID })
	ids := make([]string, len(items))
	for i, m := range items {
		ids[i] = m.ID
	}
	byMeeting := map[string][]herald.Reminder{}
	if len(ids) > 0 {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		// By meeting alone: naming the tenant as well lets SQLite walk the
		// tenant's reminders instead of the meeting index. The meetings are
		// the tenant's, and each row is checked.
		rs, err := s.queryReminders(ctx, "SELECT "+reminderColumns+" FROM reminders WHERE meeting_id IN ("+
			placeholders(1, len(ids))+")", args...)
		if err != nil {
			return herald.Page[herald.Meeting]{}, fmt.Errorf("lead meetings: %w", err)
		}
		slices.SortFunc(rs, func(a, b herald.Reminder) int {
			return cmp.Or(a.ScheduledAt.Compare(b.ScheduledAt), strings.Compare(a.ID, b.ID))
		})
		for _, r := range rs {
			if r.TenantID == tenantID {
				byMeeting[r.MeetingID] = append(byMeeting[r.MeetingID], r)
			}
		}
	}
	for i := range items {
		items[i].Reminders = nonNil(byMeeting[items[i].ID])
	}
	return herald.Page[herald.Meeting]{Items: items, NextCursor: next}, nil
}

// OutboxOfReminder returns the outbox messages of one reminder.
func (s *Store) OutboxOfReminder(ctx context.Context, tenantID, reminderID string) ([]herald.OutboxMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, tenant_id, reminder_id, reference, channel, recipient, subject, body,
		created_at FROM outbox WHERE reminder_id = $1 AND tenant_id = $2`, reminderID, tenantID)
	if err != nil {
		return nil, fmt.Errorf("outbox of reminder: %w", err)
	}
	defer rows.Close()
	out := []herald.OutboxMessage{}
	for rows.Next() {
		var m herald.OutboxMessage
		if err := rows.Scan(&m.ID, &m.TenantID, &m.ReminderID, &m.Reference, &m.Channel, &m.Recipient, &m.Subject,
			&m.Text, scanTime(&m.CreatedAt)); err != nil {
			return nil, fmt.Errorf("outbox of reminder: %w", err)
		}
		out = append(out, m)
	}
	// Sorted here: an ORDER BY would draw SQLite to the tenant's index.
	slices.SortFunc(out, func(a, b herald.OutboxMessage) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, rows.Err()
}

// maxEntityAudit bounds the audit actions a timeline shows per entity.
const maxEntityAudit = 500

// EntityAudit returns the audit actions of the given entities, oldest
// first: the newest maxEntityAudit per entity asked for, all entities
// together, since the pages show what happened lately (a lead's replies
// since its reminder went out). The entities' actions are read through
// the (tenant, entity) index into a MATERIALIZED table and sorted there:
// asked for an order straight away, SQLite would walk the tenant's whole
// audit trail by time instead.
func (s *Store) EntityAudit(ctx context.Context, tenantID string, entityIDs []string) ([]herald.AuditAction, error) {
	out := []herald.AuditAction{}
	if len(entityIDs) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, id := range entityIDs {
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`WITH entity_actions AS MATERIALIZED (
		SELECT id, tenant_id, action, entity_type, entity_id, channel, provider, outcome, detail, created_at
		FROM assistant_actions WHERE tenant_id = $1 AND entity_id IN (%s))
		SELECT id, tenant_id, action, entity_type, entity_id, channel, provider, outcome, detail, created_at
		FROM entity_actions ORDER BY created_at DESC, id DESC LIMIT %d`,
		placeholders(2, len(entityIDs)), maxEntityAudit*len(entityIDs)), args...)
	if err != nil {
		return nil, fmt.Errorf("entity audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a herald.AuditAction
		if err := rows.Scan(&a.ID, &a.TenantID, &a.Action, &a.EntityType, &a.EntityID, &a.Channel, &a.Provider,
			&a.Outcome, &a.Detail, scanTime(&a.At)); err != nil {
			return nil, fmt.Errorf("entity audit: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("entity audit: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// ListTenants lists every tenant with its number of API keys.
func (s *Store) ListTenants(ctx context.Context, page herald.PageRequest) (herald.Page[herald.TenantSummary], error) {
	q := listQuery{}
	q.where = append(q.where, "1 = 1")
	tail, args, limit, err := q.sql(page)
	if err != nil {
		return herald.Page[herald.TenantSummary]{}, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at,
		(SELECT COUNT(*) FROM api_keys k WHERE k.tenant_id = tenants.id), disabled_at FROM tenants`+tail, args...)
	if err != nil {
		return herald.Page[herald.TenantSummary]{}, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	items := []herald.TenantSummary{}
	for rows.Next() {
		var t herald.TenantSummary
		if err := rows.Scan(&t.ID, &t.Name, scanTime(&t.CreatedAt), &t.Keys, scanNullTime(&t.DisabledAt)); err != nil {
			return herald.Page[herald.TenantSummary]{}, fmt.Errorf("list tenants: %w", err)
		}
		items = append(items, t)
	}
	if err := rows.Err(); err != nil {
		return herald.Page[herald.TenantSummary]{}, fmt.Errorf("list tenants: %w", err)
	}
	items, next := nextCursor(items, limit, func(t herald.TenantSummary) (time.Time, string) { return t.CreatedAt, t.ID })
	return herald.Page[herald.TenantSummary]{Items: items, NextCursor: next}, nil
}

// RecentProviderErrors lists the latest failed attempts of all tenants.
func (s *Store) RecentProviderErrors(ctx context.Context, limit int) ([]herald.ProviderError, error) {
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT provider, tenant_id, error, started_at FROM attempts
		WHERE error <> '' ORDER BY started_at DESC LIMIT %d`, limit))
	if err != nil {
		return nil, fmt.Errorf("recent provider errors: %w", err)
	}
	defer rows.Close()
	out := []herald.ProviderError{}
	for rows.Next() {
		var e herald.ProviderError
		if err := rows.Scan(&e.Provider, &e.TenantID, &e.Error, scanTime(&e.At)); err != nil {
			return nil, fmt.Errorf("recent provider errors: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
