package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"herald"
)

// optOutKeyName names the key of phoneHash in installation_keys.
const optOutKeyName = "sms-opt-out"

// phoneHash is how sms_opt_outs names a phone, and the one place that
// computes it: the HMAC-SHA256 of its E.164 form under the installation's
// opt-out key, in hex, so that an opt-out can outlive the erasure of every
// lead with that phone without keeping the number. Phone numbers are few
// enough to be found again from an unkeyed hash by trying them all; without
// the key, which stays in the database, they cannot be.
func phoneHash(key []byte, phone string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(phone))
	return hex.EncodeToString(mac.Sum(nil))
}

// optOutKey returns the installation's opt-out key, read through q (the
// caller's transaction, if any) on first use and then kept in memory.
// Migrate writes the key; a database without one gets one here, every
// process agreeing on the first that is committed.
func (s *Store) optOutKey(ctx context.Context, q queryer) ([]byte, error) {
	if key := s.phoneKey.Load(); key != nil {
		return *key, nil
	}
	key, created, err := ensureInstallationKey(ctx, q, optOutKeyName)
	if err != nil {
		return nil, fmt.Errorf("load the opt-out key: %w", err)
	}
	// A key this transaction created is not kept until it is committed:
	// should the transaction roll back, another one may win.
	if !created {
		s.phoneKey.Store(&key)
	}
	return key, nil
}

// ensureInstallationKey returns the installation key called name, creating
// a random one when there is none. created reports that this call wrote it
// (in q's transaction, which may not be committed yet).
func ensureInstallationKey(ctx context.Context, q queryer, name string) (key []byte, created bool, err error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, false, err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO installation_keys (name, key) VALUES ($1, $2)
		ON CONFLICT (name) DO NOTHING`, name, hex.EncodeToString(fresh))
	if err != nil {
		return nil, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, err
	}
	var stored string
	if err := q.QueryRowContext(ctx, `SELECT key FROM installation_keys WHERE name = $1`, name).Scan(&stored); err != nil {
		return nil, false, err
	}
	key, err = hex.DecodeString(stored)
	if err != nil || len(key) < 32 {
		return nil, false, fmt.Errorf("installation key %s is not 32 bytes in hex", name)
	}
	return key, n == 1, nil
}

// operatorSender reports whether sender is one of the operator's numbers
// (the providers' own from numbers).
func (s *Store) operatorSender(sender string) bool {
	return sender != "" && slices.Contains(s.senders, sender)
}

// sendsFrom is the condition that tenant t, joined with its own accounts
// as p (LEFT JOIN tenant_providers p ON p.tenant_id = t.id), sends SMS
// from the number bound to placeholder arg (docs/RULES.md, "Inbound
// texts"): the number is its sms_from; or, without one, a from number of
// its own accounts; or, with neither, one of the operator's (operator
// says the number is); or one of its SMS went from it.
func sendsFrom(arg string, operator bool) string {
	cond := `(t.sms_from = ` + arg + `
		OR (t.sms_from = '' AND (p.vonage_from_number = ` + arg + ` OR p.twilio_from_number = ` + arg + `))`
	if operator {
		cond += `
		OR (t.sms_from = '' AND COALESCE(p.vonage_from_number, '') = '' AND COALESCE(p.twilio_from_number, '') = '')`
	}
	return cond + `
		OR EXISTS (SELECT 1 FROM attempts a WHERE a.tenant_id = t.id AND a.sender = ` + arg + ` AND a.sender <> ''))`
}

// tenantSendsFrom reports whether a tenant sends SMS from sender (see
// sendsFrom).
func (s *Store) tenantSendsFrom(ctx context.Context, q queryer, tenantID, sender string) (bool, error) {
	if sender == "" {
		return false, nil
	}
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM tenants t LEFT JOIN tenant_providers p ON p.tenant_id = t.id
		WHERE t.id = $1 AND `+sendsFrom("$2", s.operatorSender(sender)), tenantID, sender).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// tenantsSendingFrom returns the ids of the tenants that send from sender
