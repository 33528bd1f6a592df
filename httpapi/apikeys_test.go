package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"herald"
)

type apiKeyJSON struct {
	ID         string     `json:"id"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	APIKey     string     `json:"api_key"`
}

// TestAPIKeyRotation rotates a tenant's key as a booking system would:
// create a second key, switch to it, revoke the first; the old key is
// refused at once, and the last key cannot be revoked.
func TestAPIKeyRotation(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		b.strictRequests = true
		acme := b.newTenant(t, "Acme")
		other := b.newTenant(t, "Other")

		var keys page[apiKeyJSON]
		b.do(t, "GET", "/v1/api-keys", acme.APIKey, nil).want(t, http.StatusOK, &keys)
		if len(keys.Items) != 1 || !strings.HasPrefix(acme.APIKey, keys.Items[0].Prefix) || len(keys.Items[0].Prefix) < 8 {
			t.Fatalf("keys = %+v", keys.Items)
		}
		if keys.Items[0].LastUsedAt == nil {
			t.Errorf("last_used_at is empty after the key was used")
		}
		first := keys.Items[0]
		if strings.Contains(string(b.do(t, "GET", "/v1/api-keys", acme.APIKey, nil).body), acme.APIKey) {
			t.Fatal("the key list shows a whole key")
		}

		// The last key cannot go.
		b.do(t, "DELETE", "/v1/api-keys/"+first.ID, acme.APIKey, nil).wantProblem(t, http.StatusConflict, herald.ECodeConflict)

		var created apiKeyJSON
		b.do(t, "POST", "/v1/api-keys", acme.APIKey, nil).want(t, http.StatusCreated, &created)
		if !strings.HasPrefix(created.APIKey, herald.APIKeyPrefix) || !strings.HasPrefix(created.APIKey, created.Prefix) || created.ID == first.ID {
			t.Fatalf("created key = %+v", created)
		}
		b.do(t, "GET", "/v1/settings", created.APIKey, nil).want(t, http.StatusOK, nil)

		// Another tenant's key id is not found, and nothing changes.
		b.do(t, "DELETE", "/v1/api-keys/"+first.ID, other.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		b.do(t, "GET", "/v1/settings", acme.APIKey, nil).want(t, http.StatusOK, nil)

		// The old key may revoke itself now that another exists; it is
		// refused on its very next request.
		r := b.do(t, "DELETE", "/v1/api-keys/"+first.ID, acme.APIKey, nil)
		if r.status != http.StatusNoContent || len(r.body) != 0 {
			t.Fatalf("revoke = %d %s", r.status, r.body)
		}
		b.do(t, "GET", "/v1/settings", acme.APIKey, nil).wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
		b.do(t, "GET", "/v1/api-keys", created.APIKey, nil).want(t, http.StatusOK, &keys)
		if len(keys.Items) != 1 || keys.Items[0].ID != created.ID {
			t.Fatalf("keys after revoking = %+v", keys.Items)
		}
		b.do(t, "DELETE", "/v1/api-keys/"+first.ID, created.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)

		var audit page[herald.AuditAction]
		b.do(t, "GET", "/v1/audit?action=api_key.revoked", created.APIKey, nil).want(t, http.StatusOK, &audit)
		if len(audit.Items) != 1 || audit.Items[0].EntityID != first.ID || strings.Contains(audit.Items[0].Detail, acme.APIKey) {
			t.Errorf("audit of the revocation = %+v", audit.Items)
		}
	})
}

// TestRevokedKeyRefusedByEveryProcess revokes a key through one server and
// uses it on another server of the same database right away: no cache of
// either lets it through.
func TestRevokedKeyRefusedByEveryProcess(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, a *testBundle) {
		b := setup(t, a.db)
		acme := a.newTenant(t, "Acme")
		b.do(t, "GET", "/v1/settings", acme.APIKey, nil).want(t, http.StatusOK, nil)
		var created apiKeyJSON
		a.do(t, "POST", "/v1/api-keys", acme.APIKey, nil).want(t, http.StatusCreated, &created)
		var keys page[apiKeyJSON]
		a.do(t, "GET", "/v1/api-keys", created.APIKey, nil).want(t, http.StatusOK, &keys)
		old := keys.Items[0].ID
		if old == created.ID {
			old = keys.Items[1].ID
		}
		a.do(t, "DELETE", "/v1/api-keys/"+old, created.APIKey, nil).want(t, http.StatusNoContent, nil)
		b.do(t, "GET", "/v1/settings", acme.APIKey, nil).wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
	})
}

type tenantJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at"`
}

// TestDisableTenant disables a tenant through the admin API: its keys
// answer 401 until it is enabled again, other tenants go on.
func TestDisableTenant(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		b.strictRequests = true
		acme := b.newTenant(t, "Acme")
		other := b.newTenant(t, "Other")
		var list page[tenantJSON]
		b.do(t, "GET", "/v1/admin/tenants", testAdminToken, nil).want(t, http.StatusOK, &list)
		if len(list.Items) != 2 || list.Items[0].Disabled || list.Items[1].Disabled {
			t.Fatalf("tenants = %+v", list.Items)
		}
		b.do(t, "GET", "/v1/admin/tenants", acme.APIKey, nil).wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)

		var got tenantJSON
		b.do(t, "PATCH", "/v1/admin/tenants/"+acme.ID, testAdminToken, `{"disabled":true}`).want(t, http.StatusOK, &got)
		if !got.Disabled || got.DisabledAt == nil {
			t.Fatalf("disabled tenant = %+v", got)
		}
		b.do(t, "GET", "/v1/leads", acme.APIKey, nil).wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
		b.do(t, "GET", "/v1/leads", other.APIKey, nil).want(t, http.StatusOK, nil)
		b.do(t, "GET", "/v1/admin/tenants?limit=1", testAdminToken, nil).want(t, http.StatusOK, &list)
		var second page[tenantJSON]
		b.do(t, "GET", "/v1/admin/tenants?limit=1&cursor="+list.NextCursor, testAdminToken, nil).want(t, http.StatusOK, &second)
		if len(list.Items) != 1 || len(second.Items) != 1 || second.NextCursor != "" {
			t.Fatalf("pages = %+v, %+v", list, second)
		}
		for _, tn := range append(list.Items, second.Items...) {
			if tn.Disabled != (tn.ID == acme.ID) {
				t.Errorf("tenant %s disabled = %v", tn.Name, tn.Disabled)
			}
		}

		b.do(t, "PATCH", "/v1/admin/tenants/"+acme.ID, testAdminToken, `{"disabled":false}`).want(t, http.StatusOK, &got)
		if got.Disabled || got.DisabledAt != nil {
			t.Fatalf("enabled tenant = %+v", got)
		}
		b.do(t, "GET", "/v1/leads", acme.APIKey, nil).want(t, http.StatusOK, nil)

		b.strictRequests = false
		b.do(t, "PATCH", "/v1/admin/tenants/ten_nope", testAdminToken, `{"disabled":true}`).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		b.do(t, "PATCH", "/v1/admin/tenants/"+acme.ID, testAdminToken, `{}`).wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
		b.do(t, "PATCH", "/v1/admin/tenants/"+acme.ID, testAdminToken, `{"disabled":"yes"}`).wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
		b.do(t, "GET", "/v1/leads", acme.APIKey, nil).want(t, http.StatusOK, nil)
	})
}
