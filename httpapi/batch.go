package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"herald"
)

// MaxBatchItems bounds the bookings of one POST /v1/meetings/batch.
const MaxBatchItems = 500

// maxBatchBytes bounds the body of a batch: MaxBatchItems bookings of up to
// about 2 KiB each.
const maxBatchBytes = 1 << 20

// batchRequest is the body of POST /v1/meetings/batch. Items stay raw until
// each is booked, so a malformed item is that item's problem alone.
type batchRequest struct {
	Items []json.RawMessage `json:"items"`
}

// batchResult is one item's answer: the status it would have had as a
// POST /v1/meetings of its own, and the meeting or the problem.
type batchResult struct {
	Status  int             `json:"status"`
	Meeting json.RawMessage `json:"meeting,omitempty"`
	Problem json.RawMessage `json:"problem,omitempty"`
}

// bookBatch books up to MaxBatchItems meetings, each exactly as a POST
// /v1/meetings of its own with the item's idempotency_key as its
// Idempotency-Key: each item is booked or refused on its own (never half),
// its answer is recorded and replayed under its key, and a key used by a
// single booking replays that booking here and the other way round. The
// answers come in request order.
func (s *Server) bookBatch(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var req batchRequest
	if err := decodeBody(w, r, &req, bodyRules{limit: maxBatchBytes}); err != nil {
		return err
	}
	switch {
	case req.Items == nil:
		return herald.FieldErrorf(herald.ECodeInvalid, "items", "items is required")
	case len(req.Items) == 0 || len(req.Items) > MaxBatchItems:
		return herald.FieldErrorf(herald.ECodeInvalid, "items", "items must hold 1 to %d bookings, not %d", MaxBatchItems, len(req.Items))
	}
	now := s.Clock.Now()
	items := make([]herald.BatchBooking, len(req.Items))
	results := make([]batchResult, len(req.Items))
	for i, raw := range req.Items {
		items[i] = batchItem(raw, now)
	}
	outcomes, err := s.Store.BookMeetingBatch(r.Context(), t.ID, items, func(m herald.Meeting) herald.IdempotentResponse {
		rec := newRecorder()
		rec.Header().Set("Location", "/v1/meetings/"+m.ID)
		writeJSON(rec, http.StatusCreated, m)
		return rec.response()
	})
	if err != nil {
		return err
	}
	for i, o := range outcomes {
		answer := o.Answer
		if o.Err != nil {
			rec := newRecorder()
			writeError(rec, r, s.Logger, o.Err)
			answer = rec.response()
		}
		results[i].Status = answer.Status
		if answer.Status >= 200 && answer.Status < 300 {
			results[i].Meeting = bytes.TrimSpace(answer.Body)
		} else {
			results[i].Problem = bytes.TrimSpace(answer.Body)
		}
	}
	writeJSON(w, http.StatusOK, map[string][]batchResult{"items": results})
	return nil
}

// batchItem reads one item of a batch: its key, the digest a single
// booking with its body would have, and its booking or why it is invalid.
func batchItem(raw json.RawMessage, now time.Time) herald.BatchBooking {
	body, key, err := splitBatchItem(raw)
	if err != nil {
		return herald.BatchBooking{Request: herald.IdempotentRequest{Key: key}, Invalid: err}
	}
	item := herald.BatchBooking{Request: herald.IdempotentRequest{Key: key, Hash: requestHash("POST /v1/meetings", body)}}
	var req bookRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		item.Invalid = jsonError(err, maxBatchBytes)
		return item
	}
	if item.Input, err = req.input(); err != nil {
		item.Invalid = err
		return item
	}
	item.Invalid = item.Input.Validate(now)
	return item
}

// splitBatchItem takes the idempotency_key out of an item, leaving the
// body of a single booking.
func splitBatchItem(raw json.RawMessage) ([]byte, string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return nil, "", herald.Errorf(herald.ECodeMalformedJSON, "each item must be a JSON object")
	}
	key, ok := fields["idempotency_key"].(string)
	if !ok || key == "" {
		return nil, "", herald.FieldErrorf(herald.ECodeInvalid, "idempotency_key",
			"idempotency_key is required: it makes the item safe to send again")
	}
	if err := checkIdempotencyKey(key, "idempotency_key"); err != nil {
		return nil, "", err
	}
	delete(fields, "idempotency_key")
	body, err := json.Marshal(fields)
	if err != nil {
		return nil, "", err
	}
	return body, key, nil
}
