package httpapi_test

import (
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
	"herald/outbound"
	"herald/schedule"
	"herald/sqlstore"
	"herald/tenantsms"
)

// The operator's numbers in the tests of sms_from.
var operatorNumbers = []string{"+14155550100", "+14155550101"}

// setupWithNumbers starts a server whose operator sends from numbers
// (none: no SMS provider) and whose tenants may have accounts of their own.
func setupWithNumbers(t *testing.T, db *sqlstore.DB, numbers []string) *testBundle {
	t.Helper()
	clock := clocktest.New(epoch)
	jobs, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		t.Fatal(err)
	}
	store := sqlstore.New(db, schedule.NewJobs(jobs), sqlstore.Options{Clock: clock, Events: outbound.NewJobs(jobs),
		Senders: numbers})
	key := make([]byte, sealed.KeySize)
	_, _ = rand.Read(key)
	box, err := sealed.FromBase64(base64.StdEncoding.EncodeToString(key))
	if err != nil {
		t.Fatal(err)
	}
	api := &httpapi.Server{Store: store, AdminToken: testAdminToken, Clock: clock, Logger: slog.New(slog.DiscardHandler),
		Providers: tenantsms.NewAccounts(store, box), SMSNumbers: store}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return &testBundle{url: srv.URL, db: db, store: store, clock: clock, client: srv.Client(), spec: loadSpec(t)}
}

// putSMSFrom sets a tenant's sms_from through PUT /v1/settings.
func (b *testBundle) putSMSFrom(t *testing.T, key, from string) reply {
	t.Helper()
	return b.do(t, "PUT", "/v1/settings", key, map[string]any{"sms_from": from})
}

func (b *testBundle) smsFrom(t *testing.T, key string) string {
	t.Helper()
	var st herald.Settings
	b.do(t, "GET", "/v1/settings", key, nil).want(t, http.StatusOK, &st)
	return st.SMSFrom
}

// TestSMSFromIsOneOfTheTenantsNumbers: a tenant's sms_from must be one of
// the operator's numbers or of its own accounts' numbers; any other
// number, another tenant's included, answers 422 on the field, says how
// many numbers are allowed and how they end, and changes nothing.
func TestSMSFromIsOneOfTheTenantsNumbers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		b := setupWithNumbers(t, db, operatorNumbers)
		own := b.newTenant(t, "Own")
		plain := b.newTenant(t, "Plain")
		b.do(t, "PUT", "/v1/admin/tenants/"+own.ID+"/providers", testAdminToken, ownAccounts).want(t, http.StatusOK, nil)

		for _, from := range []string{"+14155550101", "+14155550143", "+14155550100", ""} {
			var st herald.Settings
			b.putSMSFrom(t, own.APIKey, from).want(t, http.StatusOK, &st)
			if st.SMSFrom != from || b.smsFrom(t, own.APIKey) != from {
				t.Fatalf("sms_from %q saved as %q", from, st.SMSFrom)
			}
		}
		b.putSMSFrom(t, own.APIKey, "+14155550143").want(t, http.StatusOK, nil)

		for _, tc := range []struct {
			name, key, from, count string
			endings                []string
		}{
			{"a number of no one", own.APIKey, "+14155550199", "4 numbers", []string{"0100", "0101", "0142", "0143"}},
			{"another tenant's own number", plain.APIKey, "+14155550142", "2 numbers", []string{"0100", "0101"}},
		} {
			before := b.smsFrom(t, tc.key)
			p := b.putSMSFrom(t, tc.key, tc.from).wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
			if p.Field != "sms_from" || !strings.Contains(p.Detail, tc.count) {
				t.Errorf("%s: problem on %q: %s, want it on sms_from naming %s", tc.name, p.Field, p.Detail, tc.count)
			}
			for _, e := range tc.endings {
				if !strings.Contains(p.Detail, e) {
					t.Errorf("%s: %q does not say a number ends in %s", tc.name, p.Detail, e)
				}
			}
			if strings.Contains(p.Detail, "0142") && tc.key == plain.APIKey {
				t.Errorf("%s: %q shows another tenant's number", tc.name, p.Detail)
			}
			if after := b.smsFrom(t, tc.key); after != before {
				t.Errorf("%s: refused sms_from changed it from %q to %q", tc.name, before, after)
			}
		}
	})
}

// TestSMSFromWithoutAnySMSNumber: with no SMS provider of the operator's
// and no account of its own, a tenant cannot choose any sms_from.
func TestSMSFromWithoutAnySMSNumber(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		b := setupWithNumbers(t, db, nil)
		tn := b.newTenant(t, "Plain")
		p := b.putSMSFrom(t, tn.APIKey, "+14155550100").wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
		if p.Field != "sms_from" || !strings.Contains(p.Detail, "no SMS number") {
			t.Errorf("problem on %q: %s", p.Field, p.Detail)
		}
		if got := b.smsFrom(t, tn.APIKey); got != "" {
			t.Errorf("sms_from saved as %q", got)
		}
		b.putSMSFrom(t, tn.APIKey, "").want(t, http.StatusOK, nil)
	})
}

// TestOwnAccountChosenAsSMSFromStaysUntilSMSFromChanges: an own account
// whose number is the tenant's sms_from cannot be removed or given another
// number (409, nothing changed) until the tenant chooses another sms_from;
// with an operator's number as sms_from the accounts change freely.
func TestOwnAccountChosenAsSMSFromStaysUntilSMSFromChanges(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		b := setupWithNumbers(t, db, operatorNumbers)
		tn := b.newTenant(t, "Own")
		path := "/v1/admin/tenants/" + tn.ID + "/providers"
		b.do(t, "PUT", path, testAdminToken, ownAccounts).want(t, http.StatusOK, nil)
		b.putSMSFrom(t, tn.APIKey, "+14155550143").want(t, http.StatusOK, nil)

		renumbered := map[string]any{"vonage": ownAccounts["vonage"], "twilio": map[string]any{
			"account_sid": "AC00000000000000000000000000009876", "auth_token": "tenant-auth-token", "from_number": "+14155550144"}}
		for name, body := range map[string]any{
			"the account removed":            map[string]any{"vonage": ownAccounts["vonage"]},
			"every account removed":          map[string]any{"vonage": nil, "twilio": nil},
			"the account given a new number": renumbered,
		} {
			p := b.do(t, "PUT", path, testAdminToken, body).wantProblem(t, http.StatusConflict, herald.ECodeConflict)
			if !strings.Contains(p.Detail, "0143") || !strings.Contains(p.Detail, "sms_from") {
				t.Errorf("%s: %q does not say the sms_from ending in 0143 holds it", name, p.Detail)
			}
			var view herald.TenantProvidersView
			b.do(t, "GET", path, testAdminToken, nil).want(t, http.StatusOK, &view)
			if view.Twilio == nil || view.Twilio.FromNumber != "+14155550143" || view.Vonage == nil {
				t.Errorf("%s: refused change changed the accounts to %+v", name, view)
			}
		}

		b.putSMSFrom(t, tn.APIKey, "+14155550100").want(t, http.StatusOK, nil)
		b.do(t, "PUT", path, testAdminToken, map[string]any{"vonage": ownAccounts["vonage"]}).want(t, http.StatusOK, nil)
		b.do(t, "PUT", path, testAdminToken, map[string]any{"vonage": nil, "twilio": nil}).want(t, http.StatusOK, nil)
		if got := b.smsFrom(t, tn.APIKey); got != "+14155550100" {
			t.Errorf("sms_from is %q after the accounts changed, want the operator's +14155550100", got)
		}
	})
}
