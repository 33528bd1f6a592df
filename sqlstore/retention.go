package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"herald"
)

// webhookEventLifetime is how long provider webhook events are kept to
// recognise a provider's retry: providers give up within hours.
const webhookEventLifetime = 30 * 24 * time.Hour

// PruneReport counts what one PruneOnce deleted.
type PruneReport struct {
	Meetings, Reminders, Attempts, Audit, Events, IdempotencyKeys, WebhookRecords int64
}

// Total is the number of rows deleted.
func (r PruneReport) Total() int64 {
	return r.Meetings + r.Reminders + r.Attempts + r.Audit + r.Events + r.IdempotencyKeys + r.WebhookRecords
}

func (r *PruneReport) add(o PruneReport) {
	r.Meetings += o.Meetings
	r.Reminders += o.Reminders
	r.Attempts += o.Attempts
	r.Audit += o.Audit
	r.Events += o.Events
	r.IdempotencyKeys += o.IdempotencyKeys
	r.WebhookRecords += o.WebhookRecords
}

// PruneOnce deletes what has outlived its time, at most batch rows of a
// kind per transaction, so no lock is held for long and the work of a
// busy database is spread out:
//   - per tenant, after its retention_days: meetings that started before
//     then and have no reminder left to send, with their reminders,
//     attempts and outbox messages; audit entries; events with their
//     deliveries and attempts;
//   - Idempotency-Keys after 24 hours;
//   - provider webhook nonces once their timestamps could no longer be
//     accepted, and webhook event records after 30 days.
//
// It goes on until nothing is left to delete or ctx ends.
func (s *Store) PruneOnce(ctx context.Context, batch int) (PruneReport, error) {
	var total PruneReport
	now := s.now()
	tenants, err := s.retentionCutoffs(ctx, now)
	if err != nil {
		return total, err
	}
	for tenantID, cutoff := range tenants {
		for {
			n, err := s.pruneTenantBatch(ctx, tenantID, cutoff, batch)
			total.add(n)
			if err != nil {
				return total, fmt.Errorf("prune tenant %s: %w", tenantID, err)
			}
			if n.Total() == 0 || ctx.Err() != nil {
				break
			}
		}
	}
	global := []struct {
		count *int64
		query string
		at    time.Time
	}{
		{&total.IdempotencyKeys, "DELETE FROM idempotency_keys WHERE (tenant_id, key) IN (SELECT tenant_id, key FROM idempotency_keys WHERE created_at < $1 LIMIT %d)", now.Add(-herald.IdempotencyTTL)},
		{&total.IdempotencyKeys, "DELETE FROM idempotent_requests WHERE (tenant_id, key) IN (SELECT tenant_id, key FROM idempotent_requests WHERE created_at < $1 LIMIT %d)", now.Add(-herald.IdempotencyTTL)},
		{&total.WebhookRecords, "DELETE FROM webhook_nonces WHERE (provider, nonce) IN (SELECT provider, nonce FROM webhook_nonces WHERE seen_at < $1 LIMIT %d)", now.Add(-nonceLifetime)},
		{&total.WebhookRecords, "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE received_at < $1 LIMIT %d)", now.Add(-webhookEventLifetime)},
	}
	for _, g := range global {
		for {
			res, err := s.db.ExecContext(ctx, fmt.Sprintf(g.query, batch), ts(g.at))
			if err != nil {
				return total, fmt.Errorf("prune: %w", err)
			}
			n, _ := res.RowsAffected()
			*g.count += n
			if n < int64(batch) || ctx.Err() != nil {
				break
			}
		}
	}
	return total, nil
}

// retentionCutoffs returns each tenant's oldest time to keep.
func (s *Store) retentionCutoffs(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, settings FROM tenants")
	if err != nil {
		return nil, fmt.Errorf("prune: tenants: %w", err)
	}
	out := map[string]time.Time{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id, raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		st, err := decodeSettings(raw)
		if err != nil {
			return err
		}
		out[id] = now.Add(-time.Duration(st.Retention()) * 24 * time.Hour)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("prune: tenants: %w", err)
	}
	return out, nil
}

