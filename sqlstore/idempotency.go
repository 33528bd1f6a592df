package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"herald"
)

// idempotencyLease is how long a claimed Idempotency-Key is held for its
// first request. A repeat within it waits or is told the first is still
// running; after it, a repeat may take the key over, but only if the first
// request changed nothing (see markIdempotencyApplied).
const idempotencyLease = time.Minute

// replayHeader holds the headers a replay repeats.
type replayHeader struct {
	ContentType string `json:"content_type,omitempty"`
	Location    string `json:"location,omitempty"`
}

// ClaimIdempotencyKey claims req's key for the tenant, or returns the
// answer recorded for it. Keys older than herald.IdempotencyTTL are
// forgotten first. On PostgreSQL a concurrent claim of the same key waits
// on the primary key until the first claim commits.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, tenantID string, req herald.IdempotentRequest) (herald.IdempotencyClaim, error) {
	claim := herald.IdempotencyClaim{TenantID: tenantID, Key: req.Key, Owner: herald.NewID("idc_")}
	err := s.db.inTxRaw(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, "DELETE FROM idempotent_requests WHERE tenant_id = $1 AND created_at < $2",
			tenantID, ts(now.Add(-herald.IdempotencyTTL))); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotent_requests (tenant_id, key, request_hash, owner, created_at, locked_until)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, key) DO NOTHING`,
			tenantID, req.Key, req.Hash, claim.Owner, ts(now), ts(now.Add(idempotencyLease)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		rec, err := recordOf(ctx, tx, tenantID, req.Key)
		switch {
		case err != nil:
			return err
		case rec == nil:
			return fmt.Errorf("idempotency key %q neither inserted nor found", req.Key)
		case rec.hash != req.Hash:
			return herald.FieldErrorf(herald.ECodeIdemMismatch, "Idempotency-Key",
				"Idempotency-Key %q was already used with a different request", req.Key)
		case rec.answer != nil:
			claim.Owner = ""
			claim.Replay = rec.answer
			return nil
		case !rec.applied && !rec.lockedUntil.After(now):
			// The first request was abandoned before it changed anything:
			// this one takes the key over.
			_, err := tx.ExecContext(ctx, `UPDATE idempotent_requests SET owner = $1, locked_until = $2
				WHERE tenant_id = $3 AND key = $4 AND owner = $5`,
				claim.Owner, ts(now.Add(idempotencyLease)), tenantID, req.Key, rec.owner)
			return err
		}
		if rec.applied && !rec.lockedUntil.After(now) {
			return answerLost("Idempotency-Key", req.Key)
		}
		return herald.FieldErrorf(herald.ECodeIdemInProgress, "Idempotency-Key",
			"the first request with Idempotency-Key %q has not finished; repeat it later", req.Key)
	})
	if err != nil {
		return herald.IdempotencyClaim{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	return claim, nil
}

// FinishIdempotentRequest records the answer of a claimed request. A
// failure of a request that changed nothing drops the claim instead.
func (s *Store) FinishIdempotentRequest(ctx context.Context, claim herald.IdempotencyClaim, resp herald.IdempotentResponse) error {
	err := s.db.inTxRaw(ctx, func(tx *sql.Tx) error {
		return finishIdempotentRequest(ctx, tx, claim, resp)
	})
	if err != nil {
		return fmt.Errorf("finish idempotent request: %w", err)
	}
	return nil
}

func finishIdempotentRequest(ctx context.Context, tx *sql.Tx, claim herald.IdempotencyClaim, resp herald.IdempotentResponse) error {
	if resp.Status < 200 || resp.Status > 299 {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotent_requests
			WHERE tenant_id = $1 AND key = $2 AND owner = $3 AND applied = 0`, claim.TenantID, claim.Key, claim.Owner)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
	}
	header, err := json.Marshal(replayHeader{ContentType: resp.ContentType, Location: resp.Location})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE idempotent_requests SET status = $1, header = $2, body = $3
		WHERE tenant_id = $4 AND key = $5 AND owner = $6`,
		resp.Status, string(header), string(resp.Body), claim.TenantID, claim.Key, claim.Owner)
	return err
}

// answerLost is the idempotency_in_progress error of a key whose first
// request changed something but recorded no answer within its lease: it
// carries herald.ErrIdempotentAnswerLost, so nobody waits for the answer.
func answerLost(field, key string) error {
	return fmt.Errorf("%w: %w", herald.ErrIdempotentAnswerLost, herald.FieldErrorf(herald.ECodeIdemInProgress, field,
		"the first request with %s %q changed something, but its answer was not recorded; it will not run again, "+
			"and the key stays taken until it expires", field, key))
}

// markIdempotencyApplied marks the claim that ctx carries, if any, as
// applied, in tx: the change tx makes and the mark commit together, so a
// repeat never takes over a key whose request already changed something.
// A claim taken over meanwhile fails tx.
func markIdempotencyApplied(ctx context.Context, tx *sql.Tx) error {
	claim, _ := herald.IdempotencyClaimFrom(ctx)
	return markClaimApplied(ctx, tx, claim)
}

// markClaimApplied is markIdempotencyApplied of a claim given; a claim
// without an owner marks nothing.
func markClaimApplied(ctx context.Context, tx *sql.Tx, claim herald.IdempotencyClaim) error {
	if claim.Owner == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE idempotent_requests SET applied = 1
		WHERE tenant_id = $1 AND key = $2 AND owner = $3`, claim.TenantID, claim.Key, claim.Owner)
	if err != nil {
		return fmt.Errorf("mark idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return herald.FieldErrorf(herald.ECodeIdemInProgress, "Idempotency-Key",
			"a repeat took Idempotency-Key %q over; repeat the request to get its answer", claim.Key)
	}
	return nil
}
