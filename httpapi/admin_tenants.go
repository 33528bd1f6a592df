package httpapi

import (
	"net/http"
	"time"

	"herald"
)

// tenantView is a tenant as the operator sees it.
type tenantView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at"`
	// Keys is the number of the tenant's API keys, in lists.
	Keys *int `json:"keys,omitempty"`
}

func viewTenant(t herald.Tenant) tenantView {
	return tenantView{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Disabled: t.Disabled(), DisabledAt: t.DisabledAt}
}

func (s *Server) listTenants(w http.ResponseWriter, r *http.Request) error {
	page, err := pageRequest(r)
	if err != nil {
		return err
	}
	tenants, err := s.Store.ListTenants(r.Context(), page)
	if err != nil {
		return err
	}
	out := herald.Page[tenantView]{Items: make([]tenantView, len(tenants.Items)), NextCursor: tenants.NextCursor}
	for i, t := range tenants.Items {
		v := viewTenant(herald.Tenant{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, DisabledAt: t.DisabledAt})
		v.Keys = &t.Keys
		out.Items[i] = v
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// patchTenant disables or enables a tenant: {"disabled": true}.
func (s *Server) patchTenant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Disabled *bool `json:"disabled"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Disabled == nil {
		return herald.FieldErrorf(herald.ECodeInvalid, "disabled", "disabled is required: true or false")
	}
	t, err := s.Store.SetTenantDisabled(r.Context(), r.PathValue("id"), *in.Disabled)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewTenant(t))
	return nil
}
