package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"herald"
)

// tenantState is a tenant with its decoded settings.
type tenantState struct {
	tenant   herald.Tenant
	settings herald.Settings
}

// keysOf lists the states' keys, for building queries.
func keysOf(states map[deliveryKey]*herald.DeliveryState) []deliveryKey {
	keys := make([]deliveryKey, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	return keys
}

// loadMeetingsOf reads the meetings of the states' reminders, each with all
// its reminders in scheduled order (as loadMeeting returns them), keyed by
// tenant and meeting id.
func loadMeetingsOf(ctx context.Context, tx *sql.Tx, states map[deliveryKey]*herald.DeliveryState) (map[[2]string]herald.Meeting, error) {
	meetings := map[[2]string]herald.Meeting{}
	if len(states) == 0 {
		return meetings, nil
	}
	in, args := pairsIn(keysOf(states), func(k deliveryKey) (string, string) {
		return k.tenantID, states[k].Reminder.MeetingID
	})
	rows, err := tx.QueryContext(ctx, "SELECT "+meetingColumns+" FROM meetings WHERE (tenant_id, id) IN "+in, args...)
	if err != nil {
		return nil, fmt.Errorf("load meetings: %w", err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		m, err := scanMeeting(rows)
		m.Reminders = []herald.Reminder{}
		meetings[[2]string{m.TenantID, m.ID}] = m
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load meetings: %w", err)
	}
	rows, err = tx.QueryContext(ctx, "SELECT "+reminderColumns+" FROM reminders WHERE (tenant_id, meeting_id) IN "+in+
		" ORDER BY scheduled_at, created_at, id", args...)
	if err != nil {
		return nil, fmt.Errorf("load reminders: %w", err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		r, err := scanReminder(rows)
		k := [2]string{r.TenantID, r.MeetingID}
		if m, ok := meetings[k]; ok && err == nil {
			m.Reminders = append(m.Reminders, r)
			meetings[k] = m
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load reminders: %w", err)
	}
	return meetings, nil
}

// loadLeadsOf reads the leads of the meetings, keyed by tenant and lead id.
func loadLeadsOf(ctx context.Context, tx *sql.Tx, states map[deliveryKey]*herald.DeliveryState, meetings map[[2]string]herald.Meeting) (map[[2]string]herald.Lead, error) {
	leads := map[[2]string]herald.Lead{}
	var pairs [][2]string
	for k, st := range states {
		if m, ok := meetings[[2]string{k.tenantID, st.Reminder.MeetingID}]; ok {
			pairs = append(pairs, [2]string{k.tenantID, m.LeadID})
		}
	}
	if len(pairs) == 0 {
		return leads, nil
	}
	in, args := pairsIn(pairs, func(p [2]string) (string, string) { return p[0], p[1] })
	rows, err := tx.QueryContext(ctx, "SELECT "+leadColumns+" FROM leads WHERE (tenant_id, id) IN "+in, args...)
	if err != nil {
		return nil, fmt.Errorf("load leads: %w", err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		l, err := scanLead(rows)
		leads[[2]string{l.TenantID, l.ID}] = l
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load leads: %w", err)
	}
	return leads, nil
}

// loadTenantsOf reads the states' tenants and decodes their settings.
func loadTenantsOf(ctx context.Context, tx *sql.Tx, states map[deliveryKey]*herald.DeliveryState) (map[string]tenantState, error) {
	tenants := map[string]tenantState{}
	var ids []any
	for k := range states {
		if !slices.Contains(ids, any(k.tenantID)) {
			ids = append(ids, k.tenantID)
		}
	}
	if len(ids) == 0 {
		return tenants, nil
	}
	ids = padded(ids)
	rows, err := tx.QueryContext(ctx, "SELECT id, name, created_at, settings, disabled_at FROM tenants WHERE id IN ("+
		placeholders(1, len(ids))+")", ids...)
	if err != nil {
		return nil, fmt.Errorf("load tenants: %w", err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var t tenantState
		var raw string
		if err := rows.Scan(&t.tenant.ID, &t.tenant.Name, scanTime(&t.tenant.CreatedAt), &raw, scanNullTime(&t.tenant.DisabledAt)); err != nil {
			return err
		}
		var err error
		t.settings, err = decodeSettings(raw)
		tenants[t.tenant.ID] = t
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load tenants: %w", err)
	}
	return tenants, nil
}

// loadAttemptsOf reads the attempts of the states' reminders that were
// ever tried, keyed by reminder id, each list by number.
func loadAttemptsOf(ctx context.Context, tx *sql.Tx, states map[deliveryKey]*herald.DeliveryState) (map[string][]herald.Attempt, error) {
	attempts := map[string][]herald.Attempt{}
	var tried []deliveryKey
	for k, st := range states {
		if st.Reminder.Attempts > 0 {
			tried = append(tried, k)
		}
	}
	if len(tried) == 0 {
		return attempts, nil
	}
	in, args := pairsIn(tried, func(k deliveryKey) (string, string) { return k.tenantID, k.reminderID })
	rows, err := tx.QueryContext(ctx, "SELECT "+attemptColumns+" FROM attempts WHERE (tenant_id, reminder_id) IN "+in+
		" ORDER BY reminder_id, number", args...)
	if err != nil {
		return nil, fmt.Errorf("load attempts: %w", err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		a, err := scanAttempt(rows)
		attempts[a.ReminderID] = append(attempts[a.ReminderID], a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load attempts: %w", err)
	}
	return attempts, nil
}
