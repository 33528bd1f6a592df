package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"herald"
)

// CreateTenant creates a tenant with default settings and one API key.
func (s *Store) CreateTenant(ctx context.Context, name string) (herald.Tenant, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > herald.MaxNameBytes {
		return herald.Tenant{}, "", herald.FieldErrorf(herald.ECodeInvalid, "name", "a tenant needs a name of 1 to %d characters", herald.MaxNameBytes)
	}
	if err := herald.CheckLine("name", name); err != nil {
		return herald.Tenant{}, "", err
	}
	t := herald.Tenant{ID: herald.NewID("ten_"), Name: name, CreatedAt: s.now()}
	settings, err := json.Marshal(herald.DefaultSettings())
	if err != nil {
		return herald.Tenant{}, "", err
	}
	key := herald.NewAPIKey()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO tenants (id, name, settings, created_at) VALUES ($1, $2, $3, $4)",
			t.ID, t.Name, string(settings), ts(t.CreatedAt)); err != nil {
			return err
		}
		_, err := insertAPIKey(ctx, tx, t.ID, key, t.CreatedAt)
		return err
	})
	if err != nil {
		return herald.Tenant{}, "", fmt.Errorf("create tenant: %w", err)
	}
	return t, key, nil
}

// Settings returns a tenant's settings.
func (s *Store) Settings(ctx context.Context, tenantID string) (herald.Settings, error) {
	return loadSettings(ctx, s.db, tenantID)
}

func loadSettings(ctx context.Context, q queryer, tenantID string) (herald.Settings, error) {
	var raw string
	err := q.QueryRowContext(ctx, "SELECT settings FROM tenants WHERE id = $1", tenantID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Settings{}, errNotFound("tenant")
	}
	if err != nil {
		return herald.Settings{}, fmt.Errorf("load settings: %w", err)
	}
	return decodeSettings(raw)
}

func decodeSettings(raw string) (herald.Settings, error) {
	var st herald.Settings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return herald.Settings{}, fmt.Errorf("decode settings: %w", err)
	}
	st.RetentionDays = st.Retention() // saved before the setting existed
	return st, nil
}

// UpdateSettings replaces a tenant's settings; st must be validated.
func (s *Store) UpdateSettings(ctx context.Context, tenantID string, st herald.Settings) (herald.Settings, error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return herald.Settings{}, err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		// sms_from is kept in clear beside the settings: inbound texts and
		// opt-outs find the tenants of a number by it (tenantsSendingFrom).
		res, err := tx.ExecContext(ctx, "UPDATE tenants SET settings = $1, sms_from = $2 WHERE id = $3", string(raw),
			herald.NormalizeNumber(st.SMSFrom), tenantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNotFound("tenant")
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionSettingsUpdated,
			EntityType: herald.EntityTenant, EntityID: tenantID, Outcome: herald.AuditOK, At: s.now()})
	})
	if err != nil {
		return herald.Settings{}, fmt.Errorf("update settings: %w", err)
	}
	return st, nil
}
