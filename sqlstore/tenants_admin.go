package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"herald"
)

const tenantColumns = "id, name, created_at, disabled_at"

func scanTenant(row interface{ Scan(...any) error }) (herald.Tenant, error) {
	var t herald.Tenant
	err := row.Scan(&t.ID, &t.Name, scanTime(&t.CreatedAt), scanNullTime(&t.DisabledAt))
	return t, err
}

// Tenant returns one tenant, for the operator.
func (s *Store) Tenant(ctx context.Context, id string) (herald.Tenant, error) {
	t, err := scanTenant(s.db.QueryRowContext(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Tenant{}, errNotFound("tenant")
	}
	if err != nil {
		return herald.Tenant{}, fmt.Errorf("load tenant: %w", err)
	}
	return t, nil
}

// SetTenantDisabled disables or enables a tenant. A disabled tenant's keys
// are refused and its reminders and event deliveries are held by the
// workers (neither sent nor cancelled) until it is enabled again; a reminder whose meeting starts
// meanwhile expires as usual. Setting the state it already has changes
// nothing.
func (s *Store) SetTenantDisabled(ctx context.Context, id string, disabled bool) (herald.Tenant, error) {
	var t herald.Tenant
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = scanTenant(tx.QueryRowContext(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE id = $1"+s.db.dialect.forUpdate, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound("tenant")
		}
		if err != nil || t.Disabled() == disabled {
			return err
		}
		now := s.now()
		action := herald.ActionTenantEnabled
		var at any
		t.DisabledAt = nil
		if disabled {
			action, at, t.DisabledAt = herald.ActionTenantDisabled, ts(now), &now
		}
		if _, err := tx.ExecContext(ctx, "UPDATE tenants SET disabled_at = $1 WHERE id = $2", at, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: id, Action: action, EntityType: "tenant",
			EntityID: id, Outcome: herald.AuditOK, At: now})
	})
	if err != nil {
		return herald.Tenant{}, fmt.Errorf("set tenant disabled: %w", err)
	}
	return t, nil
}
