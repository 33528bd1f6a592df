// Package problem answers errors as RFC 7807 problem documents with
// Herald's stable codes, the same way for the REST API and the provider
// webhooks: one table gives each code its HTTP status.
package problem

import (
	"encoding/json"
	"errors"
	"net/http"

	"herald"
	"herald/render"
)

// statusOf maps each error code to its HTTP status. Codes not listed are
// internal errors.
var statusOf = map[string]int{
	herald.ECodeInvalid:          http.StatusUnprocessableEntity,
	herald.ECodeInvalidPhone:     http.StatusUnprocessableEntity,
	herald.ECodeInvalidEmail:     http.StatusUnprocessableEntity,
	herald.ECodeInvalidTimezone:  http.StatusUnprocessableEntity,
	herald.ECodeInvalidTime:      http.StatusUnprocessableEntity,
	herald.ECodeUnknownLead:      http.StatusUnprocessableEntity,
	herald.ECodeUnknownTemplate:  http.StatusUnprocessableEntity,
	herald.ECodeIdemMismatch:     http.StatusUnprocessableEntity,
	herald.ECodeMalformedJSON:    http.StatusBadRequest,
	herald.ECodeMalformedWebhook: http.StatusBadRequest,
	herald.ECodeInvalidCursor:    http.StatusBadRequest,
	herald.ECodeInvalidQuery:     http.StatusBadRequest,
	herald.ECodeUnauthorized:     http.StatusUnauthorized,
	herald.ECodeNotFound:         http.StatusNotFound,
	herald.ECodeMethod:           http.StatusMethodNotAllowed,
	herald.ECodeConflict:         http.StatusConflict,
	herald.ECodeIdemInProgress:   http.StatusConflict,
	herald.ECodeRateLimited:      http.StatusTooManyRequests,
	herald.ECodeTooLarge:         http.StatusRequestEntityTooLarge,
	herald.ECodeMediaType:        http.StatusUnsupportedMediaType,
	herald.ECodeUnavailable:      http.StatusServiceUnavailable,
	herald.ECodeInternal:         http.StatusInternalServerError,

	// A template refused when saved, or a channel with no templates; the
	// codes are render's, passed on by the catalog.
	render.CodeEmptyTemplate:      http.StatusUnprocessableEntity,
	render.CodeTooLarge:           http.StatusUnprocessableEntity,
	render.CodeUnknownPlaceholder: http.StatusUnprocessableEntity,
	render.CodeUnbalancedBrace:    http.StatusUnprocessableEntity,
	render.CodeUnbalancedBracket:  http.StatusUnprocessableEntity,
	render.CodeNestedOptional:     http.StatusUnprocessableEntity,
	render.CodeInvalidUTF8:        http.StatusUnprocessableEntity,
	render.CodeUnknownChannel:     http.StatusUnprocessableEntity,
	render.CodeInvalidName:        http.StatusUnprocessableEntity,

	// A webhook endpoint refused when saved.
	herald.ECodeInvalidURL:       http.StatusUnprocessableEntity,
	herald.ECodeURLNotAllowed:    http.StatusUnprocessableEntity,
	herald.ECodeUnknownEventType: http.StatusUnprocessableEntity,
}

// Status returns the HTTP status of an error code: 500 for a code not in
// the table.
func Status(code string) int {
	if status, ok := statusOf[code]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 7807 problem document with Herald's stable code.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	// Field names the input field at fault, when there is one.
	Field string `json:"field,omitempty"`
}

// TypeBase prefixes the type URI of each problem; the code ends it.
const TypeBase = "urn:herald:problem:"

// New returns the problem of code with the status the table gives it.
func New(code, detail string) Problem {
	status := Status(code)
	if status == http.StatusInternalServerError {
		code = herald.ECodeInternal
	}
	return Problem{Type: TypeBase + code, Title: http.StatusText(status), Status: status, Detail: detail, Code: code}
}

// Of returns the problem that answers err: its code, its user-facing
// message and the field at fault. An internal error gets a generic text.
func Of(err error) Problem {
	p := New(herald.ErrorCode(err), herald.ErrorMessage(err))
	var he *herald.Error
	if errors.As(err, &he) && p.Code == he.Code {
		p.Field = he.Field
	}
	return p
}

// Write answers p.
func Write(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
