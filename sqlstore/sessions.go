package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"herald"
)

var _ herald.DashboardStore = (*Store)(nil)

// CreateDashboardSession stores a dashboard session, and forgets the
// sessions that have expired, so the table holds only live ones.
func (s *Store) CreateDashboardSession(ctx context.Context, ds herald.DashboardSession) error {
	admin := 0
	if ds.Admin {
		admin = 1
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM dashboard_sessions WHERE expires_at < $1", ts(ds.CreatedAt)); err != nil {
			return fmt.Errorf("forget expired sessions: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_sessions (token_hash, tenant_id, key_hash, admin, csrf_token,
			created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			ds.TokenHash, ds.TenantID, ds.KeyHash, admin, ds.CSRFToken, ts(ds.CreatedAt), ts(ds.ExpiresAt))
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// DashboardSession returns a live session. A tenant session whose API key
// is revoked, or whose tenant is gone or disabled, is not found: the check
// runs on every request, so revoking a key signs its sessions out at once
// on every node.
func (s *Store) DashboardSession(ctx context.Context, tokenHash string, now time.Time) (herald.DashboardSession, error) {
	ds := herald.DashboardSession{TokenHash: tokenHash}
	var admin int
	err := s.db.QueryRowContext(ctx, `SELECT s.tenant_id, COALESCE(t.name, ''), s.key_hash, s.admin, s.csrf_token,
		s.created_at, s.expires_at
		FROM dashboard_sessions s LEFT JOIN tenants t ON t.id = s.tenant_id
		WHERE s.token_hash = $1 AND s.expires_at > $2
		AND (s.admin = 1 OR (t.disabled_at IS NULL
			AND EXISTS (SELECT 1 FROM api_keys k WHERE k.key_hash = s.key_hash AND k.tenant_id = s.tenant_id)))`,
		tokenHash, ts(now)).Scan(&ds.TenantID, &ds.TenantName, &ds.KeyHash, &admin, &ds.CSRFToken,
		scanTime(&ds.CreatedAt), scanTime(&ds.ExpiresAt))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.DashboardSession{}, errNotFound("session")
	}
	if err != nil {
		return herald.DashboardSession{}, fmt.Errorf("load session: %w", err)
	}
	ds.Admin = admin == 1
	return ds, nil
}

// DeleteDashboardSession ends a session; an unknown one is no error.
func (s *Store) DeleteDashboardSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM dashboard_sessions WHERE token_hash = $1", tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
