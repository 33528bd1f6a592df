package webui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"herald"
	"herald/render"
)

// event is one step of a reminder's or a meeting's story.
type event struct {
	At time.Time
	// Kind groups events for their look: plan, attempt, receipt,
	// fallback, reply, meeting, state.
	Kind    string
	Title   string
	Detail  string
	Outcome string
	// ReminderID links the step to its reminder on a meeting's timeline.
	ReminderID string
	Attempt    *herald.Attempt
	// Text is the message as sent (from the outbox) or rendered again.
	Text *sentText
}

// sentText is the text of one attempt's message.
type sentText struct {
	Subject string
	Body    string
	// Exact reports that the text is the one kept when it was sent; else
	// it was rendered again from the current template for the attempt's
	// time.
	Exact bool
}

// actionTitles say what each audit action means, in words.
var actionTitles = map[herald.Action]struct{ kind, title string }{
	herald.ActionReminderPlanned:   {"plan", "Planned"},
	herald.ActionReminderSkipped:   {"state", "Skipped"},
	herald.ActionReminderCancelled: {"state", "Cancelled"},
	herald.ActionAttempt:           {"attempt", "Attempt started"},
	herald.ActionSent:              {"attempt", "Sent"},
	herald.ActionFailed:            {"state", "Failed"},
	herald.ActionRetry:             {"state", "Retry planned"},
	herald.ActionThrottled:         {"state", "Provider asked Herald to slow down"},
	herald.ActionUnknown:           {"state", "Outcome unknown"},
	herald.ActionExpired:           {"state", "Expired"},
	herald.ActionFallbackEmail:     {"fallback", "Falling back to email"},
	herald.ActionDeliveryReceipt:   {"receipt", "Delivery receipt"},
	herald.ActionInboundSMS:        {"reply", "Text from the lead"},
	herald.ActionReplySent:         {"reply", "Automatic answer"},
	herald.ActionLeadOptedOut:      {"reply", "Opted out of SMS"},
	herald.ActionLeadOptedIn:       {"reply", "Opted back in to SMS"},
	herald.ActionLeadCreated:       {"meeting", "Lead created"},
	herald.ActionLeadUpdated:       {"meeting", "Lead changed"},
	herald.ActionMeetingBooked:     {"meeting", "Meeting booked"},
	herald.ActionMeetingUpdated:    {"meeting", "Meeting changed"},
	herald.ActionMeetingMoved:      {"meeting", "Meeting moved"},
	herald.ActionMeetingCancelled:  {"meeting", "Meeting cancelled"},
	herald.ActionMeetingConfirmed:  {"reply", "Confirmed by the lead"},
}

// reasonWords say why a reminder was skipped or cancelled.
var reasonWords = map[herald.Reason]string{
	herald.ReasonTooLate:     "Its time had already passed when the meeting was booked or moved: never sent late.",
	herald.ReasonSuperseded:  "A later reminder's time had come first.",
	herald.ReasonRescheduled: "The meeting moved; a new reminder is planned for the new time.",
	herald.ReasonCancelled:   "The meeting was cancelled.",
}

// describe turns an audit action into a timeline step.
func describe(a herald.AuditAction) event {
	e := event{At: a.At, Kind: "state", Title: strings.ReplaceAll(string(a.Action), "_", " "), Detail: a.Detail, Outcome: a.Outcome}
	if t, ok := actionTitles[a.Action]; ok {
		e.Kind, e.Title = t.kind, t.title
	}
	if a.EntityType == "reminder" {
		e.ReminderID = a.EntityID
		switch a.Action {
		case herald.ActionReminderPlanned, herald.ActionReminderSkipped, herald.ActionReminderCancelled:
			// Their detail repeats ids and times the page shows already;
			// the reason, in words, is what a reader wants.
			e.Detail = ""
			for reason, words := range reasonWords {
				if strings.HasSuffix(a.Detail, " "+string(reason)) {
					e.Detail = words
				}
			}
		}
	}
	var via []string
	if a.Channel != "" {
		via = append(via, a.Channel)
	}
	if a.Provider != "" {
		via = append(via, a.Provider)
	}
	if len(via) > 0 {
		e.Title += " · " + strings.Join(via, " via ")
	}
	return e
}

func describeAll(actions []herald.AuditAction) []event {
	out := make([]event, len(actions))
	for i, a := range actions {
		out[i] = describe(a)
	}
	sortEvents(out)
	return out
}

func sortEvents(es []event) {
	slices.SortStableFunc(es, func(a, b event) int { return a.At.Compare(b.At) })
}

// auditOf lists the audit actions of one entity, oldest first.
func (s *Server) auditOf(ctx context.Context, tenantID, entityID string) ([]herald.AuditAction, error) {
	return s.Dashboard.EntityAudit(ctx, tenantID, []string{entityID})
}