// pruneTenantBatch deletes one batch of each kind of a tenant's old rows,
// each kind in its own short transaction.
func (s *Store) pruneTenantBatch(ctx context.Context, tenantID string, cutoff time.Time, batch int) (PruneReport, error) {
	var rep PruneReport
	// Meetings first, with everything that hangs on them: a meeting that
	// started before the cutoff and has nothing left to send. They are
	// chosen and locked in the transaction that deletes them, so a meeting
	// moved to a new time meanwhile (UpdateMeeting locks it too) is not
	// deleted with the reminders just planned for it.
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := selectIDs(ctx, tx, fmt.Sprintf(`SELECT m.id FROM meetings m WHERE m.tenant_id = $1 AND m.starts_at < $2
			AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.meeting_id = m.id AND r.status IN ($3, $4))
			ORDER BY m.starts_at LIMIT %d`, batch)+s.db.dialect.forUpdate,
			tenantID, ts(cutoff), herald.ReminderPending, herald.ReminderSending)
		if err != nil || len(ids) == 0 {
			return err
		}
		in, args := inList(2, ids)
		reminders := "SELECT id FROM reminders WHERE tenant_id = $1 AND meeting_id IN (" + in + ")"
		steps := []struct {
			count *int64
			query string
		}{
			{&rep.Attempts, "DELETE FROM attempts WHERE tenant_id = $1 AND reminder_id IN (" + reminders + ")"},
			{new(int64), "DELETE FROM outbox WHERE tenant_id = $1 AND reminder_id IN (" + reminders + ")"},
			{&rep.Reminders, "DELETE FROM reminders WHERE tenant_id = $1 AND meeting_id IN (" + in + ")"},
			{&rep.Meetings, "DELETE FROM meetings WHERE tenant_id = $1 AND id IN (" + in + ")"},
		}
		for _, step := range steps {
			res, err := tx.ExecContext(ctx, step.query, append([]any{tenantID}, args...)...)
			if err != nil {
				return err
			}
			*step.count, _ = res.RowsAffected()
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("prune meetings: %w", err)
	}
	res, err := s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM assistant_actions WHERE id IN (SELECT id FROM assistant_actions
		WHERE tenant_id = $1 AND created_at < $2 LIMIT %d)`, batch), tenantID, ts(cutoff))
	if err != nil {
		return rep, fmt.Errorf("prune audit: %w", err)
	}
	rep.Audit, _ = res.RowsAffected()

	events, err := selectIDs(ctx, s.db, fmt.Sprintf(`SELECT id FROM events WHERE tenant_id = $1 AND created_at < $2
		AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = events.id AND d.status = $3)
		ORDER BY created_at LIMIT %d`, batch), tenantID, ts(cutoff), herald.EventDeliveryPending)
	if err != nil {
		return rep, err
	}
	if len(events) > 0 {
		err := s.db.inTx(ctx, func(tx *sql.Tx) error {
			in, args := inList(2, events)
			args = append([]any{tenantID}, args...)
			for _, q := range []string{
				"DELETE FROM event_attempts WHERE tenant_id = $1 AND delivery_id IN (SELECT id FROM event_deliveries WHERE tenant_id = $1 AND event_id IN (" + in + "))",
				"DELETE FROM event_deliveries WHERE tenant_id = $1 AND event_id IN (" + in + ")",
				"DELETE FROM events WHERE tenant_id = $1 AND id IN (" + in + ")",
			} {
				res, err := tx.ExecContext(ctx, q, args...)
				if err != nil {
					return err
				}
				if strings.HasPrefix(q, "DELETE FROM events ") {
					rep.Events, _ = res.RowsAffected()
				}
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("prune events: %w", err)
		}
	}
	return rep, nil
}

// selectIDs runs a query of one text column through q.
func selectIDs(ctx context.Context, q queryer, query string, args ...any) ([]any, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	var ids []any
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id string
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	return ids, nil
}

// inList returns "$first, …" for ids and the ids as arguments.
func inList(first int, ids []any) (string, []any) {
	return placeholders(first, len(ids)), ids
}
