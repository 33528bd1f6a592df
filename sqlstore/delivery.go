package sqlstore

import (
	"context"
	"database/sql"
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
	if err := tx.QueryRowContext(ctx, "SELECT id, name, created_at, settings, disabled_at FROM tenants WHERE id = $1", tenantID).
		Scan(&st.Tenant.ID, &st.Tenant.Name, scanTime(&st.Tenant.CreatedAt), &raw, scanNullTime(&st.Tenant.DisabledAt)); err != nil {
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
	return s.saveDeliveries(ctx, tx, []savedDelivery{{st: st, before: before}})
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
