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
// transaction, which it may share with bookings made at the same moment
// (see bookingGatherer): it returns once that transaction committed.
func (s *Store) BookMeeting(ctx context.Context, tenantID string, in herald.BookMeetingInput, idem herald.Idempotency) (herald.Meeting, bool, error) {
	var (
		out      herald.Meeting
		replayed bool
	)
	claim, _ := herald.IdempotencyClaimFrom(ctx)
	if idem.Key == "" && claim.Owner == "" {
		var m herald.Meeting
		if err := s.bookings.bookPlain(ctx, tenantID, in, &m); err != nil {
			return herald.Meeting{}, false, fmt.Errorf("book meeting: %w", err)
		}
		return m, false, nil
	}
	err := s.bookings.book(ctx, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		out, replayed = herald.Meeting{}, false
		id := herald.NewID("mtg_")
		if idem.Key != "" {
			firstID, err := claimIdempotencyKey(ctx, tx, tenantID, idem, id, now)
			if err != nil {
				return err
			}
			if firstID != "" {
				replayed = true
				if out, err = s.loadMeeting(ctx, tx, tenantID, firstID, ""); err != nil {
					return err
				}
				return markClaimApplied(ctx, tx, claim)
			}
		}
		var err error
		if out, err = s.bookMeetingTx(ctx, tx, tenantID, id, in, now); err != nil {
			return err
		}
		return markClaimApplied(ctx, tx, claim)
	})
	if err != nil {
		return herald.Meeting{}, false, fmt.Errorf("book meeting: %w", err)
	}
	return out, replayed, nil
}

// bookMeetingTx books the meeting id in tx: it checks the lead, writes the
// meeting, plans its reminders and jobs, and writes its audit and events.
func (s *Store) bookMeetingTx(ctx context.Context, tx *sql.Tx, tenantID, id string, in herald.BookMeetingInput, now time.Time) (herald.Meeting, error) {
	lead := bookingLead{tenantID: tenantID, leadID: in.LeadID}
	rules, err := readLeadRules(ctx, tx, []bookingLead{lead})
	if err != nil {
		return herald.Meeting{}, err
	}
	r, ok := rules[lead]
	if !ok {
		return herald.Meeting{}, unknownLead(in.LeadID)
	}
	m := newBooking(tenantID, id, in, now)
	if err := s.writeBookings(ctx, tx, []*herald.Meeting{&m}, []leadRules{r}, now); err != nil {
		return herald.Meeting{}, err
	}
	return m, nil
}

// unknownLead is the error of a booking whose lead does not exist in its
// tenant.
func unknownLead(leadID string) error {
	return herald.FieldErrorf(herald.ECodeUnknownLead, "lead_id", "lead %q does not exist", leadID)
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
	var p reminderPlan
	planned := s.plan(&p, m, settings, leadZone, now, extra...)
	if err := s.writePlan(ctx, tx, &p); err != nil {
		return nil, err
	}
	return planned, nil
}

// reminderPlan gathers planned reminders, of one meeting or many, to be
// written together.
type reminderPlan struct {
	pending, all []*herald.Reminder
	audit        []herald.AuditAction
}

// plan plans m's reminders into p, with their audit actions after extra,
// and returns them; p points into the returned slice, so writePlan sets
// their job ids there.
func (s *Store) plan(p *reminderPlan, m *herald.Meeting, settings herald.Settings, leadZone string, now time.Time, extra ...herald.AuditAction) []herald.Reminder {
	planned := herald.PlanReminders(m, settings.ReminderRules, now, s.maxRetries)
	herald.PlaceInWindow(planned, m.StartsAt, herald.PlanInput{Rules: settings.ReminderRules, Window: settings.SendWindow,
		Zone: herald.ReminderZone(leadZone, m.Timezone, settings.Timezone), Now: now})
	p.audit = append(p.audit, extra...)
	for i := range planned {
		r := &planned[i]
		p.all = append(p.all, r)
		action := herald.ActionReminderPlanned
		if r.Status == herald.ReminderPending {
			p.pending = append(p.pending, r)
		} else {
			action = herald.ActionReminderSkipped
		}
		p.audit = append(p.audit, reminderAudit(r, action, now))
	}
	return planned
}

// writePlan schedules the jobs of p's pending reminders, then writes the
// reminders and the audit actions.
func (s *Store) writePlan(ctx context.Context, tx *sql.Tx, p *reminderPlan) error {
	if err := s.jobs.ScheduleReminders(ctx, tx, p.pending); err != nil {
		return fmt.Errorf("schedule reminders: %w", err)
	}
	if err := insertReminders(ctx, tx, p.all); err != nil {
		return err
	}
	return writeAudit(ctx, tx, p.audit...)
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
