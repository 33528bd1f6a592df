package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"herald"
)

// MaxIdempotencyKey bounds the Idempotency-Key header.
const MaxIdempotencyKey = herald.MaxIdempotencyKey

// idempotencyWait bounds how long a repeat waits for the first request with
// its key before it answers 409 idempotency_in_progress.
const idempotencyWait = 10 * time.Second

// idempotent makes a creating route honour the Idempotency-Key header: the
// first request with a key runs and its answer is recorded; a repeat with
// the same method, path and body answers the recorded status and body with
// Idempotent-Replayed: true, however the objects have changed since; the
// same key with another request answers 422 idempotency_key_reused. A
// request without the header runs as it is.
func (s *Server) idempotent(h tenantHandler) tenantHandler {
	return s.idempotentWith(h, false)
}

// idempotentSealed is idempotent for a route whose answer holds a secret
// shown once: the recorded answer is sealed with the caller's API key (see
// sealAnswer), so only a repeat with that API key replays it.
func (s *Server) idempotentSealed(h tenantHandler) tenantHandler {
	return s.idempotentWith(h, true)
}

func (s *Server) idempotentWith(h tenantHandler, sealed bool) tenantHandler {
	return func(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
		key, present, err := idempotencyKey(r)
		if err != nil || !present {
			if err != nil {
				return err
			}
			return h(w, r, t)
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			return jsonError(err, MaxBodyBytes)
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		req := herald.IdempotentRequest{Key: key, Hash: requestHash(r.Method+" "+r.URL.Path, raw)}
		claim, err := s.claim(r.Context(), t.ID, req)
		if err != nil {
			return err
		}
		if claim.Replay != nil {
			apiKey, _ := bearer(r)
			body, err := openAnswer(apiKey, key, claim.Replay.Body)
			if errors.Is(err, errSealedForAnotherKey) {
				return herald.FieldErrorf(herald.ECodeIdemMismatch, "Idempotency-Key",
					"Idempotency-Key %q was used by another API key, and its answer holds a secret only that key may see", key)
			}
			if err != nil {
				return err
			}
			replay := *claim.Replay
			replay.Body = body
			writeReplay(w, replay)
			return nil
		}
		rec := newRecorder()
		if err := h(rec, r.WithContext(herald.WithIdempotencyClaim(r.Context(), claim)), t); err != nil {
			writeError(rec, r, s.Logger, err)
		}
		resp := rec.response()
		if sealed {
			apiKey, _ := bearer(r)
			if resp.Body, err = sealAnswer(apiKey, key, resp.Body); err != nil {
				return err // nothing was recorded or sent
			}
		}
		// The answer is recorded even when the client has gone: its repeat
		// must find it.
		if err := s.Store.FinishIdempotentRequest(context.WithoutCancel(r.Context()), claim, resp); err != nil {
			s.Logger.ErrorContext(r.Context(), "idempotent answer not recorded", "key", key, "error", err)
		}
		rec.flush(w)
		return nil
	}
}

// claim claims the key, waiting up to idempotencyWait while a first request
// with it is running; a first request whose answer was lost is not waited
// for.
func (s *Server) claim(ctx context.Context, tenantID string, req herald.IdempotentRequest) (herald.IdempotencyClaim, error) {
	deadline := time.Now().Add(idempotencyWait)
	pause := 5 * time.Millisecond
	for {
		claim, err := s.Store.ClaimIdempotencyKey(ctx, tenantID, req)
		if herald.ErrorCode(err) != herald.ECodeIdemInProgress || errors.Is(err, herald.ErrIdempotentAnswerLost) ||
			time.Now().Add(pause).After(deadline) {
			return claim, err
		}
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return claim, err
		case <-timer.C:
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// idempotencyKey reads the Idempotency-Key header: a key is 1 to
// MaxIdempotencyKey printable ASCII characters, given once.
func idempotencyKey(r *http.Request) (string, bool, error) {
	values := r.Header.Values("Idempotency-Key")
	switch {
	case len(values) == 0:
		return "", false, nil
	case len(values) > 1:
		return "", true, herald.FieldErrorf(herald.ECodeInvalid, "Idempotency-Key", "Idempotency-Key is given more than once")
	}
	key := values[0]
	return key, true, checkIdempotencyKey(key, "Idempotency-Key")
}

// checkIdempotencyKey checks a key given in field: 1 to MaxIdempotencyKey
// printable ASCII characters.
func checkIdempotencyKey(key, field string) error {
	if key == "" || len(key) > MaxIdempotencyKey {
		return herald.FieldErrorf(herald.ECodeInvalid, field, "%s must have 1 to %d characters", field, MaxIdempotencyKey)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return herald.FieldErrorf(herald.ECodeInvalid, field, "%s may hold printable ASCII characters only", field)
		}
	}
	return nil
}

// requestHash digests what a request asks. A JSON body is hashed in a
// canonical form, so spacing or key order does not make a repeat look like
// another request.
func requestHash(target string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(target))
	h.Write([]byte{'\n'})
	h.Write(canonicalJSON(body))
	return hex.EncodeToString(h.Sum(nil))
}

func canonicalJSON(raw []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return raw
	}
	out, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return out
}

// writeReplay answers a recorded answer again.
func writeReplay(w http.ResponseWriter, resp herald.IdempotentResponse) {
	if resp.ContentType != "" {
		w.Header().Set("Content-Type", resp.ContentType)
	}
	if resp.Location != "" {
		w.Header().Set("Location", resp.Location)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Idempotent-Replayed", "true")
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// recorder keeps a handler's answer, to record it before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	rec.WriteHeader(http.StatusOK)
	return rec.body.Write(p)
}

func (rec *recorder) response() herald.IdempotentResponse {
	rec.WriteHeader(http.StatusOK)
	return herald.IdempotentResponse{Status: rec.status, ContentType: rec.header.Get("Content-Type"),
		Location: rec.header.Get("Location"), Body: rec.body.Bytes()}
}

// flush sends the kept answer.
func (rec *recorder) flush(w http.ResponseWriter) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}
