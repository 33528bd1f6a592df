package httpapi

import (
	"context"
	"net/http"

	"herald"
)

// ProviderAccounts keeps tenants' own SMS provider accounts; tenantsms
// implements it.
type ProviderAccounts interface {
	// Put replaces a tenant's own accounts and returns what may be shown
	// of them.
	Put(ctx context.Context, tenantID string, p herald.TenantProviders) (herald.TenantProvidersView, error)
	// Get returns what may be shown of a tenant's own accounts.
	Get(ctx context.Context, tenantID string) (herald.TenantProvidersView, error)
}

func (s *Server) providerAccounts() (ProviderAccounts, error) {
	if s.Providers == nil {
		return nil, herald.Errorf(herald.ECodeConflict, "tenants' own provider accounts are not available on this server")
	}
	return s.Providers, nil
}

// putTenantProviders sets a tenant's own Vonage and Twilio accounts. The
// answer, like GET, shows which are set and the last four characters of
// their keys, never a secret.
func (s *Server) putTenantProviders(w http.ResponseWriter, r *http.Request) error {
	accounts, err := s.providerAccounts()
	if err != nil {
		return err
	}
	var in herald.TenantProviders
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	view, err := accounts.Put(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

func (s *Server) getTenantProviders(w http.ResponseWriter, r *http.Request) error {
	accounts, err := s.providerAccounts()
	if err != nil {
		return err
	}
	view, err := accounts.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}
