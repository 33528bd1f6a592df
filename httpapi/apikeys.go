package httpapi

import (
	"net/http"
	"time"

	"herald"
)

// createdAPIKey is the answer to key creation: the only time the key is
// shown.
type createdAPIKey struct {
	ID        string    `json:"id"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"created_at"`
	Key       string    `json:"api_key"`
}

func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	keys, err := s.Store.ListAPIKeys(r.Context(), t.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, herald.Page[herald.APIKey]{Items: keys})
	return nil
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	k, key, err := s.Store.CreateAPIKey(r.Context(), t.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, createdAPIKey{ID: k.ID, Prefix: k.Prefix, CreatedAt: k.CreatedAt, Key: key})
	return nil
}

// revokeAPIKey deletes a key of the caller's tenant, the caller's own
// included, as long as another key remains.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	if err := s.Store.RevokeAPIKey(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
