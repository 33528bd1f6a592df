package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"herald"
)

const meetingColumns = `id, tenant_id, lead_id, title, starts_at, timezone, join_link, status, source, sequence,
	confirmed_at, cancelled_at, created_at, updated_at`

func scanMeeting(row interface{ Scan(...any) error }) (herald.Meeting, error) {
	var m herald.Meeting
	err := row.Scan(&m.ID, &m.TenantID, &m.LeadID, &m.Title, scanTime(&m.StartsAt), &m.Timezone, &m.JoinLink, &m.Status,
		&m.Source, &m.Sequence, scanNullTime(&m.ConfirmedAt), scanNullTime(&m.CancelledAt), scanTime(&m.CreatedAt),
		scanTime(&m.UpdatedAt))
	return m, err
}

// BookMeeting books a meeting and plans its reminders and their jobs in one
// transaction.
func (s *Store) BookMeeting(ctx context.Context, tenantID string, in herald.BookMeetingInput, idem herald.Idempotency) (herald.Meeting, bool, error) {
	var (
		out      herald.Meeting
		replayed bool
	)
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		id := herald.NewID("mtg_")
		if idem.Key != "" {
			firstID, err := claimIdempotencyKey(ctx, tx, tenantID, idem, id, now)
			if err != nil {
				return err
			}
			if firstID != "" {
				replayed = true
				out, err = s.loadMeeting(ctx, tx, tenantID, firstID, "")
				return err
			}
		}
		var err error
		out, err = s.bookMeetingTx(ctx, tx, tenantID, id, in, now)
		return err
	})
	if err != nil {
		return herald.Meeting{}, false, fmt.Errorf("book meeting: %w", err)
	}
	return out, replayed, nil
}

// bookMeetingTx books the meeting id in tx: it checks the lead, writes the
// meeting, plans its reminders and jobs, and writes its audit and events.
func (s *Store) bookMeetingTx(ctx context.Context, tx *sql.Tx, tenantID, id string, in herald.BookMeetingInput, now time.Time) (herald.Meeting, error) {
	m := herald.Meeting{ID: id, TenantID: tenantID, LeadID: in.LeadID, Title: in.Title,
		StartsAt: in.StartsAt.UTC(), Timezone: in.Timezone, JoinLink: in.JoinLink, Status: herald.MeetingScheduled,
		Source: in.Source, CreatedAt: now, UpdatedAt: now}
	// One query checks the lead and reads the rules: booking is the
	// API's hottest path.
	var raw, leadZone string
	err := tx.QueryRowContext(ctx, `SELECT t.settings, l.timezone FROM leads l JOIN tenants t ON t.id = l.tenant_id
		WHERE l.tenant_id = $1 AND l.id = $2`, tenantID, in.LeadID).Scan(&raw, &leadZone)
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Meeting{}, herald.FieldErrorf(herald.ECodeUnknownLead, "lead_id", "lead %q does not exist", in.LeadID)
	}
	if err != nil {
		return herald.Meeting{}, err
	}
	settings, err := decodeSettings(raw)
	if err != nil {
		return herald.Meeting{}, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meetings ("+meetingColumns+") VALUES ("+placeholders(1, 14)+")",
		m.ID, m.TenantID, m.LeadID, m.Title, ts(m.StartsAt), m.Timezone, m.JoinLink, m.Status, m.Source, m.Sequence,
		nil, nil, ts(now), ts(now)); err != nil {
		return herald.Meeting{}, err
	}
	m.Reminders, err = s.planReminders(ctx, tx, &m, settings, leadZone, now,
		herald.AuditAction{TenantID: tenantID, Action: herald.ActionMeetingBooked, EntityType: herald.EntityMeeting,
			EntityID: m.ID, Outcome: m.Status, Detail: "starts " + ts(m.StartsAt) + " source " + m.Source, At: now})
	if err != nil {
		return herald.Meeting{}, err
	}
	return m, s.writeEvents(ctx, tx, meetingEvents(herald.EventMeetingBooked, m, now)...)
}