// (see sendsFrom), in order.
func (s *Store) tenantsSendingFrom(ctx context.Context, q queryer, sender string) ([]string, error) {
	if sender == "" {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT t.id FROM tenants t LEFT JOIN tenant_providers p ON p.tenant_id = t.id
		WHERE `+sendsFrom("$1", s.operatorSender(sender))+` ORDER BY t.id`, sender)
	if err != nil {
		return nil, fmt.Errorf("find tenants sending from %s: %w", sender, err)
	}
	var ids []string
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id string
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find tenants sending from %s: %w", sender, err)
	}
	return ids, nil
}

// phoneOptOuts returns the opt-outs on record for each of phones, by phone.
func (s *Store) phoneOptOuts(ctx context.Context, q queryer, phones []string) (map[string][]herald.PhoneOptOut, error) {
	out := map[string][]herald.PhoneOptOut{}
	if !slices.ContainsFunc(phones, func(p string) bool { return p != "" }) {
		return out, nil
	}
	key, err := s.optOutKey(ctx, q)
	if err != nil {
		return nil, err
	}
	byKey := map[string]string{}
	var args []any
	for _, p := range phones {
		if p == "" {
			continue
		}
		k := phoneHash(key, p)
		if _, dup := byKey[k]; !dup {
			byKey[k] = p
			args = append(args, k)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	args = padded(args)
	rows, err := q.QueryContext(ctx, `SELECT phone_hash, sender, provider, cause, opted_out_at FROM sms_opt_outs
		WHERE phone_hash IN (`+placeholders(1, len(args))+`) ORDER BY opted_out_at, sender`, args...)
	if err != nil {
		return nil, fmt.Errorf("load opt-outs: %w", err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var key string
		var o herald.PhoneOptOut
		if err := rows.Scan(&key, &o.Sender, &o.Provider, &o.Cause, scanTime(&o.At)); err != nil {
			return err
		}
		out[byKey[key]] = append(out[byKey[key]], o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load opt-outs: %w", err)
	}
	return out, nil
}

// recordOptOut is the one writer of consent to SMS: a STOP or START, a
// receipt that says the recipient unsubscribed, a provider's refusal at
// send time. It keeps the opt-out for the phone and the number, and
// changes every lead with that phone in every tenant that sends from that
// number (and o.Lead), writing the change into each tenant's audit trail.
// It returns the leads concerned.
func (s *Store) recordOptOut(ctx context.Context, tx *sql.Tx, o herald.OptOut) ([]herald.LeadRef, error) {
	at := o.At.UTC().Truncate(time.Microsecond)
	if o.Phone == "" {
		return nil, nil
	}
	if o.Sender != "" {
		key, err := s.optOutKey(ctx, tx)
		if err != nil {
			return nil, err
		}
		if o.OptedOut {
			_, err = tx.ExecContext(ctx, `INSERT INTO sms_opt_outs (phone_hash, sender, provider, cause, opted_out_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (phone_hash, sender) DO NOTHING`,
				phoneHash(key, o.Phone), o.Sender, o.Provider, o.Cause, ts(at))
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM sms_opt_outs WHERE phone_hash = $1 AND sender = $2`,
				phoneHash(key, o.Phone), o.Sender)
		}
		if err != nil {
			return nil, fmt.Errorf("record opt-out of %s: %w", herald.MaskPhone(o.Phone), err)
		}
	}
	// Every lead with the phone, in the tenants that send from the number.
	var query string
	var args []any
	if o.Sender != "" {
		query, args = `SELECT l.id, l.tenant_id, l.sms_opted_out FROM leads l JOIN tenants t ON t.id = l.tenant_id
			LEFT JOIN tenant_providers p ON p.tenant_id = t.id
			WHERE l.phone = $1 AND l.phone <> '' AND `+sendsFrom("$2", s.operatorSender(o.Sender)),
			[]any{o.Phone, o.Sender}
	}
	if o.Lead != nil {
		if query == "" {
			query = `SELECT l.id, l.tenant_id, l.sms_opted_out FROM leads l WHERE l.tenant_id = $1 AND l.id = $2`
		} else {
			n := len(args)
			query += fmt.Sprintf(` UNION SELECT l.id, l.tenant_id, l.sms_opted_out FROM leads l
				WHERE l.tenant_id = $%d AND l.id = $%d`, n+1, n+2)
		}
		args = append(args, o.Lead.TenantID, o.Lead.LeadID)
	}
	if query == "" {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, tenant_id, sms_opted_out FROM (`+query+`) AS concerned
		ORDER BY tenant_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find leads of %s: %w", herald.MaskPhone(o.Phone), err)
	}
	type found struct {
		ref      herald.LeadRef
		optedOut bool
	}
	var leads []found
	err = eachRow(rows, func(rows *sql.Rows) error {
		var f found
		err := rows.Scan(&f.ref.LeadID, &f.ref.TenantID, &f.optedOut)
		leads = append(leads, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find leads: %w", err)
	}
	action, outcome := herald.ActionLeadOptedIn, herald.AuditOptedIn
	var optedOutAt any
	if o.OptedOut {
		action, outcome, optedOutAt = herald.ActionLeadOptedOut, herald.AuditOptedOut, ts(at)
	}
	refs := make([]herald.LeadRef, 0, len(leads))
	audit := make([]herald.AuditAction, 0, len(leads))
	var events []herald.Event
	for _, l := range leads {
		refs = append(refs, l.ref)
		if l.optedOut == o.OptedOut {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE leads SET sms_opted_out = $1, sms_opted_out_at = $2,
			updated_at = $3 WHERE tenant_id = $4 AND id = $5`,
			o.OptedOut, optedOutAt, ts(at), l.ref.TenantID, l.ref.LeadID); err != nil {
			return nil, fmt.Errorf("change consent of lead %s: %w", l.ref.LeadID, err)
		}
		lead, err := loadLead(ctx, tx, l.ref.TenantID, l.ref.LeadID, "")
		if err != nil {
			return nil, err
		}
		events = append(events, herald.NewEvent(lead.TenantID, optEvent(o.OptedOut), lead.ID, lead, at))
		audit = append(audit, herald.AuditAction{TenantID: l.ref.TenantID, Action: action, EntityType: herald.EntityLead,
			EntityID: l.ref.LeadID, Channel: string(herald.ChannelSMS), Provider: o.Provider, Outcome: outcome,
			Detail: o.Cause + " from " + herald.MaskPhone(o.Phone) + " to " + o.Sender, At: at})
	}
	if err := writeAudit(ctx, tx, audit...); err != nil {
		return nil, err
	}
	return refs, s.writeEvents(ctx, tx, events...)
}

// optEvent is the event of a lead's change of consent.
func optEvent(optedOut bool) herald.EventType {
	if optedOut {
		return herald.EventLeadOptedOut
	}
	return herald.EventLeadOptedIn
}

// applyKnownOptOut opts a lead that is created or changed out of SMS when
// its phone has an opt-out on record from a number its tenant sends from,
// and returns the audit entry that says why (nil when nothing applies).
func (s *Store) applyKnownOptOut(ctx context.Context, tx *sql.Tx, l *herald.Lead, at time.Time) (*herald.AuditAction, error) {
	if l.Phone == "" || l.SMSOptedOut {
		return nil, nil
	}
	known, err := s.phoneOptOuts(ctx, tx, []string{l.Phone})
	if err != nil {
		return nil, err
	}
	for _, o := range known[l.Phone] {
		sends, err := s.tenantSendsFrom(ctx, tx, l.TenantID, o.Sender)
		if err != nil {
			return nil, fmt.Errorf("check opt-out: %w", err)
		}
		if !sends {
			continue
		}
		l.SMSOptedOut, l.SMSOptedOutAt = true, &at
		return &herald.AuditAction{TenantID: l.TenantID, Action: herald.ActionLeadOptedOut, EntityType: herald.EntityLead,
			EntityID: l.ID, Channel: string(herald.ChannelSMS), Provider: o.Provider, Outcome: herald.AuditOptedOut,
			Detail: herald.MaskPhone(l.Phone) + " opted out of SMS from " + o.Sender + " on " +
				o.At.UTC().Format(time.RFC3339) + " (" + o.Cause + ")", At: at}, nil
	}
	return nil, nil
}
