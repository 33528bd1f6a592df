package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"herald"
	"herald/contact"
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

// MaxIdempotencyKey bounds the Idempotency-Key header.
const MaxIdempotencyKey = 255

func (s *Server) bookMeeting(w http.ResponseWriter, r *http.Request, t herald.Tenant) error {
	var req bookRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	in, err := s.validateBooking(req)
	if err != nil {
		return err
	}
	idem := herald.Idempotency{Key: r.Header.Get("Idempotency-Key")}
	if len(idem.Key) > MaxIdempotencyKey {
		return herald.FieldErrorf(herald.ECodeInvalid, "Idempotency-Key", "Idempotency-Key is longer than %d characters", MaxIdempotencyKey)
	}
	if idem.Key != "" {
		// The hash covers the parsed request, so spacing or key order in
		// the JSON does not make a replay look different.
		canonical, _ := json.Marshal(req)
		sum := sha256.Sum256(canonical)
		idem.RequestHash = hex.EncodeToString(sum[:])
	}
	m, replayed, err := s.Store.BookMeeting(r.Context(), t.ID, in, idem)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/v1/meetings/"+m.ID)
	writeJSON(w, status, m)
	return nil
}

func (s *Server) validateBooking(req bookRequest) (herald.BookMeetingInput, error) {
	in := herald.BookMeetingInput{LeadID: strings.TrimSpace(req.LeadID), Title: strings.TrimSpace(req.Title),
		Timezone: req.Timezone, JoinLink: strings.TrimSpace(req.JoinLink), Source: strings.TrimSpace(req.Source)}
	if in.LeadID == "" {
		return in, herald.FieldErrorf(herald.ECodeInvalid, "lead_id", "lead_id is required")
	}
	if err := checkTitle(in.Title); err != nil {
		return in, err
	}
	if req.StartsAt == "" {
		return in, herald.FieldErrorf(herald.ECodeInvalidTime, "starts_at", "starts_at is required")
	}
	startsAt, err := parseTime("starts_at", req.StartsAt)
	if err != nil {
		return in, err
	}
	if !startsAt.After(s.Clock.Now()) {
		return in, herald.FieldErrorf(herald.ECodeInvalidTime, "starts_at", "starts_at %s is not in the future", req.StartsAt)
	}
	in.StartsAt = startsAt
	if err := contact.CheckTimezone("timezone", in.Timezone); err != nil {
		return in, err
	}
	if err := checkJoinLink(in.JoinLink); err != nil {
		return in, err
	}
	if in.Source == "" {
		in.Source = "api"
	}
	if len(in.Source) > 64 {
		return in, herald.FieldErrorf(herald.ECodeInvalid, "source", "source is longer than 64 characters")
	}
	return in, nil
}

func checkTitle(title string) error {
	if title == "" || len(title) > 200 {
		return herald.FieldErrorf(herald.ECodeInvalid, "title", "title must have 1 to 200 characters")
	}
	return nil
}

func checkJoinLink(link string) error {
	if link == "" {
		return nil
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(link) > 2000 {
		return herald.FieldErrorf(herald.ECodeInvalid, "join_link", "join_link %q is not an http(s) URL", link)
	}
	return nil
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
	var patch herald.MeetingPatch
	if req.Title != nil {
		title := strings.TrimSpace(*req.Title)
		if err := checkTitle(title); err != nil {
			return err
		}
		patch.Title = &title
	}
	if req.JoinLink != nil {
		link := strings.TrimSpace(*req.JoinLink)
		if err := checkJoinLink(link); err != nil {
			return err
		}
		patch.JoinLink = &link
	}
	if req.StartsAt != nil {
		at, err := parseTime("starts_at", *req.StartsAt)
		if err != nil {
			return err
		}
		if !at.After(s.Clock.Now()) {
			return herald.FieldErrorf(herald.ECodeInvalidTime, "starts_at", "starts_at %s is not in the future", *req.StartsAt)
		}
		patch.StartsAt = &at
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
