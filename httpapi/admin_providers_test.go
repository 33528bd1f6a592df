package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/httpapi"
	"herald/internal/sealed"
	"herald/sqlstore"
	"herald/tenantsms"
)

// setupWithAccounts starts a server whose tenants may have their own
// provider accounts, sealed with a fresh key (none when withKey is false).
func setupWithAccounts(t *testing.T, db *sqlstore.DB, withKey bool) *testBundle {
	t.Helper()
	clock := clocktest.New(epoch)
	store := newStore(t, db, clock)
	var box *sealed.Box
	if withKey {
		key := make([]byte, sealed.KeySize)
		_, _ = rand.Read(key)
		var err error
		if box, err = sealed.FromBase64(base64.StdEncoding.EncodeToString(key)); err != nil {
			t.Fatal(err)
		}
	}
	api := &httpapi.Server{Store: store, AdminToken: testAdminToken, Clock: clock, Logger: slog.New(slog.DiscardHandler),
		Providers: tenantsms.NewAccounts(store, box)}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return &testBundle{url: srv.URL, db: db, store: store, clock: clock, client: srv.Client(), spec: loadSpec(t)}
}

var ownAccounts = map[string]any{
	"vonage": map[string]any{"api_key": "tenant01", "api_secret": "Tenant-Secret-99", "from_number": "+14155550142",
		"rate_limit": 10, "signature_secret": "tenant-sig-secret"},
	"twilio": map[string]any{"account_sid": "AC00000000000000000000000000009876", "auth_token": "tenant-auth-token",
		"from_number": "+14155550143"},
}

// TestTenantOwnProviders: the operator sets a tenant's own Vonage and
// Twilio accounts; the API shows which are set and the last four
// characters of their keys, the database holds them sealed, and neither
// ever shows a secret. Bad input and a missing key change nothing.
func TestTenantOwnProviders(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		b := setupWithAccounts(t, db, true)
		tn := b.newTenant(t, "Acme")
		path := "/v1/admin/tenants/" + tn.ID + "/providers"
		var view herald.TenantProvidersView
		b.do(t, "GET", path, testAdminToken, nil).want(t, http.StatusOK, &view)
		if view.Vonage != nil || view.Twilio != nil {
			t.Fatalf("a new tenant has own accounts: %+v", view)
		}
		r := b.do(t, "PUT", path, testAdminToken, ownAccounts)
		r.want(t, http.StatusOK, &view)
		for _, secret := range []string{"Tenant-Secret-99", "tenant-sig-secret", "tenant-auth-token"} {
			if strings.Contains(string(r.body), secret) {
				t.Errorf("the answer shows a secret: %s", r.body)
			}
		}
		if v := view.Vonage; v == nil || v.APIKeyLast4 != "nt01" || !v.APISecretSet || !v.SignatureSecretSet || v.RateLimit != 10 {
			t.Errorf("vonage view = %+v", view.Vonage)
		}
		if tw := view.Twilio; tw == nil || tw.AccountSIDLast4 != "9876" || !tw.AuthTokenSet || tw.FromNumber != "+14155550143" {
			t.Errorf("twilio view = %+v", view.Twilio)
		}
		var again herald.TenantProvidersView
		b.do(t, "GET", path, testAdminToken, nil).want(t, http.StatusOK, &again)
		if again.Vonage == nil || *again.Vonage != *view.Vonage || again.Twilio == nil || *again.Twilio != *view.Twilio {
			t.Errorf("GET = %+v, want what PUT answered", again)
		}
		var stored string
		if err := db.QueryRowContext(context.Background(), "SELECT sealed FROM tenant_providers WHERE tenant_id = $1", tn.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"Tenant-Secret-99", "tenant-sig-secret", "tenant-auth-token"} {
			if strings.Contains(stored, secret) {
				t.Errorf("the database holds a secret in clear")
			}
		}

		b.do(t, "PUT", path, testAdminToken, map[string]any{"vonage": map[string]any{"api_key": "k"}}).
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
		b.do(t, "PUT", path, testAdminToken, map[string]any{"twilio": map[string]any{"account_sid": "XX1", "auth_token": "t", "from_number": "+14155550143"}}).
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
		b.do(t, "GET", path, testAdminToken, nil).want(t, http.StatusOK, &again)
		if again.Vonage == nil || again.Twilio == nil {
			t.Errorf("a refused PUT changed the accounts: %+v", again)
		}
		b.do(t, "GET", "/v1/admin/tenants/ten_NOPE/providers", testAdminToken, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		b.do(t, "GET", path, tn.APIKey, nil).wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)

		b.do(t, "PUT", path, testAdminToken, map[string]any{"vonage": nil, "twilio": nil}).want(t, http.StatusOK, &again)
		if again.Vonage != nil || again.Twilio != nil {
			t.Errorf("after removing: %+v", again)
		}

		noKey := setupWithAccounts(t, db, false)
		noKey.do(t, "PUT", path, testAdminToken, ownAccounts).wantProblem(t, http.StatusConflict, herald.ECodeConflict)
	})
}
