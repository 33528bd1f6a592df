package main

import (
	"context"

	"herald"
)

// heldReplies answers inbound texts into the outbox when messages are held
// there: a process that keeps its reminders from the providers keeps its
// replies from them too. A text given to no tenant gets no held reply (the
// outbox belongs to tenants).
type heldReplies struct{ outbox herald.Sender }

// ReplySender implements webhook.ReplySenders.
func (h heldReplies) ReplySender(_ context.Context, _, _, tenantID string) (herald.Sender, error) {
	if tenantID == "" {
		return nil, nil
	}
	return h.outbox, nil
}
