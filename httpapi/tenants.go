package httpapi

import (
	"net/http"

	"herald"
)

// createdTenant is the answer to tenant creation: the only time the API
// key is shown.
type createdTenant struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	APIKey string `json:"api_key"`
}

func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, key, err := s.Store.CreateTenant(r.Context(), in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdTenant{ID: t.ID, Name: t.Name, APIKey: key})
	return nil
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	st, err := s.Store.Settings(r.Context(), t.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// putSettings replaces the settings; fields left out take their defaults.
func (s *Server) putSettings(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var st herald.Settings
	if err := decodeJSON(w, r, &st); err != nil {
		return err
	}
	if err := st.Validate(); err != nil {
		return err
	}
	saved, err := s.Store.UpdateSettings(r.Context(), t.ID, st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, saved)
	return nil
}
