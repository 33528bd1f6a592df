package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/sqlstore"
)

// tenantRoutes are every route that takes a tenant API key, with a body
// that would be accepted, so that only the credentials can fail.
var tenantRoutes = []struct{ method, path, body string }{
	{"GET", "/v1/settings", ""},
	{"PUT", "/v1/settings", `{}`},
	{"POST", "/v1/leads", `{"name": "Ann", "email": "ann@example.com"}`},
	{"GET", "/v1/leads", ""},
	{"GET", "/v1/leads/{lead}", ""},
	{"PATCH", "/v1/leads/{lead}", `{"name": "Ann"}`},
	{"POST", "/v1/meetings", `{"lead_id": "{lead}", "title": "Demo", "starts_at": "` + future + `"}`},
	{"GET", "/v1/meetings", ""},
	{"GET", "/v1/meetings/{meeting}", ""},
	{"PATCH", "/v1/meetings/{meeting}", `{"title": "Demo"}`},
	{"POST", "/v1/meetings/{meeting}/cancel", ""},
	{"GET", "/v1/reminders", ""},
	{"GET", "/v1/reminders/{reminder}", ""},
	{"GET", "/v1/audit", ""},
}

// TestTenantAuth checks that every tenant route refuses a request without
// a valid API key with a 401 problem, and writes nothing.
func TestTenantAuth(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		m := b.book(t, key, lead.ID, epoch.Add(48*time.Hour))
		ids := strings.NewReplacer("{lead}", lead.ID, "{meeting}", m.ID, "{reminder}", m.Reminders[0].ID)
		before := b.snapshot(t, key)

		credentials := map[string]string{
			"no header":          "",
			"basic scheme":       "Basic " + key,
			"token scheme":       "Token " + key,
			"bare key":           key,
			"bearer without key": "Bearer ",
			"wrong key":          "Bearer hk_" + strings.Repeat("A", 52),
			"key with a typo":    "Bearer " + key[:len(key)-1] + "x",
			"admin token":        "Bearer " + testAdminToken,
		}
		for _, route := range tenantRoutes {
			var body any
			if route.body != "" {
				body = ids.Replace(route.body)
			}
			for name, auth := range credentials {
				var headers []string
				if auth != "" {
					headers = []string{"Authorization", auth}
				}
				r := b.do(t, route.method, ids.Replace(route.path), "", body, headers...)
				if r.status != http.StatusUnauthorized {
					t.Fatalf("%s %s with %s: status %d, want 401", route.method, route.path, name, r.status)
				}
				r.wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
			}
		}
		b.wantUnchanged(t, key, before, "requests without a valid key")

		// The scheme is case-insensitive, as RFC 7235 says.
		b.do(t, "GET", "/v1/leads", "", nil, "Authorization", "bearer "+key).want(t, http.StatusOK, nil)
	})
}

// TestAdminAuth checks the admin route's token, and that without a
// configured token the route is off whatever the request carries.
func TestAdminAuth(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		b := setup(t, db)
		key := b.newTenant(t, "Acme").APIKey
		before := b.snapshot(t, key)
		body := map[string]string{"name": "Intruder"}
		for name, auth := range map[string]string{
			"no header":      "",
			"wrong token":    "Bearer not-the-admin-token",
			"token prefix":   "Bearer " + testAdminToken[:len(testAdminToken)-1],
			"token extended": "Bearer " + testAdminToken + "x",
			"basic scheme":   "Basic " + testAdminToken,
			"tenant key":     "Bearer " + key,
		} {
			var headers []string
			if auth != "" {
				headers = []string{"Authorization", auth}
			}
			p := b.do(t, "POST", "/v1/admin/tenants", "", body, headers...).
				wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
			if !strings.Contains(p.Detail, "admin token") {
				t.Errorf("%s: detail %q does not say the admin token is at fault", name, p.Detail)
			}
		}
		b.wantUnchanged(t, key, before, "refused admin requests")

		off := setupWithAdmin(t, db, "")
		for _, auth := range []string{"", "Bearer ", "Bearer " + testAdminToken, "Bearer " + key} {
			var headers []string
			if auth != "" {
				headers = []string{"Authorization", auth}
			}
			p := off.do(t, "POST", "/v1/admin/tenants", "", body, headers...).
				wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
			if !strings.Contains(p.Detail, "disabled") || !strings.Contains(p.Detail, "HERALD_ADMIN_TOKEN") {
				t.Errorf("with the admin API off, detail = %q; want it to say it is disabled and how to enable it", p.Detail)
			}
		}
		b.wantUnchanged(t, key, before, "requests to a disabled admin API")
	})
}
