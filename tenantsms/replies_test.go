package tenantsms

import (
	"context"
	"strings"
	"testing"

	"herald"
	"herald/providers"
	"herald/smsroute"
)

// TestRepliesGoThroughTheAccountThatOwnsTheNumber: a text to a tenant's
// own number is answered through the client its reminders use; a text to
// any other number through the operator's client of that provider; an
// account changed since it was read is read again; and an own number
// whose account cannot be opened is not answered by the operator.
func TestRepliesGoThroughTheAccountThatOwnsTheNumber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, providers.Config{}, smsroute.Config{})
	operator := map[string]herald.Sender{"vonage": operatorSender{}}
	replies := NewReplies(operator, b.sender)
	account := herald.VonageAccount{APIKey: "key01", APISecret: "Secret-01", FromNumber: "+14155550142"}
	b.put(t, "ten_own", herald.TenantProviders{Vonage: &account})

	own, err := replies.ReplySender(ctx, "vonage", "+14155550142", "")
	if err != nil {
		t.Fatal(err)
	}
	if c := b.sender.cache["ten_own"]; c == nil || own != c.clients["vonage"].sender {
		t.Fatalf("own number answered by %T, want the tenant's own Vonage client", own)
	}
	if got, err := replies.ReplySender(ctx, "vonage", "+14155550100", "ten_own"); err != nil || got != (operatorSender{}) {
		t.Fatalf("the operator's number answered by %T (%v), want the operator's client", got, err)
	}
	if got, err := replies.ReplySender(ctx, "twilio", "+14155550142", "ten_own"); err != nil || got != nil {
		t.Fatalf("the own Vonage number on Twilio answered by %T (%v), want nobody", got, err)
	}

	// Within the cache's life the account moves to another number: the
	// answer goes from the new one, through a client made for it.
	account.FromNumber = "+14155550143"
	b.put(t, "ten_own", herald.TenantProviders{Vonage: &account})
	moved, err := replies.ReplySender(ctx, "vonage", "+14155550143", "")
	if err != nil {
		t.Fatal(err)
	}
	if moved == own || moved != b.sender.cache["ten_own"].clients["vonage"].sender {
		t.Fatalf("the new number answered by the old client or another: %T", moved)
	}

	// Without the key the tenant's account cannot be opened: no answer
	// from the operator's number in its place.
	locked := NewReplies(operator, NewSender(operatorSender{}, NewAccounts(b.store, nil),
		smsroute.NewDeadlinePacer(smsroute.DeadlinePacerConfig{}), providers.Config{}, smsroute.Config{}))
	got, err := locked.ReplySender(ctx, "vonage", "+14155550143", "")
	if err == nil || got != nil || !strings.Contains(err.Error(), "HERALD_SECRET_KEY") {
		t.Fatalf("own number without the key: %T, %v; want an error naming HERALD_SECRET_KEY", got, err)
	}
	// With no tenants' accounts in this process, only the operator answers.
	if got, err := NewReplies(operator, nil).ReplySender(ctx, "vonage", "+14155550143", ""); err != nil || got != (operatorSender{}) {
		t.Fatalf("without tenants' accounts: %T (%v), want the operator's client", got, err)
	}
}
