package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"herald"
	"herald/render"
)

// statusOf maps each error code to its HTTP status. Codes not listed are
// internal errors.
var statusOf = map[string]int{
	herald.ECodeInvalid:         http.StatusUnprocessableEntity,
	herald.ECodeInvalidPhone:    http.StatusUnprocessableEntity,
	herald.ECodeInvalidEmail:    http.StatusUnprocessableEntity,
	herald.ECodeInvalidTimezone: http.StatusUnprocessableEntity,
	herald.ECodeInvalidTime:     http.StatusUnprocessableEntity,
	herald.ECodeUnknownLead:     http.StatusUnprocessableEntity,
	herald.ECodeUnknownTemplate: http.StatusUnprocessableEntity,
	herald.ECodeIdemMismatch:    http.StatusUnprocessableEntity,
	herald.ECodeMalformedJSON:   http.StatusBadRequest,
	herald.ECodeInvalidCursor:   http.StatusBadRequest,
	herald.ECodeInvalidQuery:    http.StatusBadRequest,
	herald.ECodeUnauthorized:    http.StatusUnauthorized,
	herald.ECodeNotFound:        http.StatusNotFound,
	herald.ECodeMethod:          http.StatusMethodNotAllowed,
	herald.ECodeConflict:        http.StatusConflict,
	herald.ECodeIdemInProgress:  http.StatusConflict,
	herald.ECodeRateLimited:     http.StatusTooManyRequests,
	herald.ECodeTooLarge:        http.StatusRequestEntityTooLarge,
	herald.ECodeUnavailable:     http.StatusServiceUnavailable,
	herald.ECodeInternal:        http.StatusInternalServerError,

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

// problemTypeBase prefixes the type URI of each problem; the code ends it.
const problemTypeBase = "urn:herald:problem:"

// writeError answers err as a problem document. Internal errors are logged
// with their detail and answered with a generic text.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := herald.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	switch {
	case status >= 500 && r.Context().Err() != nil:
		// The client went away and its request was cancelled: nothing
		// failed, and nobody reads the answer.
		logger.DebugContext(r.Context(), "request abandoned by the client", "method", r.Method, "path", r.URL.Path, "error", err)
		return
	case status == http.StatusServiceUnavailable:
		logger.WarnContext(r.Context(), "request failed: the database does not answer", "method", r.Method, "path", r.URL.Path, "error", err)
	case status >= 500:
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	p := Problem{Type: problemTypeBase + code, Title: http.StatusText(status), Status: status,
		Detail: herald.ErrorMessage(err), Code: code}
	var he *herald.Error
	if errors.As(err, &he) {
		p.Field = he.Field
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON answers v as JSON with the given status. The body is encoded
// before the status is written, so a value that cannot be encoded (a time
// past the year 9999, say) is answered 500 instead of a success with an
// empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		slog.Error("encode response", "error", err)
		writeProblem(w, Problem{Type: problemTypeBase + herald.ECodeInternal, Title: http.StatusText(http.StatusInternalServerError),
			Status: http.StatusInternalServerError, Detail: "Internal error.", Code: herald.ECodeInternal})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
