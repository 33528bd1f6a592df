package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"herald"
)

// bookingLead names one lead of one tenant.
type bookingLead struct{ tenantID, leadID string }

// leadRules is what a booking reads of its lead and tenant: the tenant's
// settings and the lead's time zone.
type leadRules struct {
	settings herald.Settings
	zone     string
}

// readLeadRules reads the rules of each lead in one query; a lead that
// does not exist in its tenant is left out of the map.
func readLeadRules(ctx context.Context, tx *sql.Tx, leads []bookingLead) (map[bookingLead]leadRules, error) {
	out := make(map[bookingLead]leadRules, len(leads))
	if len(leads) == 0 {
		return out, nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(leads))
	for i, l := range padded(leads) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($%d, $%d)", 2*i+1, 2*i+2)
		args = append(args, l.tenantID, l.leadID)
	}
	rows, err := tx.QueryContext(ctx, `SELECT l.tenant_id, l.id, t.settings, l.timezone FROM leads l
		JOIN tenants t ON t.id = l.tenant_id WHERE (l.tenant_id, l.id) IN (`+b.String()+`)`, args...)
	if err != nil {
		return nil, err
	}
	decoded := map[string]herald.Settings{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var (
			l        bookingLead
			raw      string
			rules    leadRules
			decodeOK bool
		)
		if err := rows.Scan(&l.tenantID, &l.leadID, &raw, &rules.zone); err != nil {
			return err
		}
		if rules.settings, decodeOK = decoded[raw]; !decodeOK {
			var err error
			if rules.settings, err = decodeSettings(raw); err != nil {
				return err
			}
			decoded[raw] = rules.settings
		}
		out[l] = rules
		return nil
	})
	return out, err
}

// newBooking is the meeting in books for tenantID as id, before it is
// written.
func newBooking(tenantID, id string, in herald.BookMeetingInput, now time.Time) herald.Meeting {
	return herald.Meeting{ID: id, TenantID: tenantID, LeadID: in.LeadID, Title: in.Title,
		StartsAt: in.StartsAt.UTC(), Timezone: in.Timezone, JoinLink: in.JoinLink, Status: herald.MeetingScheduled,
		Source: in.Source, CreatedAt: now, UpdatedAt: now}
}

// writeBookings writes new meetings, each planned by the rules of its
// lead, with their reminders, jobs, audit and events: a few statements
// for all of them. It sets each meeting's Reminders.
func (s *Store) writeBookings(ctx context.Context, tx *sql.Tx, meetings []*herald.Meeting, rules []leadRules, now time.Time) error {
	if len(meetings) == 0 {
		return nil
	}
	var plan reminderPlan
	for i, m := range meetings {
		m.Reminders = s.plan(&plan, m, rules[i].settings, rules[i].zone, now,
			herald.AuditAction{TenantID: m.TenantID, Action: herald.ActionMeetingBooked, EntityType: herald.EntityMeeting,
				EntityID: m.ID, Outcome: m.Status, Detail: "starts " + ts(m.StartsAt) + " source " + m.Source, At: now})
	}
	for _, part := range inParts(meetings) {
		if err := insertMeetings(ctx, tx, part, now); err != nil {
			return err
		}
	}
	if err := s.writePlan(ctx, tx, &plan); err != nil {
		return err
	}
	var events []herald.Event
	for _, m := range meetings {
		events = append(events, meetingEvents(herald.EventMeetingBooked, *m, now)...)
	}
	return s.writeEvents(ctx, tx, events...)
}

// insertMeetings inserts new meetings, created at now, in one statement.
func insertMeetings(ctx context.Context, tx *sql.Tx, meetings []*herald.Meeting, now time.Time) error {
	var v valuesList
	for _, m := range meetings {
		v.row(nil, m.ID, m.TenantID, m.LeadID, m.Title, ts(m.StartsAt), m.Timezone, m.JoinLink, m.Status,
			m.Source, m.Sequence, nil, nil, ts(now), ts(now))
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meetings ("+meetingColumns+") VALUES "+v.b.String(), v.args...); err != nil {
		return fmt.Errorf("insert meetings: %w", err)
	}
	return nil
}
