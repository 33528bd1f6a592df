package webui

import (
	"strings"

	"herald"
)

// objectLink is the dashboard page of an event's object, if it has one.
func objectLink(e herald.Event) string {
	switch {
	case strings.HasPrefix(e.ObjectID, "rem_"):
		return "/ui/reminders/" + e.ObjectID
	case strings.HasPrefix(e.ObjectID, "mtg_"):
		return "/ui/meetings/" + e.ObjectID
	case strings.HasPrefix(e.ObjectID, "lead_"):
		return "/ui/leads/" + e.ObjectID
	}
	return ""
}

// eventRow is an event with the link to its object. Its data is not shown:
// it carries contact data in clear, which the dashboard's lists mask.
type eventRow struct {
	herald.Event
	Link string
}

func (s *Server) events(c *pageCtx) error {
	f := herald.EventFilter{Type: herald.EventType(c.r.URL.Query().Get("type")), Page: pageOf(c)}
	if f.Type != "" && !f.Type.Valid() {
		return herald.Errorf(herald.ECodeInvalidQuery, "There is no event type %q.", f.Type)
	}
	page, err := s.Events.ListEvents(c.r.Context(), c.tenant.ID, f)
	if err != nil {
		return err
	}
	rows := make([]eventRow, len(page.Items))
	for i, e := range page.Items {
		rows[i] = eventRow{Event: e, Link: objectLink(e)}
	}
	s.render(c.w, c.r, 200, "events", c, map[string]any{
		"Rows": rows, "Types": herald.EventTypes, "Type": string(f.Type),
		"Next": nextLink(c, page.NextCursor), "First": firstLink(c),
	})
	return nil
}

// redeliverEvent sends an event again to its endpoints, as POST
// /v1/events/{id}/redeliver does.
func (s *Server) redeliverEvent(c *pageCtx) error {
	if _, err := s.Events.RedeliverEvent(c.r.Context(), c.tenant.ID, c.r.PathValue("id")); err != nil {
		return err
	}
	redirectDone(c, "/ui/events", "redelivered")
	return nil
}

func (s *Server) endpoints(c *pageCtx) error {
	page, err := s.Events.ListWebhookEndpoints(c.r.Context(), c.tenant.ID, pageOf(c))
	if err != nil {
		return err
	}
	s.render(c.w, c.r, 200, "endpoints", c, map[string]any{
		"Rows": page.Items, "Next": nextLink(c, page.NextCursor), "First": firstLink(c),
	})
	return nil
}
