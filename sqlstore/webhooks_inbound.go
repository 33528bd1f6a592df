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

// conversation is the latest SMS reminder Herald sent to a phone from one
// of its numbers: the tenant and lead an inbound SMS from that phone to
// that number answers.
type conversation struct {
	tenantID, leadID, meetingID string
}

// latestConversation finds the latest SMS Herald sent to phone from
// sender, or nil when it never wrote to that phone from that number.
func latestConversation(ctx context.Context, q queryer, phone, sender string) (*conversation, error) {
	if phone == "" || sender == "" {
		return nil, nil
	}
	var c conversation
	// sender <> '' lets PostgreSQL use the partial index on it.
	err := q.QueryRowContext(ctx, `SELECT a.tenant_id, m.lead_id, m.id FROM attempts a
		JOIN reminders r ON r.tenant_id = a.tenant_id AND r.id = a.reminder_id
		JOIN meetings m ON m.tenant_id = r.tenant_id AND m.id = r.meeting_id
		WHERE a.recipient = $1 AND a.sender = $2 AND a.sender <> '' AND a.channel = $3 AND a.outcome = $4
		ORDER BY a.started_at DESC, a.id DESC LIMIT 1`, phone, sender, string(herald.ChannelSMS), herald.OutcomeSent).
		Scan(&c.tenantID, &c.leadID, &c.meetingID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find conversation: %w", err)
	}
	return &c, nil
}

