package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"herald"
)

const reminderColumns = `id, tenant_id, meeting_id, rule, template, scheduled_at, status, reason, channel, provider,
	attempts, max_retries, next_retry_at, last_error, external_message_id, idempotency_key, delivery_status,
	sent_at, job_id, created_at, updated_at, rule_at`

func scanReminder(row interface{ Scan(...any) error }) (herald.Reminder, error) {
	var r herald.Reminder
	err := row.Scan(&r.ID, &r.TenantID, &r.MeetingID, &r.Rule, &r.Template, scanTime(&r.ScheduledAt), &r.Status,
		&r.Reason, &r.Channel, &r.Provider, &r.Attempts, &r.MaxRetries, scanNullTime(&r.NextRetryAt), &r.LastError,
		&r.ExternalMessageID, &r.IdempotencyKey, &r.DeliveryStatus, scanNullTime(&r.SentAt), &r.JobID,
		scanTime(&r.CreatedAt), scanTime(&r.UpdatedAt), scanTime(&r.RuleAt))
	if r.RuleAt.IsZero() {
		r.RuleAt = r.ScheduledAt // planned before rule_at was kept
	}
	return r, err
}

// insertReminders stores planned reminders, with one statement for each
// part of a fixed size.
func insertReminders(ctx context.Context, tx *sql.Tx, reminders []*herald.Reminder) error {
	for _, part := range inParts(reminders) {
		if err := insertReminderPart(ctx, tx, part); err != nil {
			return err
		}
	}
	return nil
}

// insertReminderPart inserts reminders in one statement.
func insertReminderPart(ctx context.Context, tx *sql.Tx, reminders []*herald.Reminder) error {
	var v valuesList
	for _, r := range reminders {
		v.row(nil, r.ID, r.TenantID, r.MeetingID, r.Rule, r.Template, ts(r.ScheduledAt), r.Status, r.Reason,
			r.Channel, r.Provider, r.Attempts, r.MaxRetries, tsPtr(r.NextRetryAt), r.LastError, r.ExternalMessageID,
			r.IdempotencyKey, r.DeliveryStatus, tsPtr(r.SentAt), r.JobID, ts(r.CreatedAt), ts(r.UpdatedAt), ruleAt(r))
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO reminders ("+reminderColumns+") VALUES "+v.b.String(), v.args...); err != nil {
		return fmt.Errorf("insert reminders: %w", err)
	}
	return nil
}

// remindersOfMeetings returns the reminders of the given meetings, keyed by
// meeting id, each list in scheduled order.
func remindersOfMeetings(ctx context.Context, q queryer, tenantID string, meetingIDs []string, lock string) (map[string][]herald.Reminder, error) {
	out := map[string][]herald.Reminder{}
	if len(meetingIDs) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, id := range meetingIDs {
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+reminderColumns+" FROM reminders WHERE tenant_id = $1 AND meeting_id IN ("+
		placeholders(2, len(meetingIDs))+") ORDER BY scheduled_at, created_at, id"+lock, args...)
	if err != nil {
		return nil, fmt.Errorf("load reminders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReminder(rows)
		if err != nil {
			return nil, fmt.Errorf("load reminders: %w", err)
		}
		out[r.MeetingID] = append(out[r.MeetingID], r)
	}
	return out, rows.Err()
}

// Reminder returns one reminder with its attempt history.
func (s *Store) Reminder(ctx context.Context, tenantID, id string) (herald.Reminder, error) {
	r, err := scanReminder(s.db.QueryRowContext(ctx, "SELECT "+reminderColumns+" FROM reminders WHERE tenant_id = $1 AND id = $2",
		tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Reminder{}, errNotFound("reminder")
	}
	if err != nil {
		return herald.Reminder{}, fmt.Errorf("load reminder: %w", err)
	}
	r.AttemptHistory, err = loadAttempts(ctx, s.db, tenantID, id)
	if err != nil {
		return herald.Reminder{}, err
	}
	return r, nil
}

// attemptColumns are the columns scanAttempt reads.
const attemptColumns = `id, reminder_id, number, channel, provider, reference, outcome, error,
	provider_message_id, calls, started_at, finished_at, recipient, sender`

func scanAttempt(row interface{ Scan(...any) error }) (herald.Attempt, error) {
	var a herald.Attempt
	var calls string
	if err := row.Scan(&a.ID, &a.ReminderID, &a.Number, &a.Channel, &a.Provider, &a.Reference, &a.Outcome, &a.Error,
		&a.ProviderMessageID, &calls, scanTime(&a.StartedAt), scanNullTime(&a.FinishedAt), &a.Recipient, &a.Sender); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(calls), &a.Calls); err != nil {
		return a, fmt.Errorf("calls of %s: %w", a.ID, err)
	}
	return a, nil
}

func loadAttempts(ctx context.Context, q queryer, tenantID, reminderID string) ([]herald.Attempt, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+attemptColumns+` FROM attempts
		WHERE tenant_id = $1 AND reminder_id = $2 ORDER BY number`, tenantID, reminderID)
	if err != nil {
		return nil, fmt.Errorf("load attempts: %w", err)
	}
	defer rows.Close()
	out := []herald.Attempt{}
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, fmt.Errorf("load attempts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ListReminders lists a tenant's reminders, oldest first.
func (s *Store) ListReminders(ctx context.Context, tenantID string, f herald.ReminderFilter) (herald.Page[herald.Reminder], error) {
	q := listQuery{}
	q.add("tenant_id = ?", tenantID)
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	if f.MeetingID != "" {
		q.add("meeting_id = ?", f.MeetingID)
	}
	return listPage(ctx, s.db, "reminders", "SELECT "+reminderColumns+" FROM reminders", q, f.Page,
		scanReminder,
		func(r herald.Reminder) (time.Time, string) { return r.CreatedAt, r.ID })
}

// reminderAudit is the audit action for a reminder's new state, when it
// is planned or cancelled.
func reminderAudit(r *herald.Reminder, action herald.Action, at time.Time) herald.AuditAction {
	return r.Audit(action, strings.TrimSpace(fmt.Sprintf("meeting %s rule %s at %s %s", r.MeetingID, r.Rule, ts(r.ScheduledAt), r.Reason)), at)
}

// ruleAt is the stored rule time of r: its scheduled time when not set.
func ruleAt(r *herald.Reminder) string {
	if r.RuleAt.IsZero() {
		return ts(r.ScheduledAt)
	}
	return ts(r.RuleAt)
}
