package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"herald"
)

// SaveSealedProviders stores a tenant's own provider accounts, already
// sealed, replacing those it had; an empty Sealed removes them. The audit
// entry says which providers are set, never a secret. A missing tenant is
// not_found.
func (s *Store) SaveSealedProviders(ctx context.Context, sp herald.SealedProviders, detail string) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var smsFrom string
		err := tx.QueryRowContext(ctx, "SELECT sms_from FROM tenants WHERE id = $1"+s.db.dialect.forUpdate, sp.TenantID).Scan(&smsFrom)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound("tenant")
		}
		if err != nil {
			return err
		}
		if err := s.keepsSMSFrom(smsFrom, sp); err != nil {
			return err
		}
		now := s.now()
		if sp.Sealed == "" {
			_, err = tx.ExecContext(ctx, "DELETE FROM tenant_providers WHERE tenant_id = $1", sp.TenantID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO tenant_providers (tenant_id, sealed, vonage_api_key, twilio_account_sid,
				vonage_from_number, twilio_from_number, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id) DO UPDATE SET sealed = excluded.sealed,
				vonage_api_key = excluded.vonage_api_key, twilio_account_sid = excluded.twilio_account_sid,
				vonage_from_number = excluded.vonage_from_number, twilio_from_number = excluded.twilio_from_number,
				updated_at = excluded.updated_at`, sp.TenantID, sp.Sealed, sp.VonageAPIKey, sp.TwilioAccountSID,
				herald.NormalizeNumber(sp.VonageFromNumber), herald.NormalizeNumber(sp.TwilioFromNumber), ts(now))
		}
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: sp.TenantID, Action: herald.ActionProvidersUpdated,
			EntityType: herald.EntityTenant, EntityID: sp.TenantID, Outcome: herald.AuditOK, Detail: detail, At: now})
	})
	if err != nil {
		return fmt.Errorf("save tenant providers: %w", err)
	}
	return nil
}

// keepsSMSFrom refuses accounts that would leave the tenant's sms_from a
// number it cannot send from: removing or changing the own account whose
// number the tenant chose. The tenant changes its sms_from first.
func (s *Store) keepsSMSFrom(smsFrom string, sp herald.SealedProviders) error {
	smsFrom = herald.NormalizeNumber(smsFrom)
	if smsFrom == "" || slices.Contains(s.senders, smsFrom) {
		return nil
	}
	for _, n := range []string{sp.VonageFromNumber, sp.TwilioFromNumber} {
		if n != "" && herald.NormalizeNumber(n) == smsFrom {
			return nil
		}
	}
	return herald.Errorf(herald.ECodeConflict,
		"the tenant's sms_from (ending in %s) is a number of the account being removed or changed; "+
			"set the tenant's sms_from to another of its numbers, or empty, first", smsFrom[max(0, len(smsFrom)-4):])
}

// SealedProviders returns a tenant's own accounts as stored; found is
// false when it has none.
func (s *Store) SealedProviders(ctx context.Context, tenantID string) (sp herald.SealedProviders, found bool, err error) {
	return s.sealedWhere(ctx, "tenant_id = $1", tenantID)
}

// SealedProvidersByAccount returns the own accounts of the tenant that
// sends with a provider account: Vonage's api-key or Twilio's AccountSid.
func (s *Store) SealedProvidersByAccount(ctx context.Context, provider, accountID string) (sp herald.SealedProviders, found bool, err error) {
	if accountID == "" {
		return herald.SealedProviders{}, false, nil
	}
	switch provider {
	case "vonage":
		return s.sealedWhere(ctx, "vonage_api_key = $1", accountID)
	case "twilio":
		return s.sealedWhere(ctx, "twilio_account_sid = $1", accountID)
	}
	return herald.SealedProviders{}, false, nil
}

func (s *Store) sealedWhere(ctx context.Context, where string, arg string) (herald.SealedProviders, bool, error) {
	var sp herald.SealedProviders
	err := s.db.QueryRowContext(ctx, `SELECT `+sealedColumns+`
		FROM tenant_providers WHERE `+where+" LIMIT 1", arg).Scan(&sp.TenantID, &sp.Sealed, &sp.VonageAPIKey,
		&sp.TwilioAccountSID, &sp.VonageFromNumber, &sp.TwilioFromNumber, scanTime(&sp.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.SealedProviders{}, false, nil
	}
	if err != nil {
		return herald.SealedProviders{}, false, fmt.Errorf("load tenant providers: %w", err)
	}
	return sp, true, nil
}

// sealedColumns are the columns of tenant_providers a SealedProviders is
// read from.
const sealedColumns = "tenant_id, sealed, vonage_api_key, twilio_account_sid, vonage_from_number, twilio_from_number, updated_at"

// SealedProvidersWithoutNumbers returns the own accounts stored before
// their from numbers were kept beside them, for RecordProviderNumbers.
func (s *Store) SealedProvidersWithoutNumbers(ctx context.Context) ([]herald.SealedProviders, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sealedColumns+` FROM tenant_providers
		WHERE vonage_from_number = '' AND twilio_from_number = '' ORDER BY tenant_id`)
	if err != nil {
		return nil, fmt.Errorf("load tenant providers: %w", err)
	}
	var out []herald.SealedProviders
	err = eachRow(rows, func(rows *sql.Rows) error {
		var sp herald.SealedProviders
		err := rows.Scan(&sp.TenantID, &sp.Sealed, &sp.VonageAPIKey, &sp.TwilioAccountSID, &sp.VonageFromNumber,
			&sp.TwilioFromNumber, scanTime(&sp.UpdatedAt))
		out = append(out, sp)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load tenant providers: %w", err)
	}
	return out, nil
}

// RecordProviderNumbers keeps the from numbers of a tenant's own accounts
// beside them, as read from sealed; accounts changed since (which wrote
// their own numbers) are left alone.
func (s *Store) RecordProviderNumbers(ctx context.Context, tenantID, sealed, vonage, twilio string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE tenant_providers SET vonage_from_number = $1, twilio_from_number = $2
		WHERE tenant_id = $3 AND sealed = $4`, herald.NormalizeNumber(vonage), herald.NormalizeNumber(twilio),
		tenantID, sealed)
	if err != nil {
		return fmt.Errorf("record tenant provider numbers: %w", err)
	}
	return nil
}