// ReceiveInbound records an inbound SMS and acts on it in one transaction.
func (s *Store) ReceiveInbound(ctx context.Context, msg herald.InboundSMS, classify func(string) herald.InboundKind) (herald.InboundOutcome, error) {
	var out herald.InboundOutcome
	at := msg.ReceivedAt.UTC().Truncate(time.Microsecond)
	if err := s.forgetOldNonces(ctx, msg.Nonce, at); err != nil {
		return herald.InboundOutcome{}, err
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		out = herald.InboundOutcome{Replies: herald.DefaultSettings().Replies}
		if err := claimNonce(ctx, tx, msg.Provider, msg.Nonce, at); err != nil {
			return err
		}
		text, key := msg.Text, msg.MessageID
		if msg.Part != nil {
			whole, result, err := s.addPart(ctx, tx, msg, at)
			if err != nil || result != "" {
				out.Result = result
				return err
			}
			text, key = whole, "concat:"+msg.From+":"+msg.To+":"+msg.Part.Ref
		}
		out.Text, out.Kind = text, classify(text)
		conv, err := latestConversation(ctx, tx, msg.From, msg.To)
		if err != nil {
			return err
		}
		ev := webhookEvent{provider: msg.Provider, kind: eventInbound, key: key, outcome: string(out.Kind), at: at,
			detail: "from " + herald.MaskPhone(msg.From) + " to " + msg.To + ": " + excerpt(text)}
		if conv != nil {
			ev.tenantID, ev.entityID = conv.tenantID, conv.leadID
		}
		if fresh, err := recordEvent(ctx, tx, ev); err != nil || !fresh {
			out.Result = herald.InboundDuplicate
			return err
		}
		out.Result = herald.InboundApplied
		if conv != nil {
			out.Known, out.TenantID, out.LeadID = true, conv.tenantID, conv.leadID
			settings, err := loadSettings(ctx, tx, conv.tenantID)
			if err != nil {
				return err
			}
			out.Replies = settings.Replies
			if err := writeAudit(ctx, tx, herald.AuditAction{TenantID: conv.tenantID, Action: herald.ActionInboundSMS,
				EntityType: herald.EntityLead, EntityID: conv.leadID, Channel: string(herald.ChannelSMS), Provider: msg.Provider,
				Outcome: string(out.Kind), Detail: ev.detail, At: at}); err != nil {
				return err
			}
			if err := s.writeEvents(ctx, tx, herald.NewEvent(conv.tenantID, herald.EventInboundReceived, key,
				herald.InboundMessage{Provider: msg.Provider, MessageID: key, From: msg.From, To: msg.To,
					LeadID: conv.leadID, Text: text, Kind: out.Kind, ReceivedAt: at}, at)); err != nil {
				return err
			}
		}
		switch out.Kind {
		case herald.InboundStop, herald.InboundStart:
			out.Leads, err = s.setOptOut(ctx, tx, herald.OptOut{Phone: msg.From, Sender: msg.To, Provider: msg.Provider,
				OptedOut: out.Kind == herald.InboundStop, Cause: strings.ToUpper(string(out.Kind)) + " by SMS", At: at})
		case herald.InboundConfirm:
			if conv != nil {
				out.MeetingID, err = s.confirmMeeting(ctx, tx, conv, msg, at)
			}
		}
		return err
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

// SetSMSOptOut applies an opt-out or opt-in in its own transaction.
func (s *Store) SetSMSOptOut(ctx context.Context, o herald.OptOut) ([]herald.LeadRef, error) {
	var leads []herald.LeadRef
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		leads, err = s.setOptOut(ctx, tx, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set SMS opt-out: %w", err)
	}
	return leads, nil
}

// setOptOut changes every lead with o.Phone in every tenant that has sent
// from o.Sender, and writes the change into each tenant's audit trail;
// a lead already in the asked state is audited as unchanged.
func (s *Store) setOptOut(ctx context.Context, tx *sql.Tx, o herald.OptOut) ([]herald.LeadRef, error) {
	at := o.At.UTC().Truncate(time.Microsecond)
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.tenant_id, l.sms_opted_out FROM leads l
		WHERE l.phone = $1 AND l.phone <> '' AND EXISTS (SELECT 1 FROM attempts a
			WHERE a.tenant_id = l.tenant_id AND a.sender = $2 AND a.sender <> '')
		ORDER BY l.tenant_id, l.id`+s.db.dialect.forUpdate, o.Phone, o.Sender)
	if err != nil {
		return nil, fmt.Errorf("find leads of %s: %w", herald.MaskPhone(o.Phone), err)
	}
	type found struct {
		ref      herald.LeadRef
		optedOut bool
	}
	var leads []found
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.ref.LeadID, &f.ref.TenantID, &f.optedOut); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find leads: %w", err)
		}
		leads = append(leads, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find leads: %w", err)
	}
	action, outcome := herald.ActionLeadOptedIn, herald.AuditOptedIn
	var optedOutAt any
	if o.OptedOut {
		action, outcome, optedOutAt = herald.ActionLeadOptedOut, herald.AuditOptedOut, ts(at)
	}
	refs := make([]herald.LeadRef, 0, len(leads))
	audit := make([]herald.AuditAction, 0, len(leads))
	var events []herald.Event
	for _, l := range leads {
		refs = append(refs, l.ref)
		result := outcome
		if l.optedOut == o.OptedOut {
			result = "unchanged"
		} else if _, err := tx.ExecContext(ctx, `UPDATE leads SET sms_opted_out = $1, sms_opted_out_at = $2,
			updated_at = $3 WHERE tenant_id = $4 AND id = $5`,
			o.OptedOut, optedOutAt, ts(at), l.ref.TenantID, l.ref.LeadID); err != nil {
			return nil, fmt.Errorf("change consent of lead %s: %w", l.ref.LeadID, err)
		} else {
			lead, err := loadLead(ctx, tx, l.ref.TenantID, l.ref.LeadID, "")
			if err != nil {
				return nil, err
			}
			events = append(events, herald.NewEvent(lead.TenantID, optEvent(o.OptedOut), lead.ID, lead, at))
		}
		audit = append(audit, herald.AuditAction{TenantID: l.ref.TenantID, Action: action, EntityType: herald.EntityLead,
			EntityID: l.ref.LeadID, Channel: string(herald.ChannelSMS), Provider: o.Provider, Outcome: result,
			Detail: o.Cause + " from " + herald.MaskPhone(o.Phone) + " to " + o.Sender, At: at})
	}
	if err := writeAudit(ctx, tx, audit...); err != nil {
		return nil, err
	}
	return refs, s.writeEvents(ctx, tx, events...)
}

// optEvent is the event of a lead's change of consent.
func optEvent(optedOut bool) herald.EventType {
	if optedOut {
		return herald.EventLeadOptedOut
	}
	return herald.EventLeadOptedIn
}

// confirmMeeting confirms the meeting of the conversation, or, when it has
// started or was cancelled, the lead's next upcoming one. It returns the
// meeting's id, or "" when the lead has nothing left to confirm.
func (s *Store) confirmMeeting(ctx context.Context, tx *sql.Tx, conv *conversation, msg herald.InboundSMS, at time.Time) (string, error) {
	m, err := scanMeeting(tx.QueryRowContext(ctx, "SELECT "+meetingColumns+
		" FROM meetings WHERE tenant_id = $1 AND id = $2"+s.db.dialect.forUpdate, conv.tenantID, conv.meetingID))
	if err != nil {
		return "", fmt.Errorf("load meeting to confirm: %w", err)
	}
	if !m.Active() || !at.Before(m.StartsAt) {
		m, err = scanMeeting(tx.QueryRowContext(ctx, "SELECT "+meetingColumns+` FROM meetings
			WHERE tenant_id = $1 AND lead_id = $2 AND status IN ($3, $4) AND starts_at > $5
			ORDER BY starts_at, id LIMIT 1`+s.db.dialect.forUpdate,
			conv.tenantID, conv.leadID, herald.MeetingScheduled, herald.MeetingConfirmed, ts(at)))
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("find the next meeting to confirm: %w", err)
		}
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
