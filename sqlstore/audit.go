package sqlstore

import (
	"context"
	"fmt"
	"time"

	"herald"
)

// writeAudit appends audit actions in the caller's transaction, with one
// statement for each part of a fixed size.
func writeAudit(ctx context.Context, q queryer, actions ...herald.AuditAction) error {
	for _, part := range inParts(actions) {
		if err := writeAuditPart(ctx, q, part); err != nil {
			return err
		}
	}
	return nil
}

// writeAuditPart appends audit actions in one statement.
func writeAuditPart(ctx context.Context, q queryer, actions []herald.AuditAction) error {
	var v valuesList
	for _, a := range actions {
		if a.ID == "" {
			a.ID = herald.NewID("act_")
		}
		v.row(nil, a.ID, a.TenantID, a.Action, a.EntityType, a.EntityID, a.Channel, a.Provider, a.Outcome, a.Detail, ts(a.At))
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO assistant_actions
		(id, tenant_id, action, entity_type, entity_id, channel, provider, outcome, detail, created_at)
		VALUES `+v.b.String(), v.args...); err != nil {
		return fmt.Errorf("write audit: %w", err)
	}
	return nil
}

// ListAudit lists a tenant's audit actions, newest first.
func (s *Store) ListAudit(ctx context.Context, tenantID string, f herald.AuditFilter) (herald.Page[herald.AuditAction], error) {
	q := listQuery{desc: true}
	q.add("tenant_id = ?", tenantID)
	if f.EntityID != "" {
		q.add("entity_id = ?", f.EntityID)
	}
	if f.Action != "" {
		q.add("action = ?", f.Action)
	}
	return listPage(ctx, s.db, "audit", `SELECT id, tenant_id, action, entity_type, entity_id, channel, provider,
		outcome, detail, created_at FROM assistant_actions`, q, f.Page,
		func(row rowScanner) (herald.AuditAction, error) {
			var a herald.AuditAction
			err := row.Scan(&a.ID, &a.TenantID, &a.Action, &a.EntityType, &a.EntityID, &a.Channel, &a.Provider,
				&a.Outcome, &a.Detail, scanTime(&a.At))
			return a, err
		},
		func(a herald.AuditAction) (time.Time, string) { return a.At, a.ID })
}