// auditByEntity reads the audit actions of several entities in one query
// and files them by entity id, each entity's oldest first. The query's
// limit is shared, so a lead, whose inbound texts are unbounded, is read
// on its own, never batched with the entities of a timeline.
func (s *Server) auditByEntity(ctx context.Context, tenantID string, entityIDs ...string) (map[string][]herald.AuditAction, error) {
	actions, err := s.Dashboard.EntityAudit(ctx, tenantID, entityIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]herald.AuditAction, len(entityIDs))
	for _, a := range actions {
		out[a.EntityID] = append(out[a.EntityID], a)
	}
	return out, nil
}

// reminderStory is a reminder's timeline, from its audit actions:
// planned, attempts with each provider's answer and the text sent,
// receipts and fallback.
func (s *Server) reminderStory(ctx context.Context, c *pageCtx, r herald.Reminder, m herald.Meeting, l herald.Lead,
	actions []herald.AuditAction) ([]event, error) {
	var out []event
	for _, a := range actions {
		if a.Action == herald.ActionAttempt && len(r.AttemptHistory) > 0 {
			continue // shown with its provider answers below
		}
		out = append(out, describe(a))
	}
	kept, err := s.Dashboard.OutboxOfReminder(ctx, c.tenant.ID, r.ID)
	if err != nil {
		return nil, err
	}
	for i := range r.AttemptHistory {
		a := &r.AttemptHistory[i]
		e := event{At: a.StartedAt, Kind: "attempt", Title: "Attempt " + strconv.Itoa(a.Number) + " · " + a.Channel, Outcome: string(a.Outcome),
			Detail: a.Error, Attempt: a, ReminderID: r.ID}
		e.Text = s.textOf(ctx, c, r, m, l, a, kept)
		out = append(out, e)
	}
	sortEvents(out)
	return out, nil
}

// repliesAfter lists, of the lead's and the meeting's actions, the lead's
// replies and confirmation since the reminder first went out. The meeting
// page lists them once for the whole meeting, so only the reminder page
// asks.
func repliesAfter(r herald.Reminder, actions ...[]herald.AuditAction) []event {
	if len(r.AttemptHistory) == 0 {
		return nil
	}
	since := r.AttemptHistory[0].StartedAt
	var out []event
	for _, list := range actions {
		for _, a := range list {
			if !a.At.Before(since) && actionTitles[a.Action].kind == "reply" {
				out = append(out, describe(a))
			}
		}
	}
	return out
}

// textOf is the text of an attempt: the outbox's copy when it kept one,
// else the reminder's template rendered again for the attempt's time.
func (s *Server) textOf(ctx context.Context, c *pageCtx, r herald.Reminder, m herald.Meeting, l herald.Lead, a *herald.Attempt, kept []herald.OutboxMessage) *sentText {
	for _, k := range kept {
		if k.Reference == a.Reference {
			return &sentText{Subject: k.Subject, Body: k.Text, Exact: true}
		}
	}
	e, err := s.Templates.Get(ctx, c.tenant.ID, r.Template, herald.Channel(a.Channel))
	if err != nil {
		return nil
	}
	out := e.Template.Render(render.Values{Name: l.Name, Title: m.Title, Start: m.StartsAt, JoinLink: m.JoinLink,
		Tenant: c.tenant.Name, Zone: render.ResolveZone(l.Timezone, m.Timezone, c.settings.Timezone), Locale: l.Locale,
		Now: a.StartedAt})
	return &sentText{Subject: out.Subject, Body: out.Text}
}

func (s *Server) reminder(c *pageCtx) error {
	ctx := c.r.Context()
	r, err := s.Store.Reminder(ctx, c.tenant.ID, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	m, err := s.Store.Meeting(ctx, c.tenant.ID, r.MeetingID)
	if err != nil {
		return err
	}
	l, err := s.Store.Lead(ctx, c.tenant.ID, m.LeadID)
	if err != nil {
		return err
	}
	audit, err := s.auditByEntity(ctx, c.tenant.ID, r.ID, m.ID)
	if err != nil {
		return err
	}
	story, err := s.reminderStory(ctx, c, r, m, l, audit[r.ID])
	if err != nil {
		return err
	}
	var leadAudit []herald.AuditAction
	if len(r.AttemptHistory) > 0 {
		if leadAudit, err = s.auditOf(ctx, c.tenant.ID, l.ID); err != nil {
			return err
		}
	}
	story = append(story, repliesAfter(r, leadAudit, audit[m.ID])...)
	sortEvents(story)
	reason := ""
	if !r.Final() {
		reason = waitReason(herald.ReminderView{Reminder: r, LeadPhone: l.Phone, LeadEmail: l.Email, LeadOptedOut: l.SMSOptedOut},
			c.settings, c.now, c.zone)
	}
	s.render(c.w, c.r, 200, "reminder", c, map[string]any{
		"Reminder": r, "Meeting": m, "Lead": l, "Events": story, "Reason": reason,
	})
	return nil
}
