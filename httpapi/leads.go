package httpapi

import (
	"net/http"

	"herald"
	"herald/contact"
)

func (s *Server) createLead(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var in herald.LeadInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	settings, err := s.Store.Settings(r.Context(), t.ID)
	if err != nil {
		return err
	}
	lead := herald.Lead{Name: in.Name, Phone: in.Phone, Email: in.Email, Timezone: in.Timezone, Locale: in.Locale}
	if err := contact.NormalizeLead(&lead, settings.DefaultRegion); err != nil {
		return err
	}
	created, err := s.Store.CreateLead(r.Context(), t.ID, herald.LeadInput{Name: lead.Name, Phone: lead.Phone,
		Email: lead.Email, Timezone: lead.Timezone, Locale: lead.Locale})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/leads/"+created.ID)
	writeJSON(w, http.StatusCreated, created)
	return nil
}

func (s *Server) getLead(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	lead, err := s.Store.Lead(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lead)
	return nil
}

func (s *Server) patchLead(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var patch herald.LeadPatch
	if err := decodeJSON(w, r, &patch); err != nil {
		return err
	}
	settings, err := s.Store.Settings(r.Context(), t.ID)
	if err != nil {
		return err
	}
	lead, err := s.Store.UpdateLead(r.Context(), t.ID, r.PathValue("id"), patch, func(l *herald.Lead) error {
		return contact.NormalizeLead(l, settings.DefaultRegion)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lead)
	return nil
}

func (s *Server) listLeads(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	page, err := pageRequest(r)
	if err != nil {
		return err
	}
	leads, err := s.Store.ListLeads(r.Context(), t.ID, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, leads)
	return nil
}
