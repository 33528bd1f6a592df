package webui

import (
	"slices"

	"herald"
)

// auditRow is an audit action with its step's words and its page.
type auditRow struct {
	herald.AuditAction
	Title, Link string
}

// auditLink is the dashboard page of an audit action's entity.
func auditLink(a herald.AuditAction) string {
	switch a.EntityType {
	case "reminder":
		return "/ui/reminders/" + a.EntityID
	case "meeting":
		return "/ui/meetings/" + a.EntityID
	case "lead":
		return "/ui/leads/" + a.EntityID
	}
	return ""
}

// audit lists the tenant's audit trail, newest first, optionally one
// action only.
func (s *Server) audit(c *pageCtx) error {
	action := herald.Action(c.r.URL.Query().Get("action"))
	actions := make([]string, 0, len(actionTitles))
	for a := range actionTitles {
		actions = append(actions, string(a))
	}
	slices.Sort(actions)
	if action != "" && !slices.Contains(actions, string(action)) {
		return herald.Errorf(herald.ECodeInvalidQuery, "There is no audit action %q.", action)
	}
	page, err := s.Store.ListAudit(c.r.Context(), c.tenant.ID, herald.AuditFilter{Action: action, Page: pageOf(c)})
	if err != nil {
		return err
	}
	rows := make([]auditRow, len(page.Items))
	for i, a := range page.Items {
		rows[i] = auditRow{AuditAction: a, Title: describe(a).Title, Link: auditLink(a)}
	}
	s.render(c.w, c.r, 200, "audit", c, map[string]any{
		"Rows": rows, "Actions": actions, "Action": string(action),
		"Next": nextLink(c, page.NextCursor), "First": firstLink(c),
	})
	return nil
}
