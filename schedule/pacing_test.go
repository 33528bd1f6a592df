package schedule_test

import (
	"context"
	"testing"
	"time"

	"herald"
)

// pacedSender is a recordingSender behind a pace whose slots the test
// hands out one by one.
type pacedSender struct {
	*recordingSender
	slots  chan struct{}
	asked  chan herald.SendTurn
	usedOn []herald.SendSlot
}

func (p *pacedSender) HoldSlot(ctx context.Context, turn herald.SendTurn, wait bool) (herald.SendSlot, bool, error) {
	if !wait {
		select {
		case <-p.slots:
			return herald.SendSlot{Provider: p.name, Turn: turn}, true, nil
		default:
			return herald.SendSlot{}, false, nil
		}
	}
	p.asked <- turn
	select {
	case <-p.slots:
		return herald.SendSlot{Provider: p.name, Turn: turn}, true, nil
	case <-ctx.Done():
		return herald.SendSlot{}, false, ctx.Err()
	}
}

func (p *pacedSender) SendHeld(ctx context.Context, slot herald.SendSlot, msg *herald.Message) (herald.SendResult, error) {
	p.mu.Lock()
	p.usedOn = append(p.usedOn, slot)
	p.mu.Unlock()
	return p.Send(ctx, msg)
}

// TestReminderWaitingForItsSlotStaysPending checks the claim's order: a
// reminder whose provider slot is not free yet is not claimed (no attempt,
// still pending, so a process that dies now leaves it to be sent), and is
// claimed and sent once its slot is held, on that slot.
func TestReminderWaitingForItsSlotStaysPending(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		paced := &pacedSender{recordingSender: b.sms, slots: make(chan struct{}, 1), asked: make(chan herald.SendTurn)}
		b.deliverer.SMS = paced
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["1h"]
		b.clock.Set(r.ScheduledAt)

		done := make(chan error, 1)
		go func() { done <- b.deliverer.Deliver(context.Background(), b.tenant.ID, r.ID) }()
		var turn herald.SendTurn
		select {
		case turn = <-paced.asked:
		case err := <-done:
			t.Fatalf("Deliver returned %v without waiting for a slot", err)
		}
		if !turn.MeetingStartsAt.Equal(start) || turn.ReminderID != r.ID || !turn.DueAt.Equal(r.ScheduledAt) {
			t.Errorf("turn = %+v, want the reminder's meeting start and due time", turn)
		}
		waiting := b.reminder(t, r.ID)
		if waiting.Status != herald.ReminderPending || waiting.Attempts != 0 || len(waiting.AttemptHistory) != 0 {
			t.Fatalf("while waiting for its slot: status %s, %d attempts; want pending with none", waiting.Status, waiting.Attempts)
		}
		if len(b.sms.messages()) != 0 {
			t.Fatal("sent before the slot was held")
		}

		paced.slots <- struct{}{}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Deliver did not finish once its slot was free")
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderSent || got.Attempts != 1 || len(b.sms.messages()) != 1 {
			t.Fatalf("after the slot: status %s, %d attempts, %d messages", got.Status, got.Attempts, len(b.sms.messages()))
		}
		if len(paced.usedOn) != 1 || paced.usedOn[0].Provider != "vonage" {
			t.Errorf("sent on slots %+v, want the one held", paced.usedOn)
		}
	})
}
