package tenantsms

import (
	"context"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/smsroute"
)

// timedSender records when each message went.
type timedSender struct {
	mu   sync.Mutex
	sent []time.Time
}

func (s *timedSender) Send(context.Context, *herald.Message) (herald.SendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, time.Now())
	return herald.SendResult{Provider: "vonage"}, nil
}

// TestRepliesKeepTheAccountsPace: answers to a burst of texts take their
// slots of the account's pace, as its reminders do: three answers at once
// on an account limited to 2 a second take at least two slots' spacing
// (about a second), where unpaced they would all go at once.
func TestRepliesKeepTheAccountsPace(t *testing.T) {
	t.Parallel()
	sender := &timedSender{}
	pacer := smsroute.NewDeadlinePacer(smsroute.DeadlinePacerConfig{})
	pacer.SetLimit("vonage", 2)
	replies := NewReplies(map[string]herald.Sender{"vonage": sender}, nil).Paced(pacer)

	began := time.Now()
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			s, err := replies.ReplySender(context.Background(), "vonage", "+14155550100", "ten_a")
			if err != nil || s == nil {
				t.Errorf("reply sender: %v, %v", s, err)
				return
			}
			if _, err := s.Send(context.Background(), &herald.Message{TenantID: "ten_a", To: "+14155552671", Text: "ok"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(sender.sent) != 3 {
		t.Fatalf("%d answers sent, want 3", len(sender.sent))
	}
	last := sender.sent[0]
	for _, at := range sender.sent {
		if at.After(last) {
			last = at
		}
	}
	// Two spacings of a 2-a-second pace (at 97 % of it) are 1.03 s; the
	// third answer cannot go sooner, however the machine schedules them.
	if took := last.Sub(began); took < time.Second {
		t.Errorf("three answers at 2 a second went within %v, want at least 1 s", took)
	}
}

// TestRepliesWithoutPacerGoAtOnce: without a pacer the chooser returns
// the account's own client, as before.
func TestRepliesWithoutPacerGoAtOnce(t *testing.T) {
	t.Parallel()
	sender := &timedSender{}
	s, err := NewReplies(map[string]herald.Sender{"vonage": sender}, nil).ReplySender(context.Background(), "vonage", "+14155550100", "")
	if err != nil || s != herald.Sender(sender) {
		t.Fatalf("reply sender = %v, %v; want the operator's client", s, err)
	}
	if s, _ := NewReplies(nil, nil).ReplySender(context.Background(), "twilio", "+14155550100", ""); s != nil {
		t.Fatalf("no operator client: reply sender %v, want none", s)
	}
}
