package httpapi

import (
	"net/http"

	"herald"
	"herald/internal/problem"
)

// problemForUnmatched answers requests that match no route (404) or match a
// path with another method (405) with a problem document instead of the
// ServeMux's plain text, keeping its Allow header.
func problemForUnmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			setRoute(r, pattern)
			// Only the mux's own ServeHTTP sets the request's path values
			// ({id}); the handler Handler returns would see them empty.
			mux.ServeHTTP(w, r)
			return
		}
		capture := &statusCapture{header: http.Header{}}
		h.ServeHTTP(capture, r)
		if allow := capture.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		if capture.status == http.StatusMethodNotAllowed {
			problem.Write(w, problem.New(herald.ECodeMethod,
				r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+capture.header.Get("Allow")))
			return
		}
		problem.Write(w, problem.New(herald.ECodeNotFound, "no route for "+r.URL.Path))
	})
}

// statusCapture records what the ServeMux's own error handler writes.
type statusCapture struct {
	header http.Header
	status int
}

func (c *statusCapture) Header() http.Header         { return c.header }
func (c *statusCapture) Write(b []byte) (int, error) { return len(b), nil }
func (c *statusCapture) WriteHeader(status int)      { c.status = status }
