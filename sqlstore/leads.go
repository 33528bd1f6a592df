package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"herald"
)

const leadColumns = `id, tenant_id, name, phone, email, timezone, locale, sms_opted_out, sms_opted_out_at,
	created_at, updated_at`

func scanLead(row interface{ Scan(...any) error }) (herald.Lead, error) {
	var l herald.Lead
	err := row.Scan(&l.ID, &l.TenantID, &l.Name, &l.Phone, &l.Email, &l.Timezone, &l.Locale, &l.SMSOptedOut,
		scanNullTime(&l.SMSOptedOutAt), scanTime(&l.CreatedAt), scanTime(&l.UpdatedAt))
	return l, err
}

// leadAuditDetail describes a lead's contact data with the numbers masked.
func leadAuditDetail(l herald.Lead) string {
	var parts []string
	if l.Phone != "" {
		parts = append(parts, "phone "+herald.MaskPhone(l.Phone))
	}
	if l.Email != "" {
		parts = append(parts, "email "+herald.MaskEmail(l.Email))
	}
	return strings.Join(parts, ", ")
}

// CreateLead stores a lead whose fields are already validated.
func (s *Store) CreateLead(ctx context.Context, tenantID string, in herald.LeadInput) (herald.Lead, error) {
	now := s.now()
	l := herald.Lead{ID: herald.NewID("lead_"), TenantID: tenantID, Name: in.Name, Phone: in.Phone, Email: in.Email,
		Timezone: in.Timezone, Locale: in.Locale, CreatedAt: now, UpdatedAt: now}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		optOut, err := s.applyKnownOptOut(ctx, tx, &l, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO leads (`+leadColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			l.ID, l.TenantID, l.Name, l.Phone, l.Email, l.Timezone, l.Locale, l.SMSOptedOut, tsPtr(l.SMSOptedOutAt),
			ts(now), ts(now)); err != nil {
			return err
		}
		return writeAudit(ctx, tx, withOptOut([]herald.AuditAction{{TenantID: tenantID, Action: herald.ActionLeadCreated,
			EntityType: herald.EntityLead, EntityID: l.ID, Outcome: herald.AuditOK, Detail: leadAuditDetail(l), At: now}}, optOut)...)
	})
	if err != nil {
		return herald.Lead{}, fmt.Errorf("create lead: %w", err)
	}
	return l, nil
}

// Lead returns one lead of a tenant.
func (s *Store) Lead(ctx context.Context, tenantID, id string) (herald.Lead, error) {
	return loadLead(ctx, s.db, tenantID, id, "")
}

func loadLead(ctx context.Context, q queryer, tenantID, id, lock string) (herald.Lead, error) {
	l, err := scanLead(q.QueryRowContext(ctx, "SELECT "+leadColumns+" FROM leads WHERE tenant_id = $1 AND id = $2"+lock,
		tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Lead{}, errNotFound("lead")
	}
	if err != nil {
		return herald.Lead{}, fmt.Errorf("load lead: %w", err)
	}
	return l, nil
}

// UpdateLead changes a lead after check accepts the result.
func (s *Store) UpdateLead(ctx context.Context, tenantID, id string, patch herald.LeadPatch, check func(*herald.Lead) error) (herald.Lead, error) {
	var out herald.Lead
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		old, err := loadLead(ctx, tx, tenantID, id, s.db.dialect.forUpdate)
		if err != nil {
			return err
		}
		l := patch.Apply(old)
		if check != nil {
			if err := check(&l); err != nil {
				return err
			}
		}
		l.UpdatedAt = s.now()
		optOut, err := s.applyKnownOptOut(ctx, tx, &l, l.UpdatedAt)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE leads SET name = $1, phone = $2, email = $3, timezone = $4,
			locale = $5, sms_opted_out = $6, sms_opted_out_at = $7, updated_at = $8 WHERE tenant_id = $9 AND id = $10`,
			l.Name, l.Phone, l.Email, l.Timezone, l.Locale, l.SMSOptedOut, tsPtr(l.SMSOptedOutAt), ts(l.UpdatedAt),
			tenantID, id); err != nil {
			return err
		}
		out = l
		if err := writeAudit(ctx, tx, withOptOut([]herald.AuditAction{{TenantID: tenantID, Action: herald.ActionLeadUpdated,
			EntityType: herald.EntityLead, EntityID: l.ID, Outcome: herald.AuditOK, Detail: leadAuditDetail(l), At: l.UpdatedAt}}, optOut)...); err != nil {
			return err
		}
		if l.Timezone != old.Timezone {
			return s.replanForZone(ctx, tx, l, l.UpdatedAt)
		}
		return nil
	})
	if err != nil {
		return herald.Lead{}, fmt.Errorf("update lead: %w", err)
	}
	return out, nil
}

// withOptOut adds the audit entry of an opt-out, when there is one.
func withOptOut(audit []herald.AuditAction, optOut *herald.AuditAction) []herald.AuditAction {
	if optOut != nil {
		audit = append(audit, *optOut)
	}
	return audit
}

// ListLeads lists a tenant's leads, oldest first.
func (s *Store) ListLeads(ctx context.Context, tenantID string, page herald.PageRequest) (herald.Page[herald.Lead], error) {
	q := listQuery{}
	q.add("tenant_id = ?", tenantID)
	return listPage(ctx, s.db, "leads", "SELECT "+leadColumns+" FROM leads", q, page,
		scanLead,
		func(l herald.Lead) (time.Time, string) { return l.CreatedAt, l.ID })
}
