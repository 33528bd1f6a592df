package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"herald"
)

// auditTextLimit bounds how much of an inbound text the audit trail keeps.
const auditTextLimit = 160

// inboundMeetingColumns reads an herald.InboundMeeting from meetings m.
const inboundMeetingColumns = "m.id, m.lead_id, m.status, m.starts_at"

func scanInboundMeeting(row *sql.Row) (*herald.InboundMeeting, error) {
	var m herald.InboundMeeting
	err := row.Scan(&m.ID, &m.LeadID, &m.Status, scanTime(&m.StartsAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// loadInbound loads what an inbound text is decided from: the tenants
// that send from the number it was written to and, for those that know
// the phone (or the one tenant of the number), their reply texts, their
// leads with that phone, their latest SMS to it from that number and the
// soonest meeting ahead with it.
func (s *Store) loadInbound(ctx context.Context, tx *sql.Tx, msg herald.InboundSMS, at time.Time) ([]herald.InboundTenant, error) {
	ids, err := s.tenantsSendingFrom(ctx, tx, msg.To)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	leads := map[string]int{}
	rows, err := tx.QueryContext(ctx, `SELECT tenant_id, count(*) FROM leads WHERE phone = $1 AND phone <> ''
		GROUP BY tenant_id`, msg.From)
	if err != nil {
		return nil, fmt.Errorf("find leads of %s: %w", herald.MaskPhone(msg.From), err)
	}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id string
		var n int
		err := rows.Scan(&id, &n)
		leads[id] = n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find leads: %w", err)
	}
	tenants := make([]herald.InboundTenant, 0, len(ids))
	for _, id := range ids {
		t := herald.InboundTenant{TenantID: id, Leads: leads[id]}
		if t.Leads > 0 || len(ids) == 1 {
			settings, err := loadSettings(ctx, tx, id)
			if err != nil {
				return nil, err
			}
			t.Replies = settings.Replies
		}
		if t.Leads > 0 {
			// sender <> '' lets PostgreSQL use the partial index on it.
			t.Latest, err = scanInboundMeeting(tx.QueryRowContext(ctx, "SELECT "+inboundMeetingColumns+` FROM attempts a
				JOIN reminders r ON r.tenant_id = a.tenant_id AND r.id = a.reminder_id
				JOIN meetings m ON m.tenant_id = r.tenant_id AND m.id = r.meeting_id
				WHERE a.tenant_id = $1 AND a.recipient = $2 AND a.sender = $3 AND a.sender <> '' AND a.channel = $4
					AND a.outcome = $5
				ORDER BY a.started_at DESC, a.id DESC LIMIT 1`,
				id, msg.From, msg.To, string(herald.ChannelSMS), herald.OutcomeSent))
			if err != nil {
				return nil, fmt.Errorf("find conversation: %w", err)
			}
			t.Next, err = scanInboundMeeting(tx.QueryRowContext(ctx, "SELECT "+inboundMeetingColumns+` FROM meetings m
				JOIN leads l ON l.tenant_id = m.tenant_id AND l.id = m.lead_id
				WHERE m.tenant_id = $1 AND l.phone = $2 AND m.status IN ($3, $4) AND m.starts_at > $5
				ORDER BY m.starts_at, m.id LIMIT 1`,
				id, msg.From, herald.MeetingScheduled, herald.MeetingConfirmed, ts(at)))
			if err != nil {
				return nil, fmt.Errorf("find next meeting: %w", err)
			}
		}
		tenants = append(tenants, t)
	}
	return tenants, nil
}

// ReceiveInbound records an inbound SMS, lets decide choose what it does,
// and applies that, in one transaction.
func (s *Store) ReceiveInbound(ctx context.Context, msg herald.InboundSMS, decide herald.InboundDecider) (herald.InboundOutcome, error) {
	var out herald.InboundOutcome
	at := msg.ReceivedAt.UTC().Truncate(time.Microsecond)
	if err := s.forgetOldNonces(ctx, msg.Nonce, at); err != nil {
		return herald.InboundOutcome{}, err
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		out = herald.InboundOutcome{}
		if err := claimNonce(ctx, tx, msg.Provider, msg.Nonce, at); err != nil {
			return err
		}
		key := msg.MessageID
		if msg.Part != nil {
			whole, result, err := s.addPart(ctx, tx, msg, at)
			if err != nil || result != "" {
				out.Result = result
				return err
			}
			msg.Text, key = whole, "concat:"+msg.From+":"+msg.To+":"+msg.Part.Ref
		}
		st := &herald.InboundState{Message: msg}
		var err error
		if st.Tenants, err = s.loadInbound(ctx, tx, msg, at); err != nil {
			return err
		}
		d := decide(st)
		out.Text, out.Kind, out.TenantID, out.LeadID, out.Ambiguous = msg.Text, d.Kind, d.TenantID, d.LeadID, d.Ambiguous
		ev := webhookEvent{provider: msg.Provider, kind: eventInbound, key: key, outcome: string(d.Kind), at: at,
			tenantID: d.TenantID, entityID: d.LeadID,
			detail: "from " + herald.MaskPhone(msg.From) + " to " + msg.To + ": " + excerpt(msg.Text)}
		if d.Ambiguous {
			ev.detail = "ambiguous between the tenants sending from " + msg.To + "; " + ev.detail
		}
		if fresh, err := recordEvent(ctx, tx, ev); err != nil || !fresh {
			out.Result = herald.InboundDuplicate
			return err
		}
		out.Result = herald.InboundApplied
		if d.TenantID != "" && d.LeadID != "" {
			if err := writeAudit(ctx, tx, herald.AuditAction{TenantID: d.TenantID, Action: herald.ActionInboundSMS,
				EntityType: herald.EntityLead, EntityID: d.LeadID, Channel: string(herald.ChannelSMS), Provider: msg.Provider,
				Outcome: string(d.Kind), Detail: ev.detail, At: at}); err != nil {
				return err
			}
			if err := s.writeEvents(ctx, tx, herald.NewEvent(d.TenantID, herald.EventInboundReceived, key,
				herald.InboundMessage{Provider: msg.Provider, MessageID: key, From: msg.From, To: msg.To,
					LeadID: d.LeadID, Text: msg.Text, Kind: d.Kind, ReceivedAt: at}, at)); err != nil {
				return err
			}
		}
		if d.OptOut != nil {
			if out.Leads, err = s.recordOptOut(ctx, tx, *d.OptOut); err != nil {
				return err
			}
		}
		out.Reply = d.Reply
		if d.ConfirmMeetingID != "" {
			if out.MeetingID, err = s.confirmMeeting(ctx, tx, d.TenantID, d.ConfirmMeetingID, msg, at); err != nil {
				return err
			}
			if out.MeetingID == "" {
				out.Reply = "" // cancelled or started meanwhile
			}
		}
		return nil
	})
	if err != nil {
		return herald.InboundOutcome{}, fmt.Errorf("receive %s SMS: %w", msg.Provider, err)
	}
	return out, nil
}

// excerpt shortens an inbound text for the audit trail.
func excerpt(text string) string {
	text = strings.ToValidUTF8(text, "�")
	if utf8.RuneCountInString(text) <= auditTextLimit {
		return text
	}
	return string([]rune(text)[:auditTextLimit]) + "…"
}

// SetSMSOptOut records an opt-out or opt-in in its own transaction.
func (s *Store) SetSMSOptOut(ctx context.Context, o herald.OptOut) ([]herald.LeadRef, error) {
	var leads []herald.LeadRef
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		leads, err = s.recordOptOut(ctx, tx, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set SMS opt-out: %w", err)
	}
	return leads, nil
}

// confirmMeeting confirms a meeting of a tenant that is still ahead and
// not cancelled, and returns its id ("" when it no longer is). A meeting
// already confirmed is left as it is.
func (s *Store) confirmMeeting(ctx context.Context, tx *sql.Tx, tenantID, meetingID string, msg herald.InboundSMS, at time.Time) (string, error) {
	m, err := scanMeeting(tx.QueryRowContext(ctx, "SELECT "+meetingColumns+
		" FROM meetings WHERE tenant_id = $1 AND id = $2"+s.db.dialect.forUpdate, tenantID, meetingID))
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load meeting to confirm: %w", err)
	}
	if !m.Active() || !at.Before(m.StartsAt) {
		return "", nil
	}
	if m.Status == herald.MeetingConfirmed {
		return m.ID, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meetings SET status = $1, confirmed_at = $2, updated_at = $2
		WHERE tenant_id = $3 AND id = $4`, herald.MeetingConfirmed, ts(at), m.TenantID, m.ID); err != nil {
		return "", fmt.Errorf("confirm meeting: %w", err)
	}
	if err := writeAudit(ctx, tx, herald.AuditAction{TenantID: m.TenantID, Action: herald.ActionMeetingConfirmed,
		EntityType: herald.EntityMeeting, EntityID: m.ID, Channel: string(herald.ChannelSMS), Provider: msg.Provider,
		Outcome: herald.MeetingConfirmed, Detail: "CONFIRM by SMS from " + herald.MaskPhone(msg.From), At: at}); err != nil {
		return "", err
	}
	confirmed, err := s.loadMeeting(ctx, tx, m.TenantID, m.ID, "")
	if err != nil {
		return "", err
	}
	return m.ID, s.writeEvents(ctx, tx, herald.NewEvent(m.TenantID, herald.EventMeetingConfirmed, m.ID, confirmed, at))
}
