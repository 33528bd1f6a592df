package sqlstore

import (
	"context"
	"database/sql"
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

// loadDelivery loads and locks one reminder's delivery state, as
// loadDeliveries loads many.
func (s *Store) loadDelivery(ctx context.Context, tx *sql.Tx, tenantID, reminderID string) (*herald.DeliveryState, error) {
	k := deliveryKey{tenantID, reminderID}
	states, missing, err := s.loadDeliveries(ctx, tx, []deliveryKey{k})
	if err != nil {
		return nil, err
	}
	if err := missing[k]; err != nil {
		return nil, err
	}
	return states[k], nil
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
