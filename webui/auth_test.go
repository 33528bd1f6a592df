package webui_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"herald/dbtest"
	"herald/webui"
)

var newKey = regexp.MustCompile(`id="new-key">(hk_[^<]+)<`)

func TestSignInSetsAStrictCookieAndSecurityHeaders(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		_, key := b.tenant(t, "Acme Sales")
		br := b.browser(t)
		br.get(t, "/ui/upcoming").want(t, http.StatusSeeOther)
		login := br.get(t, "/ui/login").want(t, http.StatusOK, "API key")
		csp := login.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("Content-Security-Policy = %q, want scripts from the dashboard only", csp)
		}
		if strings.Contains(login.body, "<script>") || strings.Contains(login.body, " onclick=") {
			t.Error("the page has inline script")
		}
		p := br.post(t, "/ui/login", url.Values{"key": {key}}).want(t, http.StatusSeeOther)
		var session *http.Cookie
		for _, c := range (&http.Response{Header: p.header}).Cookies() {
			if c.Name == "herald_session" && c.Value != "" {
				session = c
			}
		}
		if session == nil {
			t.Fatal("no session cookie")
		}
		if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/ui/" || session.Secure {
			t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Strict, path /ui/, not Secure over http", session)
		}
		if strings.Contains(session.Value, key) {
			t.Error("the cookie carries the API key")
		}
		br.get(t, "/ui/upcoming").want(t, http.StatusOK, "Acme Sales", "Sign out")
	})
}

func TestSecureCookieBehindHTTPS(t *testing.T) {
	t.Parallel()
	b := setupSecure(t)
	_, key := b.tenant(t, "Acme Sales")
	br := b.browser(t)
	br.get(t, "/ui/login")
	p := br.post(t, "/ui/login", url.Values{"key": {key}}).want(t, http.StatusSeeOther)
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "herald_session" && !c.Secure {
			t.Errorf("session cookie is not Secure with Secure set: %+v", c)
		}
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		br := b.browser(t)
		br.get(t, "/ui/login")
		br.post(t, "/ui/login", url.Values{"key": {"hk_wrong"}}).want(t, http.StatusUnauthorized, "That key is not valid")
		br.get(t, "/ui/upcoming").want(t, http.StatusSeeOther)
	})
}

func TestSignInAttemptsAreLimitedPerAddress(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		_, key := b.tenant(t, "Acme Sales")
		br := b.browser(t)
		limited := false
		for range 8 {
			br.get(t, "/ui/login")
			p := br.post(t, "/ui/login", url.Values{"key": {"hk_guess"}})
			if p.status == http.StatusTooManyRequests {
				limited = true
				break
			}
		}
		if !limited {
			t.Fatal("8 wrong keys in a row were all checked")
		}
		// Even the right key waits now; a minute later it works again.
		br.get(t, "/ui/login")
		br.post(t, "/ui/login", url.Values{"key": {key}}).want(t, http.StatusTooManyRequests)
		b.clock.Advance(time.Minute)
		br.signIn(t, key)
	})
}

func TestRevokedKeyEndsItsSessions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		tenant, key := b.tenant(t, "Acme Sales")
		br := b.browser(t)
		br.signIn(t, key)
		br.get(t, "/ui/upcoming").want(t, http.StatusOK)
		revokeKeys(t, b, tenant.ID)
		p := br.get(t, "/ui/upcoming").want(t, http.StatusSeeOther)
		if loc := p.header.Get("Location"); !strings.HasPrefix(loc, "/ui/login") {
			t.Errorf("Location = %q, want the sign-in page", loc)
		}
		br.post(t, "/ui/meetings/mtg_x/cancel", url.Values{"csrf": {"x"}}).want(t, http.StatusUnauthorized)
	})
}

// revokeKeys removes a tenant's API keys from the database, as revoking
// them does, the last one included.
func revokeKeys(t *testing.T, b *testBundle, tenantID string) {
	t.Helper()
	if _, err := b.db.ExecContext(context.Background(), "DELETE FROM api_keys WHERE tenant_id = $1", tenantID); err != nil {
		t.Fatal(err)
	}
}

