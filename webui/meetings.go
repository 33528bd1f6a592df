package webui

import (
	"strings"
	"time"

	"herald"
	"herald/render"
)

func (s *Server) meeting(c *pageCtx) error {
	ctx := c.r.Context()
	m, err := s.Store.Meeting(ctx, c.tenant.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	l, err := s.Store.Lead(ctx, c.tenant.ID, m.LeadID)
	if err != nil {
		return err
	}
	// The audit of the meeting and every reminder in one query; the
	// lead's on its own (see auditByEntity).
	ids := []string{m.ID}
	for _, r := range m.Reminders {
		ids = append(ids, r.ID)
	}
	audit, err := s.auditByEntity(ctx, c.tenant.ID, ids...)
	if err != nil {
		return err
	}
	story := describeAll(audit[m.ID])
	reasons := map[string]string{}
	for _, r := range m.Reminders {
		full, err := s.Store.Reminder(ctx, c.tenant.ID, r.ID)
		if err != nil {
			return err
		}
		steps, err := s.reminderStory(ctx, c, full, m, l, audit[r.ID])
		if err != nil {
			return err
		}
		for _, e := range steps {
			e.Title = r.Rule + " reminder · " + e.Title
			story = append(story, e)
		}
		if !r.Final() {
			reasons[r.ID] = waitReason(herald.ReminderView{Reminder: r, LeadPhone: l.Phone, LeadEmail: l.Email,
				LeadOptedOut: l.SMSOptedOut}, c.settings, c.now, c.zone)
		}
	}
	replies, err := s.auditOf(ctx, c.tenant.ID, l.ID)
	if err != nil {
		return err
	}
	for _, a := range replies {
		if actionTitles[a.Action].kind == "reply" && !a.At.Before(m.CreatedAt) {
			story = append(story, describe(a))
		}
	}
	sortEvents(story)
	zone := render.ResolveZone(m.Timezone, c.settings.Timezone, "")
	s.render(c.w, c.r, 200, "meeting", c, map[string]any{
		"Meeting": m, "Lead": l, "Events": story, "Reasons": reasons, "Active": m.Active(),
		"MeetingZone": zone.String(), "StartsLocal": m.StartsAt.In(zone).Format("2006-01-02T15:04"),
	})
	return nil
}

// cancelMeeting cancels a meeting and its pending reminders, through the
// store method the API's POST /v1/meetings/{id}/cancel uses.
func (s *Server) cancelMeeting(c *pageCtx) error {
	m, err := s.Store.CancelMeeting(c.r.Context(), c.tenant.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	redirectDone(c, "/ui/meetings/"+m.ID, "cancelled")
	return nil
}

// moveMeeting moves a meeting to a new start, given in the meeting's zone
// (else the tenant's), through the store method of PATCH
// /v1/meetings/{id}: its unsent reminders are planned again.
func (s *Server) moveMeeting(c *pageCtx) error {
	ctx := c.r.Context()
	m, err := s.Store.Meeting(ctx, c.tenant.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	zone := render.ResolveZone(m.Timezone, c.settings.Timezone, "")
	raw := strings.TrimSpace(c.r.PostForm.Get("starts_at"))
	at, err := time.ParseInLocation("2006-01-02T15:04", raw, zone)
	if err != nil {
		return herald.FieldErrorf(herald.ECodeInvalidTime, "starts_at", "%q is not a date and time such as 2026-03-02T14:00.", raw)
	}
	if !at.After(c.now) {
		return herald.FieldErrorf(herald.ECodeInvalidTime, "starts_at", "The new time %s is not in the future.", at.Format("2 Jan 2006 15:04 MST"))
	}
	at = at.UTC()
	if _, err := s.Store.UpdateMeeting(ctx, c.tenant.ID, m.ID, herald.MeetingPatch{StartsAt: &at}); err != nil {
		return err
	}
	redirectDone(c, "/ui/meetings/"+m.ID, "moved")
	return nil
}
