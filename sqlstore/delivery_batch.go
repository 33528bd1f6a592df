package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"herald"
)

// deliveryKey names one reminder of one tenant.
type deliveryKey struct{ tenantID, reminderID string }

// UpdateDeliveries runs several delivery updates in one transaction, each
// as UpdateDelivery would run it: the reminders are loaded and locked
// together (in the order meetings lock them when moved or cancelled, so
// neither can deadlock the other), each decide sees its own state, and
// all the changes are saved together before one commit. A reminder that is missing, or
// whose decide fails, gets its own error and leaves the others alone. If
// the transaction fails as a whole, each update runs again on its own.
func (s *Store) UpdateDeliveries(ctx context.Context, updates []herald.DeliveryUpdate) []error {
	errs := make([]error, len(updates))
	// A reminder named twice must see its first update's result: the
	// repeats run after the batch, one by one.
	var batch, repeats []int
	seen := map[deliveryKey]bool{}
	for i, u := range updates {
		k := deliveryKey{u.TenantID, u.ReminderID}
		if seen[k] {
			repeats = append(repeats, i)
			continue
		}
		seen[k] = true
		batch = append(batch, i)
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		keys := make([]deliveryKey, len(batch))
		for j, i := range batch {
			keys[j] = deliveryKey{updates[i].TenantID, updates[i].ReminderID}
		}
		states, missing, err := s.loadDeliveries(ctx, tx, keys)
		if err != nil {
			return err
		}
		var saves []savedDelivery
		for _, i := range batch {
			u := updates[i]
			k := deliveryKey{u.TenantID, u.ReminderID}
			st := states[k]
			if st == nil {
				errs[i] = fmt.Errorf("update delivery of %s: %w", u.ReminderID, missing[k])
				continue
			}
			before := st.Reminder
			if err := u.Decide(st); err != nil {
				errs[i] = fmt.Errorf("update delivery of %s: %w", u.ReminderID, err)
				continue
			}
			saves = append(saves, savedDelivery{st: st, before: before})
		}
		return s.saveDeliveries(ctx, tx, saves)
	})
	if err != nil {
		for _, i := range batch {
			u := updates[i]
			errs[i] = s.UpdateDelivery(ctx, u.TenantID, u.ReminderID, u.Decide)
		}
	}
	for _, i := range repeats {
		u := updates[i]
		errs[i] = s.UpdateDelivery(ctx, u.TenantID, u.ReminderID, u.Decide)
	}
	return errs
}

// loadDeliveries loads and locks the delivery states of keys with a few
// queries for all of them.
// A key whose reminder, meeting, lead or tenant is missing has no state
// and its not_found error in missing.
func (s *Store) loadDeliveries(ctx context.Context, tx *sql.Tx, keys []deliveryKey) (map[deliveryKey]*herald.DeliveryState, map[deliveryKey]error, error) {
	states := map[deliveryKey]*herald.DeliveryState{}
	missing := map[deliveryKey]error{}
	in, args := pairsIn(keys, func(k deliveryKey) (string, string) { return k.tenantID, k.reminderID })
	rows, err := tx.QueryContext(ctx, "SELECT "+reminderColumns+" FROM reminders WHERE (tenant_id, id) IN "+in+
		" ORDER BY scheduled_at, created_at, id"+s.db.dialect.forUpdate, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("load reminders: %w", err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		r, err := scanReminder(rows)
		states[deliveryKey{r.TenantID, r.ID}] = &herald.DeliveryState{Reminder: r}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load reminders: %w", err)
	}
	for _, k := range keys {
		if states[k] == nil {
			missing[k] = errNotFound("reminder")
		}
	}
	if err := s.loadDeliveryParts(ctx, tx, states, missing); err != nil {
		return nil, nil, err
	}
	return states, missing, nil
}

// loadDeliveryParts fills in each state's meeting (with its reminders),
// lead, the opt-outs of its phone, tenant, settings, attempts and template
// overrides.
func (s *Store) loadDeliveryParts(ctx context.Context, tx *sql.Tx, states map[deliveryKey]*herald.DeliveryState, missing map[deliveryKey]error) error {
	meetings, err := loadMeetingsOf(ctx, tx, states)
	if err != nil {
		return err
	}
	leads, err := loadLeadsOf(ctx, tx, states, meetings)
	if err != nil {
		return err
	}
	tenants, err := loadTenantsOf(ctx, tx, states)
	if err != nil {
		return err
	}
	attempts, err := loadAttemptsOf(ctx, tx, states)
	if err != nil {
		return err
	}
	phones := make([]string, 0, len(leads))
	for _, l := range leads {
		phones = append(phones, l.Phone)
	}
	optOuts, err := s.phoneOptOuts(ctx, tx, phones)
	if err != nil {
		return err
	}
	overrides := map[[2]string][]herald.TemplateOverride{}
	for k, st := range states {
		m, ok := meetings[[2]string{k.tenantID, st.Reminder.MeetingID}]
		lead, leadOK := leads[[2]string{k.tenantID, m.LeadID}]
		t, tenantOK := tenants[k.tenantID]
		switch {
		case !ok:
			missing[k] = errNotFound("meeting")
		case !leadOK:
			missing[k] = errNotFound("lead")
		case !tenantOK:
			missing[k] = fmt.Errorf("load tenant %s: %w", k.tenantID, sql.ErrNoRows)
		}
		if missing[k] != nil {
			delete(states, k)
			continue
		}
		st.Meeting, st.Lead, st.Tenant, st.Settings = m, lead, t.tenant, t.settings
		st.OptOuts = optOuts[lead.Phone]
		st.Attempts = append([]herald.Attempt{}, attempts[k.reminderID]...)
		tk := [2]string{k.tenantID, st.Reminder.Template}
		if _, done := overrides[tk]; !done {
			if overrides[tk], err = loadTemplateOverrides(ctx, tx, k.tenantID, st.Reminder.Template); err != nil {
				return fmt.Errorf("load templates: %w", err)
			}
		}
		st.TemplateOverrides = overrides[tk]
	}
	return nil
}

// pairsIn returns "(VALUES ($1, $2), …)" for the distinct pairs that pair
// makes of items, and their arguments, the list padded to a fixed size.
func pairsIn[T any](items []T, pair func(T) (string, string)) (string, []any) {
	var pairs [][2]string
	seen := map[[2]string]bool{}
	for _, it := range items {
		a, c := pair(it)
		if !seen[[2]string{a, c}] {
			seen[[2]string{a, c}] = true
			pairs = append(pairs, [2]string{a, c})
		}
	}
	var b strings.Builder
	args := make([]any, 0, 2*batchSize(len(pairs)))
	b.WriteString("(VALUES ")
	for i, p := range padded(pairs) {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, p[0], p[1])
		fmt.Fprintf(&b, "($%d, $%d)", len(args)-1, len(args))
	}
	b.WriteString(")")
	return b.String(), args
}

// eachRow calls fn for each row and closes rows.
func eachRow(rows *sql.Rows, fn func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