// claimIdempotencyKey records key for meetingID. When the key is already
// taken it returns the first meeting's id, or an error if the first request
// differed. On PostgreSQL a concurrent request with the same key waits on
// the unique index until the first commits, so it answers the same.
func claimIdempotencyKey(ctx context.Context, tx *sql.Tx, tenantID string, idem herald.Idempotency, meetingID string, now time.Time) (string, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, key, request_hash, meeting_id, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, key) DO NOTHING`,
		tenantID, idem.Key, idem.RequestHash, meetingID, ts(now))
	if err != nil {
		return "", fmt.Errorf("idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return "", nil
	}
	var hash, firstID string
	if err := tx.QueryRowContext(ctx, "SELECT request_hash, meeting_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
		tenantID, idem.Key).Scan(&hash, &firstID); err != nil {
		return "", fmt.Errorf("idempotency key: %w", err)
	}
	if hash != idem.RequestHash {
		return "", herald.Errorf(herald.ECodeIdemMismatch,
			"Idempotency-Key %q was already used with a different request body", idem.Key)
	}
	return firstID, nil
}

// planReminders plans one reminder per rule for m, schedules the jobs of the
// pending ones, and writes them with their audit actions (plus extra).
// The send window of settings places them in the lead's local day
// (leadZone, else the meeting's zone, else the tenant's).
func (s *Store) planReminders(ctx context.Context, tx *sql.Tx, m *herald.Meeting, settings herald.Settings, leadZone string, now time.Time, extra ...herald.AuditAction) ([]herald.Reminder, error) {
	planned := herald.PlanReminders(m, settings.ReminderRules, now, s.maxRetries)
	herald.PlaceInWindow(planned, m.StartsAt, herald.PlanInput{Rules: settings.ReminderRules, Window: settings.SendWindow,
		Zone: herald.ReminderZone(leadZone, m.Timezone, settings.Timezone), Now: now})
	pending := make([]*herald.Reminder, 0, len(planned))
	audit := append(make([]herald.AuditAction, 0, len(planned)+len(extra)), extra...)
	all := make([]*herald.Reminder, len(planned))
	for i := range planned {
		r := &planned[i]
		all[i] = r
		action := herald.ActionReminderPlanned
		if r.Status == herald.ReminderPending {
			pending = append(pending, r)
		} else {
			action = herald.ActionReminderSkipped
		}
		audit = append(audit, reminderAudit(r, action, now))
	}
	if err := s.jobs.ScheduleReminders(ctx, tx, pending); err != nil {
		return nil, fmt.Errorf("schedule reminders: %w", err)
	}
	if err := insertReminders(ctx, tx, all); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, audit...); err != nil {
		return nil, err
	}
	return planned, nil
}

// Meeting returns one meeting with its reminders.
func (s *Store) Meeting(ctx context.Context, tenantID, id string) (herald.Meeting, error) {
	return s.loadMeeting(ctx, s.db, tenantID, id, "")
}

func (s *Store) loadMeeting(ctx context.Context, q queryer, tenantID, id, lock string) (herald.Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, "SELECT "+meetingColumns+" FROM meetings WHERE tenant_id = $1 AND id = $2"+lock,
		tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Meeting{}, errNotFound("meeting")
	}
	if err != nil {
		return herald.Meeting{}, fmt.Errorf("load meeting: %w", err)
	}
	byMeeting, err := remindersOfMeetings(ctx, q, tenantID, []string{id}, lock)
	if err != nil {
		return herald.Meeting{}, err
	}
	m.Reminders = nonNil(byMeeting[id])
	return m, nil
}

func nonNil(r []herald.Reminder) []herald.Reminder {
	if r == nil {
		return []herald.Reminder{}
	}
	return r
}