func TestSessionsExpire(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		_, key := b.tenant(t, "Acme Sales")
		br := b.browser(t)
		br.signIn(t, key)
		b.clock.Advance(11 * time.Hour)
		br.get(t, "/ui/upcoming").want(t, http.StatusOK)
		b.clock.Advance(2 * time.Hour)
		br.get(t, "/ui/upcoming").want(t, http.StatusSeeOther)
	})
}

func TestSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		_, key := b.tenant(t, "Acme Sales")
		br := b.browser(t)
		br.signIn(t, key)
		br.get(t, "/ui/upcoming").want(t, http.StatusOK)
		stolen := br.client.Jar.Cookies(mustURL(t, b.url+"/ui/"))
		br.post(t, "/ui/logout", url.Values{}).want(t, http.StatusSeeOther)
		br.get(t, "/ui/upcoming").want(t, http.StatusSeeOther)
		// The old cookie, replayed, opens nothing.
		again := b.browser(t)
		again.client.Jar.SetCookies(mustURL(t, b.url+"/ui/"), stolen)
		again.get(t, "/ui/upcoming").want(t, http.StatusSeeOther)
	})
}

func TestOperatorCreatesATenant(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		br := b.browser(t)
		br.signIn(t, adminToken)
		br.get(t, "/ui/admin/tenants").want(t, http.StatusOK)
		p := br.post(t, "/ui/admin/tenants", url.Values{"name": {"New Co"}}).want(t, http.StatusCreated, "New Co", "hk_")
		key := newKey.FindStringSubmatch(p.body)
		if key == nil {
			t.Fatalf("no key shown: %s", p.body)
		}
		b.browser(t).signIn(t, key[1])
	})
}

func TestAdminTokenChangeEndsAdminSessions(t *testing.T) {
	t.Parallel()
	b := setup(t, dbtest.SQLite(t))
	br := b.browser(t)
	br.signIn(t, adminToken)
	br.get(t, "/ui/admin/tenants").want(t, http.StatusOK)
	// The same database served with another admin token, as after a
	// restart with HERALD_ADMIN_TOKEN changed.
	ui := &webui.Server{Store: b.store, Dashboard: b.store, AdminToken: "a-new-token", Clock: b.clock,
		Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.Handle(webui.Prefix, ui.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	b.url = srv.URL
	br.get(t, "/ui/admin/tenants").want(t, http.StatusSeeOther)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRevokingTheKeyThroughTheStoreEndsItsSessions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		ctx := context.Background()
		tenant, _ := b.tenant(t, "Acme Sales")
		second, key, err := b.store.CreateAPIKey(ctx, tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		br := b.browser(t)
		br.signIn(t, key)
		br.get(t, "/ui/upcoming").want(t, http.StatusOK)
		if err := b.store.RevokeAPIKey(ctx, tenant.ID, second.ID); err != nil {
			t.Fatal(err)
		}
		br.get(t, "/ui/upcoming").want(t, http.StatusSeeOther)
	})
}

func TestDisablingATenantEndsItsSessions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		tenant, key := b.tenant(t, "Acme Sales")
		br := b.browser(t)
		br.signIn(t, key)
		admin := b.browser(t)
		admin.signIn(t, adminToken)
		admin.get(t, "/ui/admin/tenants").want(t, http.StatusOK, "Acme Sales", "active")
		admin.post(t, "/ui/admin/tenants/"+tenant.ID+"/disable", url.Values{}).want(t, http.StatusSeeOther)
		admin.get(t, "/ui/admin/tenants?done=disabled").want(t, http.StatusOK, "The tenant is disabled")
		br.get(t, "/ui/upcoming").want(t, http.StatusSeeOther)
		br.get(t, "/ui/login")
		br.post(t, "/ui/login", url.Values{"key": {key}}).want(t, http.StatusUnauthorized)
		admin.get(t, "/ui/admin/tenants")
		admin.post(t, "/ui/admin/tenants/"+tenant.ID+"/enable", url.Values{}).want(t, http.StatusSeeOther)
		br.signIn(t, key)
		admin.get(t, "/ui/admin/tenants")
		admin.post(t, "/ui/admin/tenants/ten_missing/disable", url.Values{}).want(t, http.StatusNotFound)
	})
}
