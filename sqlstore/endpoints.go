package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"herald"
)

var _ herald.EventStore = (*Store)(nil)

// MaxWebhookEndpoints bounds a tenant's endpoints: each event is delivered
// to every one of them.
const MaxWebhookEndpoints = 20

func eventTypesJSON(types []herald.EventType) string {
	if types == nil {
		types = []herald.EventType{}
	}
	raw, _ := json.Marshal(types)
	return string(raw)
}

// CreateWebhookEndpoint stores an endpoint whose URL and event types the
// caller has checked. The answer carries the secret.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, tenantID string, in herald.WebhookEndpointInput) (herald.WebhookEndpoint, error) {
	now := s.now()
	ep := herald.WebhookEndpoint{ID: herald.NewID("we_"), TenantID: tenantID, URL: in.URL, Description: in.Description,
		Events: in.Events, Secret: in.Secret, CreatedAt: now, UpdatedAt: now}
	if ep.Events == nil {
		ep.Events = []herald.EventType{}
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $1", tenantID).
			Scan(&n); err != nil {
			return err
		}
		if n >= MaxWebhookEndpoints {
			return herald.Errorf(herald.ECodeConflict, "a tenant has at most %d webhook endpoints", MaxWebhookEndpoints)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types,
			secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			ep.ID, tenantID, ep.URL, ep.Description, eventTypesJSON(ep.Events), ep.Secret, ts(now), ts(now)); err != nil {
			return err
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionEndpointCreated,
			EntityType: herald.EntityEndpoint, EntityID: ep.ID, Outcome: "ok", Detail: ep.URL, At: now})
	})
	if err != nil {
		return herald.WebhookEndpoint{}, fmt.Errorf("create webhook endpoint: %w", err)
	}
	return ep, nil
}

// WebhookEndpoint returns one endpoint of a tenant, without its secret.
func (s *Store) WebhookEndpoint(ctx context.Context, tenantID, id string) (herald.WebhookEndpoint, error) {
	ep, err := loadEndpoint(ctx, s.db, tenantID, id, "")
	ep.Secret = ""
	return ep, err
}

func loadEndpoint(ctx context.Context, q queryer, tenantID, id, lock string) (herald.WebhookEndpoint, error) {
	ep, err := scanEndpoint(q.QueryRowContext(ctx, "SELECT "+endpointColumns+
		" FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2"+lock, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.WebhookEndpoint{}, errNotFound("webhook endpoint")
	}
	if err != nil {
		return herald.WebhookEndpoint{}, fmt.Errorf("load webhook endpoint: %w", err)
	}
	return ep, nil
}

// ListWebhookEndpoints lists a tenant's endpoints, oldest first, without
// their secrets.
func (s *Store) ListWebhookEndpoints(ctx context.Context, tenantID string, page herald.PageRequest) (herald.Page[herald.WebhookEndpoint], error) {
	q := listQuery{}
	q.add("tenant_id = ?", tenantID)
	return listPage(ctx, s.db, "webhook endpoints", "SELECT "+endpointColumns+" FROM webhook_endpoints", q, page,
		func(row rowScanner) (herald.WebhookEndpoint, error) {
			ep, err := scanEndpoint(row)
			ep.Secret = ""
			return ep, err
		},
		func(e herald.WebhookEndpoint) (time.Time, string) { return e.CreatedAt, e.ID })
}

// UpdateWebhookEndpoint changes an endpoint whose new URL and event types
// the caller has checked. Enabling it clears its disabled state.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, tenantID, id string, patch herald.WebhookEndpointPatch) (herald.WebhookEndpoint, error) {
	var out herald.WebhookEndpoint
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		ep, err := loadEndpoint(ctx, tx, tenantID, id, s.db.dialect.forUpdate)
		if err != nil {
			return err
		}
		now := s.now()
		if patch.URL != nil {
			ep.URL = *patch.URL
		}
		if patch.Description != nil {
			ep.Description = *patch.Description
		}
		if patch.Events != nil {
			ep.Events = *patch.Events
			if ep.Events == nil {
				ep.Events = []herald.EventType{}
			}
		}
		if patch.Enabled != nil {
			if *patch.Enabled {
				ep.DisabledAt, ep.DisabledReason = nil, ""
			} else if ep.DisabledAt == nil {
				ep.DisabledAt, ep.DisabledReason = &now, "disabled by the tenant"
			}
		}
		ep.UpdatedAt = now
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET url = $1, description = $2, event_types = $3,
			disabled_at = $4, disabled_reason = $5, updated_at = $6 WHERE tenant_id = $7 AND id = $8`,
			ep.URL, ep.Description, eventTypesJSON(ep.Events), tsPtr(ep.DisabledAt), ep.DisabledReason, ts(now),
			tenantID, id); err != nil {
			return err
		}
		ep.Secret = ""
		out = ep
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionEndpointUpdated,
			EntityType: herald.EntityEndpoint, EntityID: id, Outcome: "ok", Detail: ep.URL, At: now})
	})
	if err != nil {
		return herald.WebhookEndpoint{}, fmt.Errorf("update webhook endpoint: %w", err)
	}
	return out, nil
}

// DeleteWebhookEndpoint removes an endpoint. Its pending deliveries find
// it gone and stop; the events and their delivery history stay.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, tenantID, id string) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2", tenantID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNotFound("webhook endpoint")
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionEndpointDeleted,
			EntityType: herald.EntityEndpoint, EntityID: id, Outcome: "ok", At: s.now()})
	})
	if err != nil {
		return fmt.Errorf("delete webhook endpoint: %w", err)
	}
	return nil
}

// RotateWebhookSecret replaces an endpoint's secret; the old one keeps
// signing beside the new one until keepOldUntil. The answer carries the
// new secret.
func (s *Store) RotateWebhookSecret(ctx context.Context, tenantID, id, secret string, keepOldUntil time.Time) (herald.WebhookEndpoint, error) {
	var out herald.WebhookEndpoint
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		ep, err := loadEndpoint(ctx, tx, tenantID, id, s.db.dialect.forUpdate)
		if err != nil {
			return err
		}
		now := s.now()
		until := keepOldUntil.UTC().Truncate(time.Microsecond)
		ep.PreviousSecret, ep.PreviousSecretUntil, ep.Secret, ep.UpdatedAt = ep.Secret, &until, secret, now
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $1, previous_secret = $2,
			previous_secret_until = $3, updated_at = $4 WHERE tenant_id = $5 AND id = $6`,
			ep.Secret, ep.PreviousSecret, ts(until), ts(now), tenantID, id); err != nil {
			return err
		}
		out = ep
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionEndpointSecretRotated,
			EntityType: herald.EntityEndpoint, EntityID: id, Outcome: "ok",
			Detail: "previous secret valid until " + until.Format(time.RFC3339), At: now})
	})
	if err != nil {
		return herald.WebhookEndpoint{}, fmt.Errorf("rotate webhook secret: %w", err)
	}
	return out, nil
}
