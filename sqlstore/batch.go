package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"herald"
)

// batchChunk is how many items of a batch share one transaction, each in a
// savepoint of its own: one commit per chunk instead of three per item,
// while no transaction holds the writer for long.
const batchChunk = 50

// batchWorkers is how many transactions book one batch at once on
// PostgreSQL; SQLite has one writer, so there a batch is booked in one go.
const batchWorkers = 4

// BookMeetingBatch books each item in a savepoint of its own, so a failing
// item rolls back alone, and commits every batchChunk items. On PostgreSQL
// the items are shared among batchWorkers transactions by their key, so two
// items with one key are always booked by the same transaction, in order.
func (s *Store) BookMeetingBatch(ctx context.Context, tenantID string, items []herald.BatchBooking,
	answer func(herald.Meeting) herald.IdempotentResponse) ([]herald.BatchOutcome, error) {
	workers := 1
	if s.db.dialect.name == "postgres" {
		workers = batchWorkers
	}
	shares := make([][]int, workers)
	for i, it := range items {
		h := fnv.New32a()
		h.Write([]byte(it.Request.Key))
		w := int(h.Sum32() % uint32(workers))
		shares[w] = append(shares[w], i)
	}
	out := make([]herald.BatchOutcome, len(items))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w, share := range shares {
		wg.Go(func() { errs[w] = s.bookBatchShare(ctx, tenantID, items, share, out, answer) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("book batch: %w", err)
	}
	return out, nil
}

// bookBatchShare books the items of indices, batchChunk to a transaction,
// and writes their outcomes in out. A chunk whose transaction fails has
// each of its items fail; only a cancelled context stops the share.
func (s *Store) bookBatchShare(ctx context.Context, tenantID string, items []herald.BatchBooking, indices []int,
	out []herald.BatchOutcome, answer func(herald.Meeting) herald.IdempotentResponse) error {
	for start := 0; start < len(indices); start += batchChunk {
		chunk := indices[start:min(start+batchChunk, len(indices))]
		err := s.db.inTxRaw(ctx, func(tx *sql.Tx) error {
			now := s.now()
			if _, err := tx.ExecContext(ctx, "DELETE FROM idempotent_requests WHERE tenant_id = $1 AND created_at < $2",
				tenantID, ts(now.Add(-herald.IdempotencyTTL))); err != nil {
				return err
			}
			for _, i := range chunk {
				if _, err := tx.ExecContext(ctx, "SAVEPOINT batch_item"); err != nil {
					return err
				}
				out[i] = s.bookKeyed(ctx, tx, tenantID, items[i], now, answer, batchKeyWords)
				if out[i].Err != nil {
					if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT batch_item"); err != nil {
						return err
					}
				}
				if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT batch_item"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// Nothing of this chunk was kept: each of its items says so.
			for _, i := range chunk {
				out[i] = herald.BatchOutcome{Err: fmt.Errorf("book batch: %w", err)}
			}
		}
	}
	return nil
}

// keyWords are how errors name an idempotency key (field) and ask for the
// request again (later).
type keyWords struct{ field, later string }

var (
	batchKeyWords  = keyWords{field: "idempotency_key", later: "send the item again later"}
	headerKeyWords = keyWords{field: "Idempotency-Key", later: "repeat it later"}
)

// bookKeyed answers one booking with an idempotency key in tx: from its
// key's record, or by booking it and recording the answer. A record older
// than herald.IdempotencyTTL is forgotten.
func (s *Store) bookKeyed(ctx context.Context, tx *sql.Tx, tenantID string, item herald.BatchBooking, now time.Time,
	answer func(herald.Meeting) herald.IdempotentResponse, words keyWords) herald.BatchOutcome {
	req, field := item.Request, words.field
	rec, err := recordOf(ctx, tx, tenantID, req.Key)
	expired := rec != nil && rec.createdAt.Before(now.Add(-herald.IdempotencyTTL))
	switch {
	case err != nil:
		return herald.BatchOutcome{Err: err}
	case expired:
	case rec != nil && rec.hash != req.Hash:
		return herald.BatchOutcome{Err: herald.FieldErrorf(herald.ECodeIdemMismatch, field,
			"%s %q was already used with a different request", field, req.Key)}
	case rec != nil && rec.answer != nil:
		return herald.BatchOutcome{Answer: *rec.answer, Replayed: true}
	case rec != nil && rec.applied && !rec.lockedUntil.After(now):
		return herald.BatchOutcome{Err: answerLost(field, req.Key)}
	case rec != nil && (rec.applied || rec.lockedUntil.After(now)):
		return herald.BatchOutcome{Err: herald.FieldErrorf(herald.ECodeIdemInProgress, field,
			"the first request with %s %q has not finished; %s", field, req.Key, words.later)}
	}
	if item.Invalid != nil {
		return herald.BatchOutcome{Err: item.Invalid}
	}
	if rec != nil { // expired, or abandoned before it changed anything
		if _, err := tx.ExecContext(ctx, "DELETE FROM idempotent_requests WHERE tenant_id = $1 AND key = $2",
			tenantID, req.Key); err != nil {
			return herald.BatchOutcome{Err: err}
		}
	}
	m, err := s.bookMeetingTx(ctx, tx, tenantID, herald.NewID("mtg_"), item.Input, now)
	if err != nil {
		return herald.BatchOutcome{Err: err}
	}
	resp := answer(m)
	header, err := json.Marshal(replayHeader{ContentType: resp.ContentType, Location: resp.Location})
	if err != nil {
		return herald.BatchOutcome{Err: err}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotent_requests (tenant_id, key, request_hash, owner, applied, status,
		header, body, created_at, locked_until) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $8)
		ON CONFLICT (tenant_id, key) DO NOTHING`,
		tenantID, req.Key, req.Hash, herald.NewID("idc_"), resp.Status, string(header), string(resp.Body), ts(now))
	if err != nil {
		return herald.BatchOutcome{Err: err}
	}
	if n, _ := res.RowsAffected(); n != 1 {
		// A request with the same key claimed it meanwhile.
		return herald.BatchOutcome{Err: herald.FieldErrorf(herald.ECodeIdemInProgress, field,
			"another request with %s %q is running; %s", field, req.Key, words.later)}
	}
	return herald.BatchOutcome{Answer: resp}
}

// idempotencyRecord is the row of a used key.
type idempotencyRecord struct {
	hash, owner string
	applied     bool
	createdAt   time.Time
	lockedUntil time.Time
	// answer is the recorded answer, nil while the first request runs.
	answer *herald.IdempotentResponse
}

// recordOf reads the record of a tenant's key; nil when the key is unused.
func recordOf(ctx context.Context, q queryer, tenantID, key string) (*idempotencyRecord, error) {
	var (
		rec             idempotencyRecord
		header, body    string
		applied, status int
	)
	err := q.QueryRowContext(ctx, `SELECT request_hash, owner, applied, status, header, body, created_at, locked_until
		FROM idempotent_requests WHERE tenant_id = $1 AND key = $2`, tenantID, key).
		Scan(&rec.hash, &rec.owner, &applied, &status, &header, &body, scanTime(&rec.createdAt), scanTime(&rec.lockedUntil))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	rec.applied = applied == 1
	if status != 0 {
		var h replayHeader
		if header != "" {
			if err := json.Unmarshal([]byte(header), &h); err != nil {
				return nil, fmt.Errorf("recorded header: %w", err)
			}
		}
		rec.answer = &herald.IdempotentResponse{Status: status, ContentType: h.ContentType, Location: h.Location, Body: []byte(body)}
	}
	return &rec, nil
}
