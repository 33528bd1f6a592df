package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"

	"herald"
	"herald/internal/problem"
)

// Problem is an RFC 7807 problem document with Herald's stable code.
type Problem = problem.Problem

// writeError answers err as a problem document. Internal errors are logged
// with their detail and answered with a generic text.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	p := problem.Of(err)
	switch {
	case p.Status >= 500 && r.Context().Err() != nil:
		// The client went away and its request was cancelled: nothing
		// failed, and nobody reads the answer.
		logger.DebugContext(r.Context(), "request abandoned by the client", "method", r.Method, "path", r.URL.Path, "error", err)
		return
	case p.Status == http.StatusServiceUnavailable:
		logger.WarnContext(r.Context(), "request failed: the database does not answer", "method", r.Method, "path", r.URL.Path, "error", err)
	case p.Status >= 500:
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	problem.Write(w, p)
}

// writeJSON answers v as JSON with the given status. The body is encoded
// before the status is written, so a value that cannot be encoded (a time
// past the year 9999, say) is answered 500 instead of a success with an
// empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		slog.Error("encode response", "error", err)
		problem.Write(w, problem.New(herald.ECodeInternal, "Internal error."))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
