package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"herald"
)

// UpdateMeeting changes a meeting. A new start time cancels every pending
// reminder (reason rescheduled), removes its job, and plans the rules anew
// for the new time; reminders already sent or in flight stay as they were.
func (s *Store) UpdateMeeting(ctx context.Context, tenantID, id string, patch herald.MeetingPatch) (herald.Meeting, error) {
	var out herald.Meeting
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		m, err := s.loadMeeting(ctx, tx, tenantID, id, s.db.dialect.forUpdate)
		if err != nil {
			return err
		}
		if !m.Active() {
			return herald.Errorf(herald.ECodeConflict, "meeting %s is %s and cannot be changed", id, m.Status)
		}
		now := s.now()
		if patch.Title != nil {
			m.Title = *patch.Title
		}
		if patch.JoinLink != nil {
			m.JoinLink = *patch.JoinLink
		}
		moved := patch.StartsAt != nil && !patch.StartsAt.Equal(m.StartsAt)
		action, detail := herald.ActionMeetingUpdated, "title or join link changed"
		if moved {
			detail = "moved from " + ts(m.StartsAt) + " to " + ts(*patch.StartsAt)
			action = herald.ActionMeetingMoved
			m.StartsAt = patch.StartsAt.UTC()
			m.Sequence++
		}
		m.UpdatedAt = now
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET title = $1, join_link = $2, starts_at = $3, sequence = $4,
			updated_at = $5 WHERE tenant_id = $6 AND id = $7`,
			m.Title, m.JoinLink, ts(m.StartsAt), m.Sequence, ts(now), tenantID, id); err != nil {
			return err
		}
		audit := herald.AuditAction{TenantID: tenantID, Action: action, EntityType: herald.EntityMeeting, EntityID: id,
			Outcome: m.Status, Detail: detail, At: now}
		if !moved {
			if err := writeAudit(ctx, tx, audit); err != nil {
				return err
			}
			out = m
			return nil
		}
		if err := s.cancelPending(ctx, tx, m.Reminders, herald.ReasonRescheduled, now); err != nil {
			return err
		}
		settings, err := loadSettings(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		var leadZone string
		if err := tx.QueryRowContext(ctx, "SELECT timezone FROM leads WHERE tenant_id = $1 AND id = $2",
			tenantID, m.LeadID).Scan(&leadZone); err != nil {
			return fmt.Errorf("load lead zone: %w", err)
		}
		if _, err := s.planReminders(ctx, tx, &m, settings, leadZone, now, audit); err != nil {
			return err
		}
		if out, err = s.loadMeeting(ctx, tx, tenantID, id, ""); err != nil {
			return err
		}
		return s.writeEvents(ctx, tx, meetingEvents(herald.EventMeetingRescheduled, out, now)...)
	})
	if err != nil {
		return herald.Meeting{}, fmt.Errorf("update meeting: %w", err)
	}
	return out, nil
}

// CancelMeeting cancels a meeting and its pending reminders. Cancelling a
// cancelled meeting changes nothing and answers the meeting as it is.
func (s *Store) CancelMeeting(ctx context.Context, tenantID, id string) (herald.Meeting, error) {
	var out herald.Meeting
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		m, err := s.loadMeeting(ctx, tx, tenantID, id, s.db.dialect.forUpdate)
		if err != nil {
			return err
		}
		if m.Status == herald.MeetingCancelled {
			out = m
			return nil
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET status = $1, cancelled_at = $2, updated_at = $2
			WHERE tenant_id = $3 AND id = $4`, herald.MeetingCancelled, ts(now), tenantID, id); err != nil {
			return err
		}
		if err := s.cancelPending(ctx, tx, m.Reminders, herald.ReasonCancelled, now); err != nil {
			return err
		}
		if err := writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionMeetingCancelled,
			EntityType: herald.EntityMeeting, EntityID: id, Outcome: herald.MeetingCancelled, At: now}); err != nil {
			return err
		}
		if out, err = s.loadMeeting(ctx, tx, tenantID, id, ""); err != nil {
			return err
		}
		return s.writeEvents(ctx, tx, herald.NewEvent(tenantID, herald.EventMeetingCancelled, id, out, now))
	})
	if err != nil {
		return herald.Meeting{}, fmt.Errorf("cancel meeting: %w", err)
	}
	return out, nil
}

// cancelPending cancels the pending reminders among rs and removes their
// jobs, so no old reminder can go out.
func (s *Store) cancelPending(ctx context.Context, tx *sql.Tx, rs []herald.Reminder, reason herald.Reason, now time.Time) error {
	var audit []herald.AuditAction
	for i := range rs {
		r := &rs[i]
		if r.Status != herald.ReminderPending {
			continue
		}
		if r.JobID != 0 {
			if err := s.jobs.UnscheduleReminder(ctx, tx, r.JobID); err != nil {
				return fmt.Errorf("unschedule reminder %s: %w", r.ID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reminders SET status = $1, reason = $2, job_id = 0, updated_at = $3
			WHERE id = $4`, herald.ReminderCancelled, reason, ts(now), r.ID); err != nil {
			return fmt.Errorf("cancel reminder %s: %w", r.ID, err)
		}
		r.Status, r.Reason, r.JobID = herald.ReminderCancelled, reason, 0
		audit = append(audit, reminderAudit(r, herald.ActionReminderCancelled, now))
	}
	return writeAudit(ctx, tx, audit...)
}

// ListMeetings lists a tenant's meetings, oldest booking first, each with
// its reminders.
func (s *Store) ListMeetings(ctx context.Context, tenantID string, f herald.MeetingFilter) (herald.Page[herald.Meeting], error) {
	q := listQuery{}
	q.add("tenant_id = ?", tenantID)
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	if f.From != nil {
		q.add("starts_at >= ?", ts(*f.From))
	}
	if f.To != nil {
		q.add("starts_at < ?", ts(*f.To))
	}
	page, err := listPage(ctx, s.db, "meetings", "SELECT "+meetingColumns+" FROM meetings", q, f.Page, scanMeeting,
		func(m herald.Meeting) (time.Time, string) { return m.CreatedAt, m.ID })
	if err != nil {
		return herald.Page[herald.Meeting]{}, err
	}
	items := page.Items
	ids := make([]string, len(items))
	for i, m := range items {
		ids[i] = m.ID
	}
	byMeeting, err := remindersOfMeetings(ctx, s.db, tenantID, ids, "")
	if err != nil {
		return herald.Page[herald.Meeting]{}, err
	}
	for i := range items {
		items[i].Reminders = nonNil(byMeeting[items[i].ID])
	}
	return page, nil
}
