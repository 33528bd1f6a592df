package httpapi

import (
	"net/http"

	"herald"
)

// bookRequest is the body of POST /v1/meetings. starts_at is read as text
// so that a malformed time gets an error naming the field.
type bookRequest struct {
	LeadID   string `json:"lead_id"`
	Title    string `json:"title"`
	StartsAt string `json:"starts_at"`
	Timezone string `json:"timezone"`
	JoinLink string `json:"join_link"`
	Source   string `json:"source"`
}

// bookMeeting is decode, validate, store, encode; the rules of a booking
// are BookMeetingInput.Validate's. Idempotency-Key is the idempotent
// wrapper's.
func (s *Server) bookMeeting(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	in, err := s.bookingInput(w, r)
	if err != nil {
		return err
	}
	m, _, err := s.Store.BookMeeting(r.Context(), t.ID, in, herald.Idempotency{})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/meetings/"+m.ID)
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// bookingInput reads and checks the booking in r's body.
func (s *Server) bookingInput(w http.ResponseWriter, r *http.Request) (herald.BookMeetingInput, error) {
	var req bookRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return herald.BookMeetingInput{}, err
	}
	in, err := req.input()
	if err != nil {
		return in, err
	}
	return in, in.Validate(s.Clock.Now())
}

// input reads the request's times; every other check is Validate's.
func (req bookRequest) input() (herald.BookMeetingInput, error) {
	in := herald.BookMeetingInput{LeadID: req.LeadID, Title: req.Title, Timezone: req.Timezone,
		JoinLink: req.JoinLink, Source: req.Source}
	if req.StartsAt == "" {
		return in, nil // Validate names the missing field
	}
	var err error
	in.StartsAt, err = parseTime("starts_at", req.StartsAt)
	return in, err
}

func (s *Server) getMeeting(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	m, err := s.Store.Meeting(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// patchRequest is the body of PATCH /v1/meetings/{id}.
type patchRequest struct {
	Title    *string `json:"title"`
	StartsAt *string `json:"starts_at"`
	JoinLink *string `json:"join_link"`
}

func (s *Server) patchMeeting(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var req patchRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	patch := herald.MeetingPatch{Title: req.Title, JoinLink: req.JoinLink}
	if req.StartsAt != nil {
		at, err := parseTime("starts_at", *req.StartsAt)
		if err != nil {
			return err
		}
		patch.StartsAt = &at
	}
	if err := patch.Validate(s.Clock.Now()); err != nil {
		return err
	}
	m, err := s.Store.UpdateMeeting(r.Context(), t.ID, r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) cancelMeeting(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	m, err := s.Store.CancelMeeting(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) listMeetings(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var f herald.MeetingFilter
	var err error
	if f.Page, err = pageRequest(r); err != nil {
		return err
	}
	if f.Status, err = oneOf(r, "status", herald.MeetingScheduled, herald.MeetingConfirmed, herald.MeetingCancelled); err != nil {
		return err
	}
	if f.From, err = optionalTime(r, "from"); err != nil {
		return err
	}
	if f.To, err = optionalTime(r, "to"); err != nil {
		return err
	}
	page, err := s.Store.ListMeetings(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
