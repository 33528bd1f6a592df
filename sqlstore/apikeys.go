package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"herald"
)

// insertAPIKey stores a new key of a tenant in the caller's transaction.
func insertAPIKey(ctx context.Context, tx *sql.Tx, tenantID, key string, at time.Time) (herald.APIKey, error) {
	k := herald.APIKey{ID: herald.NewID("key_"), Prefix: herald.KeyPrefix(key), CreatedAt: at}
	_, err := tx.ExecContext(ctx, "INSERT INTO api_keys (key_hash, tenant_id, created_at, id, prefix) VALUES ($1, $2, $3, $4, $5)",
		herald.HashAPIKey(key), tenantID, ts(at), k.ID, k.Prefix)
	if err != nil {
		return herald.APIKey{}, fmt.Errorf("insert api key: %w", err)
	}
	return k, nil
}

// TenantByAPIKey returns the tenant an API key belongs to. The database is
// asked on every call, so a revoked key or a disabled tenant is refused at
// once, by every process; only the write of the key's last use is spared
// (once a minute per key and process).
func (s *Store) TenantByAPIKey(ctx context.Context, apiKey string) (herald.Tenant, error) {
	hash := herald.HashAPIKey(apiKey)
	var t herald.Tenant
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.name, t.created_at, t.disabled_at FROM api_keys k
		JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = $1`, hash).
		Scan(&t.ID, &t.Name, scanTime(&t.CreatedAt), scanNullTime(&t.DisabledAt))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Tenant{}, herald.Errorf(herald.ECodeUnauthorized, "the API key is not valid")
	}
	if err != nil {
		return herald.Tenant{}, fmt.Errorf("tenant by key: %w", err)
	}
	if t.Disabled() {
		return herald.Tenant{}, herald.Errorf(herald.ECodeUnauthorized, "this tenant is disabled; ask the operator")
	}
	now := s.now()
	if s.auth.due(hash, now) {
		// A failed write of the last use must not refuse the request.
		_, _ = s.db.ExecContext(ctx, "UPDATE api_keys SET last_used_at = $1 WHERE key_hash = $2", ts(now), hash)
	}
	return t, nil
}

// CreateAPIKey issues a new key for a tenant and returns it with the key,
// which is shown this once.
func (s *Store) CreateAPIKey(ctx context.Context, tenantID string) (herald.APIKey, string, error) {
	key := herald.NewAPIKey()
	var k herald.APIKey
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := lockTenant(ctx, tx, s.db.dialect.forUpdate, tenantID); err != nil {
			return err
		}
		var err error
		now := s.now()
		if k, err = insertAPIKey(ctx, tx, tenantID, key, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionAPIKeyCreated,
			EntityType: "api_key", EntityID: k.ID, Outcome: herald.AuditOK, Detail: "prefix " + k.Prefix, At: now})
	})
	if err != nil {
		return herald.APIKey{}, "", fmt.Errorf("create api key: %w", err)
	}
	return k, key, nil
}

// ListAPIKeys lists a tenant's keys, oldest first.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID string) ([]herald.APIKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, prefix, created_at, last_used_at FROM api_keys
		WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	keys := []herald.APIKey{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var k herald.APIKey
		if err := rows.Scan(&k.ID, &k.Prefix, scanTime(&k.CreatedAt), scanNullTime(&k.LastUsedAt)); err != nil {
			return err
		}
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return keys, nil
}

// RevokeAPIKey deletes a tenant's key: the next request with it is
// refused, in every process. The tenant's last key cannot be revoked, so a
// tenant never locks itself out; another key must be created first.
func (s *Store) RevokeAPIKey(ctx context.Context, tenantID, keyID string) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := lockTenant(ctx, tx, s.db.dialect.forUpdate, tenantID); err != nil {
			return err
		}
		var prefix string
		err := tx.QueryRowContext(ctx, "SELECT prefix FROM api_keys WHERE tenant_id = $1 AND id = $2", tenantID, keyID).Scan(&prefix)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound("api key")
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM api_keys WHERE tenant_id = $1", tenantID).Scan(&n); err != nil {
			return err
		}
		if n <= 1 {
			return herald.Errorf(herald.ECodeConflict, "this is the tenant's last API key: create another one (POST /v1/api-keys) before revoking it")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM api_keys WHERE tenant_id = $1 AND id = $2", tenantID, keyID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionAPIKeyRevoked,
			EntityType: "api_key", EntityID: keyID, Outcome: herald.AuditOK, Detail: "prefix " + prefix, At: s.now()})
	})
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	return nil
}

// lockTenant locks the tenant's row until the transaction ends, so that
// changes to its keys are serialised; a missing tenant is not_found.
func lockTenant(ctx context.Context, tx *sql.Tx, forUpdate, tenantID string) error {
	var id string
	err := tx.QueryRowContext(ctx, "SELECT id FROM tenants WHERE id = $1"+forUpdate, tenantID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound("tenant")
	}
	return err
}
