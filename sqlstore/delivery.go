package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"herald"
)

// UpdateDelivery loads a reminder with its meeting, lead, settings,
// attempts and the tenant's versions of its template, locking the reminder
// row, lets decide change them, and saves the changes in the same
// transaction. Two workers can never both move the same reminder out of
// pending: the second waits for the lock and then sees the first one's
// status.
func (s *Store) UpdateDelivery(ctx context.Context, tenantID, reminderID string, decide func(*herald.DeliveryState) error) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		st, err := s.loadDelivery(ctx, tx, tenantID, reminderID)
		if err != nil {
			return err
		}
		before := st.Reminder
		if err := decide(st); err != nil {
			return err
		}
		return s.saveDelivery(ctx, tx, st, before)
	})
	if err != nil {
		return fmt.Errorf("update delivery of %s: %w", reminderID, err)
	}
	return nil
}

func (s *Store) loadDelivery(ctx context.Context, tx *sql.Tx, tenantID, reminderID string) (*herald.DeliveryState, error) {
	st := &herald.DeliveryState{}
	r, err := scanReminder(tx.QueryRowContext(ctx, "SELECT "+reminderColumns+
		" FROM reminders WHERE tenant_id = $1 AND id = $2"+s.db.dialect.forUpdate, tenantID, reminderID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound("reminder")
	}
	if err != nil {
		return nil, fmt.Errorf("load reminder: %w", err)
	}
	st.Reminder = r
	if st.Meeting, err = s.loadMeeting(ctx, tx, tenantID, r.MeetingID, ""); err != nil {
		return nil, err
	}
	if st.Lead, err = loadLead(ctx, tx, tenantID, st.Meeting.LeadID, ""); err != nil {
		return nil, err
	}
	var raw string
	if err := tx.QueryRowContext(ctx, "SELECT id, name, created_at, settings FROM tenants WHERE id = $1", tenantID).
		Scan(&st.Tenant.ID, &st.Tenant.Name, scanTime(&st.Tenant.CreatedAt), &raw); err != nil {
		return nil, fmt.Errorf("load tenant: %w", err)
	}
	if st.Settings, err = decodeSettings(raw); err != nil {
		return nil, err
	}
	if st.Attempts, err = loadAttempts(ctx, tx, tenantID, reminderID); err != nil {
		return nil, err
	}
	if st.TemplateOverrides, err = loadTemplateOverrides(ctx, tx, tenantID, r.Template); err != nil {
		return nil, fmt.Errorf("load templates: %w", err)
	}
	return st, nil
}

func (s *Store) saveDelivery(ctx context.Context, tx *sql.Tx, st *herald.DeliveryState, before herald.Reminder) error {
	r := &st.Reminder
	if changed(*r, before) {
		r.UpdatedAt = s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE reminders SET status = $1, reason = $2, channel = $3, provider = $4,
			attempts = $5, next_retry_at = $6, last_error = $7, external_message_id = $8, delivery_status = $9,
			sent_at = $10, job_id = $11, updated_at = $12 WHERE tenant_id = $13 AND id = $14`,
			r.Status, r.Reason, r.Channel, r.Provider, r.Attempts, tsPtr(r.NextRetryAt), r.LastError,
			r.ExternalMessageID, r.DeliveryStatus, tsPtr(r.SentAt), r.JobID, ts(r.UpdatedAt), r.TenantID, r.ID); err != nil {
			return fmt.Errorf("save reminder: %w", err)
		}
	}
	if a := st.NewAttempt; a != nil {
		calls, _ := json.Marshal(nonNilCalls(a.Calls))
		if _, err := tx.ExecContext(ctx, `INSERT INTO attempts (id, tenant_id, reminder_id, number, channel, provider,
			reference, outcome, error, provider_message_id, calls, started_at, finished_at, recipient, sender)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			a.ID, r.TenantID, r.ID, a.Number, a.Channel, a.Provider, a.Reference, a.Outcome, a.Error,
			a.ProviderMessageID, string(calls), ts(a.StartedAt), tsPtr(a.FinishedAt), a.Recipient, a.Sender); err != nil {
			return fmt.Errorf("insert attempt: %w", err)
		}
	}
	if a := st.FinishedAttempt; a != nil {
		calls, _ := json.Marshal(nonNilCalls(a.Calls))
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET channel = $1, provider = $2, outcome = $3, error = $4,
			provider_message_id = $5, calls = $6, finished_at = $7, sender = $8 WHERE tenant_id = $9 AND id = $10`,
			a.Channel, a.Provider, a.Outcome, a.Error, a.ProviderMessageID, string(calls), tsPtr(a.FinishedAt),
			a.Sender, r.TenantID, a.ID); err != nil {
			return fmt.Errorf("finish attempt: %w", err)
		}
	}
	if st.OptOutLead && !st.Lead.SMSOptedOut {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE leads SET sms_opted_out = $1, sms_opted_out_at = $2, updated_at = $2
			WHERE tenant_id = $3 AND id = $4`, true, ts(now), r.TenantID, st.Lead.ID); err != nil {
			return fmt.Errorf("opt out lead: %w", err)
		}
	}
	return writeAudit(ctx, tx, st.Audit...)
}

func nonNilCalls(c []herald.ProviderCall) []herald.ProviderCall {
	if c == nil {
		return []herald.ProviderCall{}
	}
	return c
}

// changed reports whether the worker changed a reminder's stored fields.
func changed(a, b herald.Reminder) bool {
	a.AttemptHistory, b.AttemptHistory = nil, nil
	return !reflect.DeepEqual(a, b)
}
