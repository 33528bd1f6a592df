package httpapi

import (
	"net/http"

	"herald"
)

// reminderWithHistory shows one reminder with all its attempts, even when
// there are none yet.
type reminderWithHistory struct {
	herald.Reminder
	AttemptHistory []herald.Attempt `json:"attempt_history"`
}

func (s *Server) getReminder(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	rem, err := s.Store.Reminder(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	history := rem.AttemptHistory
	if history == nil {
		history = []herald.Attempt{}
	}
	writeJSON(w, http.StatusOK, reminderWithHistory{Reminder: rem, AttemptHistory: history})
	return nil
}

func (s *Server) listReminders(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var f herald.ReminderFilter
	var err error
	if f.Page, err = pageRequest(r); err != nil {
		return err
	}
	if f.Status, err = oneOf(r, "status", herald.ReminderStatuses...); err != nil {
		return err
	}
	f.MeetingID = r.URL.Query().Get("meeting_id")
	page, err := s.Store.ListReminders(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	f := herald.AuditFilter{EntityID: r.URL.Query().Get("entity_id"), Action: herald.Action(r.URL.Query().Get("action"))}
	var err error
	if f.Page, err = pageRequest(r); err != nil {
		return err
	}
	page, err := s.Store.ListAudit(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) listOutbox(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	page, err := pageRequest(r)
	if err != nil {
		return err
	}
	items, err := s.Store.ListOutbox(r.Context(), t.ID, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items)
	return nil
}
