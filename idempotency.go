package herald

import (
	"context"
	"errors"
	"time"
)

// IdempotencyTTL is how long a tenant's Idempotency-Key and its answer are
// kept: a repeat within it replays the first answer, a later one is a new
// request.
const IdempotencyTTL = 24 * time.Hour

// MaxIdempotencyKey bounds the length of an Idempotency-Key.
const MaxIdempotencyKey = 255

// IdempotencyStore records the answers of creating requests that carry an
// Idempotency-Key, so a repeat answers the same and never creates twice.
//
// A request first claims its key. While the claim is held, any transaction
// of the store run with the claim in its context (see
// WithIdempotencyClaim) marks the claim applied in that same transaction,
// so the store knows whether the request changed anything even if the
// process dies before the answer is recorded. FinishIdempotentRequest then
// records the answer.
type IdempotencyStore interface {
	// ClaimIdempotencyKey claims req's key for the tenant. It returns a
	// claim to run the request under, or the recorded answer of an earlier
	// request with the same key and hash (Replay set). A key used with
	// another hash is an idempotency_key_reused *Error; a key whose first
	// request is still running is an idempotency_in_progress *Error.
	ClaimIdempotencyKey(ctx context.Context, tenantID string, req IdempotentRequest) (IdempotencyClaim, error)
	// FinishIdempotentRequest records the answer of a claimed request.
	// An answer that is not a success of a request that changed nothing is
	// not kept: the claim is dropped, so the request can be tried again.
	FinishIdempotentRequest(ctx context.Context, claim IdempotencyClaim, resp IdempotentResponse) error
}

// IdempotentRequest is a request with an Idempotency-Key: Hash digests
// what the request asks (method, path and body), so a repeat with another
// body is told apart.
type IdempotentRequest struct {
	Key  string
	Hash string
}

// IdempotencyClaim is a claimed key, or the answer to replay.
type IdempotencyClaim struct {
	TenantID string
	Key      string
	// Owner tells this claim from a later one that took the key over
	// after this one was abandoned.
	Owner string
	// Replay is the recorded answer when the key was already used with
	// the same request; the claim then holds nothing.
	Replay *IdempotentResponse
}

// IdempotentResponse is a recorded answer.
type IdempotentResponse struct {
	Status int
	// ContentType and Location are the headers a replay repeats.
	ContentType string
	Location    string
	Body        []byte
}

// ErrIdempotentAnswerLost is in the chain of the idempotency_in_progress
// *Error of a key whose first request changed something but recorded no
// answer within its lease (its process stopped, or the database went away
// before the answer was kept): the request never runs again, and waiting
// for its answer is useless until the key expires.
var ErrIdempotentAnswerLost = errors.New("idempotent request changed something but its answer was lost")

type idempotencyClaimKey struct{}

// WithIdempotencyClaim returns ctx carrying claim: the store's
// transactions run with it mark the claim applied.
func WithIdempotencyClaim(ctx context.Context, claim IdempotencyClaim) context.Context {
	return context.WithValue(ctx, idempotencyClaimKey{}, claim)
}

// IdempotencyClaimFrom returns the claim ctx carries.
func IdempotencyClaimFrom(ctx context.Context) (IdempotencyClaim, bool) {
	c, ok := ctx.Value(idempotencyClaimKey{}).(IdempotencyClaim)
	return c, ok
}