// SMSFromNumbers returns the numbers a tenant may choose to send its SMS
// from (its sms_from setting), as herald.NormalizeNumber writes them: the
// operator's, then those of its own accounts.
func (s *Store) SMSFromNumbers(ctx context.Context, tenantID string) ([]string, error) {
	numbers := append([]string(nil), s.senders...)
	var vonage, twilio string
	err := s.db.QueryRowContext(ctx, `SELECT vonage_from_number, twilio_from_number FROM tenant_providers
		WHERE tenant_id = $1`, tenantID).Scan(&vonage, &twilio)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("load tenant provider numbers: %w", err)
	}
	for _, n := range []string{vonage, twilio} {
		if n != "" && !slices.Contains(numbers, n) {
			numbers = append(numbers, n)
		}
	}
	return numbers, nil
}

// SealedProvidersByNumber returns the own accounts of a tenant whose
// account of provider ("vonage", "twilio") sends from number (as
// herald.NormalizeNumber writes it). Should several tenants have given
// the same number, preferTenant's accounts come first, then the first
// tenant by id.
func (s *Store) SealedProvidersByNumber(ctx context.Context, provider, number, preferTenant string) (sp herald.SealedProviders, found bool, err error) {
	number = herald.NormalizeNumber(number)
	if number == "" {
		return herald.SealedProviders{}, false, nil
	}
	var column string
	switch provider {
	case "vonage":
		column = "vonage_from_number"
	case "twilio":
		column = "twilio_from_number"
	default:
		return herald.SealedProviders{}, false, nil
	}
	err = s.db.QueryRowContext(ctx, `SELECT `+sealedColumns+` FROM tenant_providers WHERE `+column+` = $1
		ORDER BY CASE WHEN tenant_id = $2 THEN 0 ELSE 1 END, tenant_id LIMIT 1`, number, preferTenant).Scan(
		&sp.TenantID, &sp.Sealed, &sp.VonageAPIKey, &sp.TwilioAccountSID, &sp.VonageFromNumber, &sp.TwilioFromNumber,
		scanTime(&sp.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.SealedProviders{}, false, nil
	}
	if err != nil {
		return herald.SealedProviders{}, false, fmt.Errorf("load tenant providers by number: %w", err)
	}
	return sp, true, nil
}
