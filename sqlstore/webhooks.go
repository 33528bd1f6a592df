package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"herald"
)

var _ herald.WebhookStore = (*Store)(nil)

// nonceLifetime is how long a signed webhook's nonce is remembered. The
// webhooks accept timestamps up to five minutes either side of now, so a
// captured request stays acceptable for at most ten minutes after it was
// first seen; a little more is kept.
const nonceLifetime = 15 * time.Minute

// Kinds of webhook events.
const (
	eventReceipt = "receipt"
	eventInbound = "inbound"
	eventReply   = "reply"
)

// webhookEvent is one row of webhook_events.
type webhookEvent struct {
	provider, kind, key string
	tenantID, entityID  string
	outcome, detail     string
	at                  time.Time
}

// recordEvent stores ev and reports false when an event with the same key
// is already stored: the provider sent it again. On PostgreSQL a
// concurrent copy waits on the unique index until the first commits.
func recordEvent(ctx context.Context, q queryer, ev webhookEvent) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO webhook_events (id, provider, kind, event_key, tenant_id, entity_id,
		outcome, detail, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (provider, kind, event_key) DO NOTHING`,
		herald.NewID("whk_"), ev.provider, ev.kind, ev.key, ev.tenantID, ev.entityID, ev.outcome, ev.detail, ts(ev.at))
	if err != nil {
		return false, fmt.Errorf("record webhook event: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// forgetOldNonces removes the nonces of webhooks too old to be accepted
// anyway. It runs on its own, before the webhook's transaction, so that
// webhooks arriving together do not wait on each other's clean-up.
func (s *Store) forgetOldNonces(ctx context.Context, nonce string, at time.Time) error {
	if nonce == "" {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, "DELETE FROM webhook_nonces WHERE seen_at < $1", ts(at.Add(-nonceLifetime))); err != nil {
		return fmt.Errorf("forget old nonces: %w", err)
	}
	return nil
}

// claimNonce remembers a signed webhook's nonce, refusing one already
// used: a replayed request. It runs in the transaction of the webhook's
// effect, so a webhook that fails and is retried keeps its nonce usable.
func claimNonce(ctx context.Context, q queryer, provider, nonce string, at time.Time) error {
	if nonce == "" {
		return nil
	}
	res, err := q.ExecContext(ctx, `INSERT INTO webhook_nonces (provider, nonce, seen_at) VALUES ($1, $2, $3)
		ON CONFLICT (provider, nonce) DO NOTHING`, provider, nonce, ts(at))
	if err != nil {
		return fmt.Errorf("claim nonce: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return herald.Errorf(herald.ECodeUnauthorized, "the webhook's nonce was already used: the request is a replay")
	}
	return nil
}

// attemptMatch is the attempt a receipt reports on.
type attemptMatch struct {
	attemptID, tenantID, reminderID string
}

// matchAttempt finds the attempt of a receipt through what Herald issued:
// the reference it gave the provider, else the message id the provider
// answered with. Neither can be guessed, and both came back in a signed
// request, so the tenant they lead to is the right one.
func matchAttempt(ctx context.Context, q queryer, rc herald.Receipt) (*attemptMatch, error) {
	var m attemptMatch
	if rc.Reference != "" {
		err := q.QueryRowContext(ctx, "SELECT id, tenant_id, reminder_id FROM attempts WHERE reference = $1",
			rc.Reference).Scan(&m.attemptID, &m.tenantID, &m.reminderID)
		if err == nil {
			return &m, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("match receipt: %w", err)
		}
	}
	if rc.MessageID == "" {
		return nil, nil
	}
	// provider_message_id <> '' lets PostgreSQL use the partial index on it.
	err := q.QueryRowContext(ctx, `SELECT id, tenant_id, reminder_id FROM attempts
		WHERE provider_message_id = $1 AND provider_message_id <> '' AND provider = $2
		ORDER BY started_at DESC, id DESC LIMIT 1`,
		rc.MessageID, rc.Provider).Scan(&m.attemptID, &m.tenantID, &m.reminderID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("match receipt: %w", err)
	}
	return &m, nil
}

// ApplyReceipt matches a delivery receipt to its attempt and lets decide
// change the reminder, locked as the worker locks it, so a receipt that
// arrives while the send is being recorded waits for it or goes first,
// never half-way. A resend plans the reminder's job anew, due at once.
func (s *Store) ApplyReceipt(ctx context.Context, rc herald.Receipt, decide herald.ReceiptDecider) (herald.ReceiptOutcome, error) {
	var out herald.ReceiptOutcome
	at := rc.ReceivedAt.UTC().Truncate(time.Microsecond)
	if err := s.forgetOldNonces(ctx, rc.Nonce, at); err != nil {
		return herald.ReceiptOutcome{}, err
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		out = herald.ReceiptOutcome{}
		if err := claimNonce(ctx, tx, rc.Provider, rc.Nonce, at); err != nil {
			return err
		}
		match, err := matchAttempt(ctx, tx, rc)
		if err != nil {
			return err
		}
		ev := webhookEvent{provider: rc.Provider, kind: eventReceipt, key: rc.Key(), outcome: string(rc.Status), at: at,
			detail: fmt.Sprintf("%s %s (error %q) for message %q ref %q to %s", rc.Provider, rc.ProviderStatus,
				rc.ErrorCode, rc.MessageID, rc.Reference, herald.MaskPhone(rc.Recipient))}
		if match != nil {
			ev.tenantID, ev.entityID = match.tenantID, match.reminderID
		}
		fresh, err := recordEvent(ctx, tx, ev)
		switch {
		case err != nil:
			return err
		case !fresh:
			out.Result = herald.ReceiptDuplicate
			return nil
		case match == nil:
			out.Result = herald.ReceiptUnmatched
			return nil
		}
		st, err := s.loadDelivery(ctx, tx, match.tenantID, match.reminderID)
		if err != nil {
			return err
		}
		before := st.Reminder
		var attempt *herald.Attempt
		for i := range st.Attempts {
			if st.Attempts[i].ID == match.attemptID {
				attempt = &st.Attempts[i]
			}
		}
		if attempt == nil {
			return fmt.Errorf("apply receipt: attempt %s not among its reminder's", match.attemptID)
		}
		rc.ReceivedAt = at
		if decide(st, attempt, rc) {
			if err := s.jobs.ScheduleReminders(ctx, tx, []*herald.Reminder{&st.Reminder}); err != nil {
				return fmt.Errorf("plan resend: %w", err)
			}
			out.Resent = true
		}
		if err := s.saveDelivery(ctx, tx, st, before); err != nil {
			return err
		}
		out.Result, out.TenantID, out.ReminderID = herald.ReceiptApplied, match.tenantID, match.reminderID
		return nil
	})
	if err != nil {
		return herald.ReceiptOutcome{}, fmt.Errorf("apply %s receipt: %w", rc.Provider, err)
	}
	return out, nil
}

// RecordReply writes an answer to an inbound SMS into its tenant's audit
// trail, and into the webhook record for a number Herald never wrote to.
func (s *Store) RecordReply(ctx context.Context, r herald.Reply) error {
	at := r.At.UTC().Truncate(time.Microsecond)
	from := ""
	if r.From != "" {
		from = " from " + herald.NormalizeNumber(r.From)
	}
	outcome, detail := herald.AuditReplySent, fmt.Sprintf("reply to %s sent%s to %s", r.Kind, from, herald.MaskPhone(r.To))
	if r.Error != "" {
		outcome, detail = herald.AuditRefused, fmt.Sprintf("reply to %s%s for %s refused: %s", r.Kind, from,
			herald.MaskPhone(r.To), r.Error)
	}
	key := r.MessageID
	if key == "" {
		key = herald.NewID("rpl_")
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := recordEvent(ctx, tx, webhookEvent{provider: r.Provider, kind: eventReply, key: key,
			tenantID: r.TenantID, entityID: r.LeadID, outcome: outcome, detail: detail, at: at}); err != nil {
			return err
		}
		if r.TenantID == "" {
			return nil
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: r.TenantID, Action: herald.ActionReplySent,
			EntityType: herald.EntityLead, EntityID: r.LeadID, Channel: string(herald.ChannelSMS), Provider: r.Provider,
			Outcome: outcome, Detail: detail, At: at})
	})
	if err != nil {
		return fmt.Errorf("record reply: %w", err)
	}
	return nil
}
