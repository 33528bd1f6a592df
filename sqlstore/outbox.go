package sqlstore

import (
	"context"
	"fmt"
	"time"

	"herald"
)

// OutboxProvider is the provider name of messages kept in the outbox.
const OutboxProvider = "outbox"

// Outbox is the sender used when no provider is configured: it keeps each
// message in the database, where the API and the dashboard list it.
// Nothing pretends to have reached a phone or a mailbox.
type Outbox struct {
	store *Store
}

// Outbox returns the outbox sender of this store.
func (s *Store) Outbox() *Outbox { return &Outbox{store: s} }

// Send stores msg. The attempt's reference is unique, so a repeated call
// for the same attempt keeps one message.
func (o *Outbox) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	id := herald.NewID("out_")
	subject := ""
	if msg.Email != nil {
		subject = msg.Email.Subject
	}
	_, err := o.store.db.ExecContext(ctx, `INSERT INTO outbox (id, tenant_id, reminder_id, reference, channel, recipient,
		subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (reference) DO NOTHING`,
		id, msg.TenantID, msg.ReminderID, msg.Reference, string(msg.Channel), msg.To, subject, msg.Text, ts(o.store.now()))
	if err != nil {
		return herald.SendResult{}, &herald.SendError{Provider: OutboxProvider, Kind: herald.SendTransient,
			Message: fmt.Sprintf("store message: %v", err)}
	}
	return herald.SendResult{Provider: OutboxProvider, MessageID: id, Parts: 1, Held: true,
		Tried: []herald.ProviderCall{{Provider: OutboxProvider, Outcome: herald.OutcomeSent, MessageID: id}}}, nil
}

// ListOutbox lists a tenant's outbox messages, oldest first.
func (s *Store) ListOutbox(ctx context.Context, tenantID string, page herald.PageRequest) (herald.Page[herald.OutboxMessage], error) {
	q := listQuery{}
	q.add("tenant_id = ?", tenantID)
	return listPage(ctx, s.db, "outbox", `SELECT id, tenant_id, reminder_id, reference, channel, recipient, subject, body,
		created_at FROM outbox`, q, page,
		func(row rowScanner) (herald.OutboxMessage, error) {
			var m herald.OutboxMessage
			err := row.Scan(&m.ID, &m.TenantID, &m.ReminderID, &m.Reference, &m.Channel, &m.Recipient, &m.Subject,
				&m.Text, scanTime(&m.CreatedAt))
			return m, err
		},
		func(m herald.OutboxMessage) (time.Time, string) { return m.CreatedAt, m.ID })
}
