package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"herald"
)

// replanForZone places the pending reminders of a lead's upcoming meetings
// again after the lead's time zone changed: the send window is the lead's
// local day, so a reminder may now fall inside or outside it. A reminder
// that moves gets a new job at its new time; one the window now skips is
// skipped. The reminders keep their ids and idempotency keys.
func (s *Store) replanForZone(ctx context.Context, tx *sql.Tx, lead herald.Lead, now time.Time) error {
	settings, err := loadSettings(ctx, tx, lead.TenantID)
	if err != nil {
		return err
	}
	if settings.SendWindow == nil {
		return nil // without a window the zone moves nothing
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+meetingColumns+` FROM meetings WHERE tenant_id = $1 AND lead_id = $2
		AND status IN ($3, $4) AND starts_at > $5`, lead.TenantID, lead.ID, herald.MeetingScheduled,
		herald.MeetingConfirmed, ts(now))
	if err != nil {
		return fmt.Errorf("replan: load meetings: %w", err)
	}
	var meetings []herald.Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("replan: load meetings: %w", err)
		}
		meetings = append(meetings, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("replan: load meetings: %w", err)
	}
	ids := make([]string, len(meetings))
	for i, m := range meetings {
		ids[i] = m.ID
	}
	byMeeting, err := remindersOfMeetings(ctx, tx, lead.TenantID, ids, s.db.dialect.forUpdate)
	if err != nil {
		return err
	}
	var audit []herald.AuditAction
	var events []herald.Event
	for _, m := range meetings {
		rs := byMeeting[m.ID]
		before := make([]herald.Reminder, len(rs))
		copy(before, rs)
		for i := range rs {
			if rs[i].Status == herald.ReminderPending {
				rs[i].ScheduledAt = rs[i].RuleAt // placed from the rule's time anew
			}
		}
		herald.PlaceInWindow(rs, m.StartsAt, herald.PlanInput{Rules: settings.ReminderRules, Window: settings.SendWindow,
			Zone: herald.ReminderZone(lead.Timezone, m.Timezone, settings.Timezone), Now: now})
		for i := range rs {
			r, old := &rs[i], &before[i]
			if old.Status != herald.ReminderPending || (r.Status == old.Status && r.ScheduledAt.Equal(old.ScheduledAt)) {
				continue
			}
			if old.JobID != 0 {
				if err := s.jobs.UnscheduleReminder(ctx, tx, old.JobID); err != nil {
					return fmt.Errorf("replan reminder %s: %w", r.ID, err)
				}
			}
			r.JobID = 0
			action, detail := herald.ActionReminderReplanned, "moved from "+ts(old.ScheduledAt)+" to "+ts(r.ScheduledAt)+" after the lead's time zone changed"
			if r.Status == herald.ReminderPending {
				if err := s.jobs.ScheduleReminders(ctx, tx, []*herald.Reminder{r}); err != nil {
					return fmt.Errorf("replan reminder %s: %w", r.ID, err)
				}
			} else {
				action, detail = herald.ActionReminderSkipped, string(r.Reason)
			}
			r.UpdatedAt = now
			if _, err := tx.ExecContext(ctx, `UPDATE reminders SET scheduled_at = $1, status = $2, reason = $3, job_id = $4,
				updated_at = $5 WHERE tenant_id = $6 AND id = $7`, ts(r.ScheduledAt), r.Status, r.Reason, r.JobID, ts(now),
				r.TenantID, r.ID); err != nil {
				return fmt.Errorf("replan reminder %s: %w", r.ID, err)
			}
			a := reminderAudit(r, action, now)
			a.Detail = detail
			audit = append(audit, a)
			if r.Status == herald.ReminderSkipped {
				events = append(events, herald.NewEvent(r.TenantID, herald.EventReminderSkipped, r.ID, *r, now))
			}
		}
	}
	if err := writeAudit(ctx, tx, audit...); err != nil {
		return err
	}
	return s.writeEvents(ctx, tx, events...)
}
