package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"herald"
)

// EraseLead erases a lead's personal data on request, in one transaction:
//   - its name, phone and email are emptied; the row and its id stay, so
//     meetings, reminders and the audit trail still hold together;
//   - its pending reminders are cancelled (reason erased) and their jobs
//     removed;
//   - the addresses its messages went to (attempts, outbox) keep only
//     their masked form, and the outbox its texts no more;
//   - its lead events show the erased lead, the events of the texts it
//     sent a masked sender and no text, and the excerpts of those texts
//     in the audit trail and the webhook records are erased.
//
// Audit entries hold ids and masked values only, and stay. An opt-out of
// its phone stays in force: sms_opt_outs keys it by a keyed hash of the phone,
// not by the lead (sqlstore/optout.go).
func (s *Store) EraseLead(ctx context.Context, tenantID, id string) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		l, err := loadLead(ctx, tx, tenantID, id, s.db.dialect.forUpdate)
		if err != nil {
			return err
		}
		now := s.now()
		pending, err := s.leadPendingReminders(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if err := s.cancelPending(ctx, tx, pending, herald.ReasonErased, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE leads SET name = '', phone = '', email = '', updated_at = $1
			WHERE tenant_id = $2 AND id = $3`, ts(now), tenantID, id); err != nil {
			return fmt.Errorf("erase lead: %w", err)
		}
		leadReminders := `SELECT r.id FROM reminders r JOIN meetings m ON m.id = r.meeting_id
			WHERE m.tenant_id = $2 AND m.lead_id = $4`
		for _, addr := range []struct{ clear, masked string }{
			{l.Phone, herald.MaskPhone(l.Phone)}, {l.Email, herald.MaskEmail(l.Email)},
		} {
			if addr.clear == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE attempts SET recipient = $1 WHERE tenant_id = $2 AND recipient = $3
				AND reminder_id IN (`+leadReminders+`)`, addr.masked, tenantID, addr.clear, id); err != nil {
				return fmt.Errorf("erase lead attempts: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET recipient = $1, subject = '', body = ''
				WHERE tenant_id = $2 AND recipient = $3 AND reminder_id IN (`+leadReminders+`)`,
				addr.masked, tenantID, addr.clear, id); err != nil {
				return fmt.Errorf("erase lead outbox: %w", err)
			}
		}
		// Events keep their shape: a lead event shows the erased lead, an
		// inbound text its masked sender and no text.
		gone := l
		gone.Name, gone.Phone, gone.Email, gone.UpdatedAt = "", "", "", now
		erased, err := json.Marshal(gone)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE events SET data = $1 WHERE tenant_id = $2 AND object_id = $3",
			string(erased), tenantID, id); err != nil {
			return fmt.Errorf("erase lead events: %w", err)
		}
		if err := eraseInboundEvents(ctx, tx, tenantID, id); err != nil {
			return err
		}
		// The texts the lead sent: their excerpts in the audit trail and the
		// webhook records.
		textErased := "from " + herald.MaskPhone(l.Phone) + ": text erased"
		if _, err := tx.ExecContext(ctx, `UPDATE assistant_actions SET detail = $1
			WHERE tenant_id = $2 AND entity_id = $3 AND action = $4`, textErased, tenantID, id, herald.ActionInboundSMS); err != nil {
			return fmt.Errorf("erase lead texts: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_events SET detail = $1 WHERE tenant_id = $2 AND entity_id = $3`,
			textErased, tenantID, id); err != nil {
			return fmt.Errorf("erase lead texts: %w", err)
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionLeadErased,
			EntityType: herald.EntityLead, EntityID: id, Outcome: herald.AuditOK, Detail: leadAuditDetail(l), At: now})
	})
	if err != nil {
		return fmt.Errorf("erase lead %s: %w", id, err)
	}
	return nil
}

// leadPendingReminders loads and locks the pending reminders of a lead's
// meetings.
func (s *Store) leadPendingReminders(ctx context.Context, tx *sql.Tx, tenantID, leadID string) ([]herald.Reminder, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+reminderColumns+` FROM reminders WHERE tenant_id = $1 AND status = $2
		AND meeting_id IN (SELECT id FROM meetings WHERE tenant_id = $1 AND lead_id = $3)`+s.db.dialect.forUpdate,
		tenantID, herald.ReminderPending, leadID)
	if err != nil {
		return nil, fmt.Errorf("load reminders of lead: %w", err)
	}
	var out []herald.Reminder
	err = eachRow(rows, func(rows *sql.Rows) error {
		r, err := scanReminder(rows)
		out = append(out, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load reminders of lead: %w", err)
	}
	return out, nil
}

// eraseInboundEvents masks the sender and drops the text of the
// inbound.received events of a lead's texts.
func eraseInboundEvents(ctx context.Context, tx *sql.Tx, tenantID, leadID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, data FROM events WHERE tenant_id = $1 AND type = $2 AND data LIKE $3`,
		tenantID, herald.EventInboundReceived, `%"lead_id":"`+leadID+`"%`)
	if err != nil {
		return fmt.Errorf("erase lead texts: %w", err)
	}
	updates := map[string]string{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		var id, raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		var msg herald.InboundMessage
		if err := json.Unmarshal([]byte(raw), &msg); err != nil || msg.LeadID != leadID {
			return err
		}
		msg.From, msg.Text = herald.MaskPhone(msg.From), ""
		data, err := json.Marshal(msg)
		updates[id] = string(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("erase lead texts: %w", err)
	}
	for id, data := range updates {
		if _, err := tx.ExecContext(ctx, "UPDATE events SET data = $1 WHERE tenant_id = $2 AND id = $3", data, tenantID, id); err != nil {
			return fmt.Errorf("erase lead texts: %w", err)
		}
	}
	return nil
}
