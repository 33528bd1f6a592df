package webui

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"herald"
)

// pageOf reads the cursor of a paged list.
func pageOf(c *pageCtx) herald.PageRequest {
	return herald.PageRequest{Cursor: c.r.URL.Query().Get("cursor"), Limit: herald.DefaultPageLimit}
}

// nextLink is the URL of the next page: the request's URL with the cursor.
func nextLink(c *pageCtx, cursor string) string {
	if cursor == "" {
		return ""
	}
	q := c.r.URL.Query()
	q.Set("cursor", cursor)
	return c.r.URL.Path + "?" + q.Encode()
}

// firstLink is the URL of the first page when the request is on a later one.
func firstLink(c *pageCtx) string {
	q := c.r.URL.Query()
	if q.Get("cursor") == "" {
		return ""
	}
	q.Del("cursor")
	if len(q) == 0 {
		return c.r.URL.Path
	}
	return c.r.URL.Path + "?" + q.Encode()
}

// upcomingRow is a reminder on the Upcoming page with why it waits.
type upcomingRow struct {
	herald.ReminderView
	Reason string
}

// upcomingHours are the windows the Upcoming page offers.
var upcomingHours = []int{1, 6, 24, 72, 168}

func (s *Server) upcoming(c *pageCtx) error {
	hours := 24
	if h, err := strconv.Atoi(c.r.URL.Query().Get("hours")); err == nil && slices.Contains(upcomingHours, h) {
		hours = h
	}
	page, err := s.Dashboard.UpcomingReminders(c.r.Context(), c.tenant.ID, c.now.Add(time.Duration(hours)*time.Hour), pageOf(c))
	if err != nil {
		return err
	}
	rows := make([]upcomingRow, len(page.Items))
	for i, v := range page.Items {
		rows[i] = upcomingRow{ReminderView: v, Reason: waitReason(v, c.settings, c.now, c.zone)}
	}
	s.render(c.w, c.r, 200, "upcoming", c, map[string]any{
		"Rows": rows, "Hours": hours, "Choices": upcomingHours, "Next": nextLink(c, page.NextCursor), "First": firstLink(c),
	})
	return nil
}

// reminderStatuses are the statuses the message log filters by.
var reminderStatuses = herald.ReminderStatuses

// messageFilters is the message log's filter form as submitted.
type messageFilters struct {
	Status, Channel, Provider, From, To, Q string
}

func (s *Server) messages(c *pageCtx) error {
	q := c.r.URL.Query()
	in := messageFilters{Status: q.Get("status"), Channel: q.Get("channel"), Provider: strings.TrimSpace(q.Get("provider")),
		From: q.Get("from"), To: q.Get("to"), Q: strings.TrimSpace(q.Get("q"))}
	f := herald.MessageFilter{Provider: in.Provider, Search: in.Q, Page: pageOf(c)}
	if in.Status != "" {
		f.Status = herald.ReminderStatus(in.Status)
		if !f.Status.Valid() {
			return herald.Errorf(herald.ECodeInvalidQuery, "There is no reminder status %q.", in.Status)
		}
	}
	switch herald.Channel(in.Channel) {
	case "", herald.ChannelSMS, herald.ChannelEmail:
		f.Channel = in.Channel
	default:
		return herald.Errorf(herald.ECodeInvalidQuery, "There is no channel %q.", in.Channel)
	}
	var err error
	if f.From, err = dayIn(in.From, c.zone, 0); err != nil {
		return err
	}
	if f.To, err = dayIn(in.To, c.zone, 1); err != nil {
		return err
	}
	if len(in.Q) > 200 || len(in.Provider) > 50 {
		return herald.Errorf(herald.ECodeInvalidQuery, "The search is too long.")
	}
	page, err := s.Dashboard.MessageLog(c.r.Context(), c.tenant.ID, f)
	if err != nil {
		return err
	}
	s.render(c.w, c.r, 200, "messages", c, map[string]any{
		"Rows": page.Items, "Filters": in, "Statuses": reminderStatuses, "Filtered": len(q) > 0 && !(len(q) == 1 && q.Has("cursor")),
		"Next": nextLink(c, page.NextCursor), "First": firstLink(c),
	})
	return nil
}

// dayIn reads a date (YYYY-MM-DD) as the start of that day in zone, plus
// addDays; empty is no bound.
func dayIn(s string, zone *time.Location, addDays int) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, zone)
	if err != nil {
		return nil, herald.Errorf(herald.ECodeInvalidQuery, "%q is not a date such as 2026-03-02.", s)
	}
	d = d.AddDate(0, 0, addDays)
	return &d, nil
}

func (s *Server) leads(c *pageCtx) error {
	page, err := s.Store.ListLeads(c.r.Context(), c.tenant.ID, pageOf(c))
	if err != nil {
		return err
	}
	s.render(c.w, c.r, 200, "leads", c, map[string]any{
		"Rows": page.Items, "Next": nextLink(c, page.NextCursor), "First": firstLink(c),
	})
	return nil
}

func (s *Server) lead(c *pageCtx) error {
	ctx := c.r.Context()
	l, err := s.Store.Lead(ctx, c.tenant.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	meetings, err := s.Dashboard.LeadMeetings(ctx, c.tenant.ID, l.ID, pageOf(c))
	if err != nil {
		return err
	}
	history, err := s.auditOf(ctx, c.tenant.ID, l.ID)
	if err != nil {
		return err
	}
	s.render(c.w, c.r, 200, "lead", c, map[string]any{
		"Lead": l, "Meetings": meetings.Items, "History": describeAll(history),
		"Next": nextLink(c, meetings.NextCursor), "First": firstLink(c),
	})
	return nil
}

func (s *Server) outbox(c *pageCtx) error {
	page, err := s.Store.ListOutbox(c.r.Context(), c.tenant.ID, pageOf(c))
	if err != nil {
		return err
	}
	s.render(c.w, c.r, 200, "outbox", c, map[string]any{
		"Rows": page.Items, "Next": nextLink(c, page.NextCursor), "First": firstLink(c),
	})
	return nil
}

func (s *Server) settings(c *pageCtx) error {
	s.render(c.w, c.r, 200, "settings", c, map[string]any{"Settings": c.settings})
	return nil
}

// doneNotices are the messages a page shows after a form succeeded; the
// query names one, so no text from the request is ever shown.
var doneNotices = map[string]string{
	"cancelled":   "The meeting is cancelled, and its pending reminders with it.",
	"moved":       "The meeting has moved; its unsent reminders are planned again for the new time.",
	"saved":       "The template is saved: reminders use it from now on.",
	"reverted":    "Your template is deleted: reminders use the built-in one again.",
	"redelivered": "The event is on its way again to every endpoint that takes it.",
	"disabled":    "The tenant is disabled: its keys and sessions are refused and its reminders held.",
	"enabled":     "The tenant is enabled again: its held reminders go out.",
}

// redirectDone sends the browser back to path with a notice.
func redirectDone(c *pageCtx, path, done string) {
	c.w.Header().Set("Location", path+"?done="+url.QueryEscape(done))
	c.w.WriteHeader(303)
}
