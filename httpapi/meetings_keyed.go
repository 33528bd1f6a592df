package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"herald"
)

// bookMeetingRoute is POST /v1/meetings. A booking with an
// Idempotency-Key reads its key's record, books and records its answer in
// one transaction (Store.BookMeetingKeyed), so an answer is never lost
// between them; only a key whose first request is still running goes the
// way of the other creating routes (idempotent), which waits for it.
func (s *Server) bookMeetingRoute() tenantHandler {
	general := s.idempotent(s.bookMeeting)
	return func(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
		key, present, err := idempotencyKey(r)
		if err != nil || !present {
			return general(w, r, t)
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			return jsonError(err, MaxBodyBytes)
		}
		item := herald.BatchBooking{Request: herald.IdempotentRequest{Key: key, Hash: requestHash(r.Method+" "+r.URL.Path, raw)}}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		item.Input, item.Invalid = s.bookingInput(w, r)
		var answered *recorder
		outcome, err := s.Store.BookMeetingKeyed(r.Context(), t.ID, item, func(m herald.Meeting) herald.IdempotentResponse {
			answered = newRecorder()
			answered.Header().Set("Location", "/v1/meetings/"+m.ID)
			writeJSON(answered, http.StatusCreated, m)
			return answered.response()
		})
		switch {
		case err != nil:
			return err
		case herald.ErrorCode(outcome.Err) == herald.ECodeIdemInProgress &&
			!errors.Is(outcome.Err, herald.ErrIdempotentAnswerLost):
			r.Body = io.NopCloser(bytes.NewReader(raw))
			return general(w, r, t)
		case outcome.Err != nil:
			return outcome.Err
		case outcome.Replayed:
			writeReplay(w, outcome.Answer)
			return nil
		}
		answered.flush(w)
		return nil
	}
}
