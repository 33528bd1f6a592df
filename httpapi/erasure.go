package httpapi

import (
	"net/http"

	"herald"
)

// eraseLead erases a lead's personal data on request: 204, and the lead
// stays with its id and empty contact fields.
func (s *Server) eraseLead(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	if err := s.Store.EraseLead(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
