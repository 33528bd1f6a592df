package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"herald"
)

// errorScenario gets one answer of each error status the API has and lets
// the spec check them; the scenario's state is left as it was, and the
// database is closed last to see the server's answers without it.
func errorScenario(t *testing.T, b *testBundle, key string, lead herald.Lead) {
	before := b.snapshot(t, key)

	b.do(t, "GET", "/v1/leads", "", nil).wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
	b.do(t, "POST", "/v1/admin/tenants", key, map[string]string{"name": "x"}).
		wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
	b.do(t, "GET", "/v1/leads/lead_MISSING", key, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
	b.do(t, "GET", "/v1/nothing", key, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)

	r := b.do(t, "DELETE", "/v1/leads/"+lead.ID, key, nil)
	r.wantProblem(t, http.StatusMethodNotAllowed, herald.ECodeMethod)
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
		t.Fatalf("Allow = %q, want GET and PATCH", allow)
	}

	cancelled := list[herald.Meeting](t, b, key, "/v1/meetings?status=cancelled").Items[0]
	b.do(t, "PATCH", "/v1/meetings/"+cancelled.ID, key, map[string]string{"title": "Back"}).
		wantProblem(t, http.StatusConflict, herald.ECodeConflict)

	huge := `{"name": "` + strings.Repeat("a", 70<<10) + `"}`
	b.do(t, "POST", "/v1/leads", key, huge).wantProblem(t, http.StatusRequestEntityTooLarge, herald.ECodeTooLarge)
	p := b.do(t, "POST", "/v1/leads", key, map[string]string{"name": "Bad", "phone": "12"}).
		wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalidPhone)
	if p.Field != "phone" {
		t.Fatalf("problem field = %q, want phone", p.Field)
	}
	b.do(t, "GET", "/v1/meetings?limit=0", key, nil).wantProblem(t, http.StatusBadRequest, herald.ECodeInvalidQuery)
	b.do(t, "POST", "/v1/meetings", key, `{"lead_id":`).wantProblem(t, http.StatusBadRequest, herald.ECodeMalformedJSON)
	b.do(t, "POST", "/v1/meetings", key, bookInput("lead_NOPE", epoch.Add(time.Hour))).
		wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeUnknownLead)

	b.wantUnchanged(t, key, before, "the refused requests")

	// Without its database the server says it is not ready, and hides
	// the internal error behind a generic problem.
	if err := b.db.Close(); err != nil {
		t.Fatal(err)
	}
	b.do(t, "GET", "/readyz", "", nil).wantProblem(t, http.StatusServiceUnavailable, herald.ECodeUnavailable)
	p = b.do(t, "GET", "/v1/leads", key, nil).wantProblem(t, http.StatusInternalServerError, herald.ECodeInternal)
	if p.Detail != "Internal error." {
		t.Fatalf("internal problem detail = %q, want the generic text", p.Detail)
	}
}
