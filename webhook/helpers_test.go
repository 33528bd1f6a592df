package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"herald"
)

// response is a webhook's answer.
type response struct {
	status int
	header http.Header
	body   string
}

// decode reads a JSON answer into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("answer %d %q: %v", r.status, r.body, err)
	}
}

// result is the "result" of a 200 answer; it fails the test on any other.
func (r response) result(t *testing.T) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("answer %d %s, want 200", r.status, r.body)
	}
	var a struct{ Result, Kind string }
	r.decode(t, &a)
	return a.Result
}

func (b *bundle) do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := b.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// count returns the number of rows of a table, to show that a refused
// request wrote nothing.
func (b *bundle) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := b.db.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// audit returns the actions of a tenant's audit trail on one entity,
// oldest first.
func (b *bundle) audit(t *testing.T, tenantID, entityID string) []herald.AuditAction {
	t.Helper()
	page, err := b.store.ListAudit(context.Background(), tenantID, herald.AuditFilter{EntityID: entityID,
		Page: herald.PageRequest{Limit: herald.MaxPageLimit}})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]herald.AuditAction, 0, len(page.Items))
	for i := len(page.Items) - 1; i >= 0; i-- {
		out = append(out, page.Items[i])
	}
	return out
}

func hasAction(actions []herald.AuditAction, action herald.Action, outcome string) bool {
	for _, a := range actions {
		if a.Action == action && (outcome == "" || a.Outcome == outcome) {
			return true
		}
	}
	return false
}

// counts returns the number of rows of every table a webhook may write,
// to show that a refused request wrote nothing.
func (b *bundle) counts(t *testing.T) [6]int {
	t.Helper()
	var out [6]int
	for i, table := range []string{"webhook_events", "webhook_nonces", "assistant_actions", "attempts",
		"inbound_parts", "inbound_messages"} {
		out[i] = b.count(t, table)
	}
	return out
}

// api calls Herald's REST API as the bundle's tenant and decodes the
// answer into v.
func (b *bundle) api(t *testing.T, method, path string, v any) {
	t.Helper()
	b.apiAs(t, b.apiKey, method, path, v)
}

func (b *bundle) apiAs(t *testing.T, key, method, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(method, b.server.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp := b.do(t, req)
	if resp.status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, resp.status, resp.body)
	}
	resp.decode(t, v)
}
