package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"herald"
)

const templateColumns = "tenant_id, name, channel, locale, text, subject, html, created_at, updated_at"

// TemplateOverrides lists a tenant's own templates, by name then channel;
// with a non-empty name, only those of that name.
func (s *Store) TemplateOverrides(ctx context.Context, tenantID, name string) ([]herald.TemplateOverride, error) {
	out, err := loadTemplateOverrides(ctx, s.db, tenantID, name)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return out, nil
}

// loadTemplateOverrides reads a tenant's templates with q, so that the
// delivery transaction can read them too.
func loadTemplateOverrides(ctx context.Context, q queryer, tenantID, name string) ([]herald.TemplateOverride, error) {
	query, args := "SELECT "+templateColumns+" FROM tenant_templates WHERE tenant_id = $1", []any{tenantID}
	if name != "" {
		query += " AND name = $2"
		args = append(args, name)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []herald.TemplateOverride{}
	for rows.Next() {
		var o herald.TemplateOverride
		if err := rows.Scan(&o.TenantID, &o.Name, &o.Channel, &o.Locale, &o.Text, &o.Subject, &o.HTML,
			scanTime(&o.CreatedAt), scanTime(&o.UpdatedAt)); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Sorted here rather than by ORDER BY: PostgreSQL's collation may
	// order '_' and '-' differently from SQLite's byte order.
	slices.SortFunc(out, func(a, b herald.TemplateOverride) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Channel), string(b.Channel)); c != 0 {
			return c
		}
		return strings.Compare(a.Locale, b.Locale)
	})
	return out, nil
}

// SaveTemplateOverride creates or replaces a tenant's template and writes
// the template.saved audit action in the same transaction.
func (s *Store) SaveTemplateOverride(ctx context.Context, tenantID string, o herald.TemplateOverride) (herald.TemplateOverride, bool, error) {
	now := s.now()
	o.TenantID, o.CreatedAt, o.UpdatedAt = tenantID, now, now
	created := false
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		// Locking the tenant row serialises a tenant's template writes on
		// PostgreSQL, so two new templates saved at once cannot both pass
		// the count below. SQLite has one writer already.
		var id string
		err := tx.QueryRowContext(ctx, "SELECT id FROM tenants WHERE id = $1"+s.db.dialect.forUpdate, tenantID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound("tenant")
		}
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT created_at FROM tenant_templates
			WHERE tenant_id = $1 AND name = $2 AND channel = $3 AND locale = $4`, tenantID, o.Name, string(o.Channel), o.Locale).
			Scan(scanTime(&o.CreatedAt))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = true
			if err := checkTemplateRoom(ctx, tx, tenantID); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_templates (`+templateColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (tenant_id, name, channel, locale) DO UPDATE SET text = excluded.text, subject = excluded.subject,
			html = excluded.html, updated_at = excluded.updated_at`,
			tenantID, o.Name, string(o.Channel), o.Locale, o.Text, o.Subject, o.HTML, ts(o.CreatedAt), ts(o.UpdatedAt)); err != nil {
			return err
		}
		detail := "replaced"
		if created {
			detail = "created"
		}
		if o.Locale != "" {
			detail += " locale " + o.Locale
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionTemplateSaved,
			EntityType: herald.EntityTemplate, EntityID: o.Name, Channel: string(o.Channel), Outcome: herald.AuditOK, Detail: detail, At: now})
	})
	if err != nil {
		return herald.TemplateOverride{}, false, fmt.Errorf("save template %s/%s: %w", o.Name, o.Channel, err)
	}
	return o, created, nil
}

func checkTemplateRoom(ctx context.Context, tx *sql.Tx, tenantID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM tenant_templates WHERE tenant_id = $1", tenantID).Scan(&n); err != nil {
		return err
	}
	if n >= herald.MaxTemplateOverrides {
		return herald.Errorf(herald.ECodeConflict,
			"a tenant keeps at most %d templates (each name counts once per channel); delete one first", herald.MaxTemplateOverrides)
	}
	return nil
}

// DeleteTemplateOverride removes a tenant's template and writes the
// template.deleted audit action in the same transaction.
func (s *Store) DeleteTemplateOverride(ctx context.Context, tenantID, name string, channel herald.Channel, locale string) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM tenant_templates
			WHERE tenant_id = $1 AND name = $2 AND channel = $3 AND locale = $4`, tenantID, name, string(channel), locale)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errNotFound("template")
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionTemplateDeleted,
			EntityType: herald.EntityTemplate, EntityID: name, Channel: string(channel), Outcome: herald.AuditOK,
			Detail: localeDetail(locale), At: s.now()})
	})
	if err != nil {
		return fmt.Errorf("delete template %s/%s: %w", name, channel, err)
	}
	return nil
}

func localeDetail(locale string) string {
	if locale == "" {
		return ""
	}
	return "locale " + locale
}
