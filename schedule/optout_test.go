package schedule_test

import (
	"context"
	"testing"

	"herald"
)

// The operator's number, and numbers of the tenant's own.
const (
	operatorNumber  = "+14155550100"
	tenantSMSFrom   = "+14155550199"
	tenantOwnNumber = "+14155550177"
	unrelatedNumber = "+14155550188"
)

// ownAccountsSender is the SMS sender of a tenant with provider accounts
// of its own: it says which numbers the tenant's SMS go from.
type ownAccountsSender struct {
	*recordingSender
	numbers map[string][]string
}

func (s ownAccountsSender) FromNumbers(tenantID string) ([]string, bool) {
	return s.numbers[tenantID], true
}

// optedOutFrom records that phone texted STOP to sender, as the inbound
// webhook would.
func (b *bundle) optedOutFrom(t *testing.T, phone, sender string) {
	t.Helper()
	if _, err := b.store.SetSMSOptOut(context.Background(), herald.OptOut{Phone: phone, Sender: sender, OptedOut: true,
		Provider: "vonage", Cause: "STOP by SMS", At: b.clock.Now()}); err != nil {
		t.Fatal(err)
	}
}

func (b *bundle) sendFrom(t *testing.T, smsFrom string) {
	t.Helper()
	ctx := context.Background()
	settings, err := b.store.Settings(ctx, b.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	settings.SMSFrom = smsFrom
	if _, err := b.store.UpdateSettings(ctx, b.tenant.ID, settings); err != nil {
		t.Fatal(err)
	}
}

// TestOptOutFromTenantsOwnNumberHoldsAtSendTime: a lead who texted STOP
// to the number its tenant sends from (its sms_from, or its own account's
// number) gets its reminder by email, not by SMS, even though the
// operator sends from other numbers.
func TestOptOutFromTenantsOwnNumberHoldsAtSendTime(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		smsFrom  string
		own      []string
		stopSent string
	}{
		{name: "sms_from", smsFrom: tenantSMSFrom, stopSent: tenantSMSFrom},
		{name: "own account", own: []string{tenantOwnNumber}, stopSent: tenantOwnNumber},
		{name: "sms_from over own account", smsFrom: tenantSMSFrom, own: []string{tenantOwnNumber}, stopSent: tenantSMSFrom},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			each(t, func(t *testing.T, b *bundle) {
				b.deliverer.SMSFrom = []string{operatorNumber}
				if tc.own != nil {
					b.deliverer.SMS = ownAccountsSender{b.sms, map[string][]string{b.tenant.ID: tc.own}}
				}
				b.sendFrom(t, tc.smsFrom)
				lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
				b.optedOutFrom(t, lead.Phone, tc.stopSent)
				r := b.book(t, lead.ID, "")["1h"]
				if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
					t.Fatal(err)
				}
				if sms := b.sms.messages(); len(sms) != 0 {
					t.Fatalf("an SMS went to a lead who texted STOP to %s: %+v", tc.stopSent, sms)
				}
				if got := b.reminder(t, r.ID); got.Status != herald.ReminderSent || got.Channel != "email" || len(b.mail.messages()) != 1 {
					t.Fatalf("reminder = %s via %s, %d emails; want sent by email", got.Status, got.Channel, len(b.mail.messages()))
				}
				after, err := b.store.Lead(context.Background(), b.tenant.ID, lead.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !after.SMSOptedOut {
					t.Fatal("the lead is not shown opted out of SMS")
				}
			})
		})
	}
}

// TestOptOutFromAnotherNumberDoesNotHold: a STOP texted to a number the
// tenant's SMS do not go from leaves its reminders by SMS.
func TestOptOutFromAnotherNumberDoesNotHold(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		smsFrom  string
		own      []string
		stopSent string
		// sentFrom is the From of the SMS; "" is the provider's own number.
		sentFrom string
	}{
		{name: "sms_from", smsFrom: tenantSMSFrom, stopSent: unrelatedNumber, sentFrom: tenantSMSFrom},
		{name: "sms_from, STOP to the operator's number", smsFrom: tenantSMSFrom, stopSent: operatorNumber, sentFrom: tenantSMSFrom},
		{name: "own account", own: []string{tenantOwnNumber}, stopSent: unrelatedNumber},
		{name: "own account, STOP to the operator's number", own: []string{tenantOwnNumber}, stopSent: operatorNumber},
		{name: "operator's number", stopSent: unrelatedNumber},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			each(t, func(t *testing.T, b *bundle) {
				b.deliverer.SMSFrom = []string{operatorNumber}
				if tc.own != nil {
					b.deliverer.SMS = ownAccountsSender{b.sms, map[string][]string{b.tenant.ID: tc.own}}
				}
				b.sendFrom(t, tc.smsFrom)
				lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
				b.optedOutFrom(t, lead.Phone, tc.stopSent)
				r := b.book(t, lead.ID, "")["1h"]
				if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
					t.Fatal(err)
				}
				sms := b.sms.messages()
				if len(sms) != 1 || sms[0].From != tc.sentFrom {
					t.Fatalf("after a STOP to %s: SMS %+v; want one, from %q", tc.stopSent, sms, tc.sentFrom)
				}
				if got := b.reminder(t, r.ID); got.Status != herald.ReminderSent || got.Channel != "sms" {
					t.Fatalf("reminder = %s via %s; want sent by SMS", got.Status, got.Channel)
				}
			})
		})
	}
}

// learningSender is a paced sender that, like the tenants' own accounts,
// knows a tenant's numbers only once a wait for a slot has read them.
type learningSender struct {
	*recordingSender
	own    []string
	learnt bool
}

func (s *learningSender) FromNumbers(string) ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.own, s.learnt
}

func (s *learningSender) HoldSlot(_ context.Context, turn herald.SendTurn, wait bool) (herald.SendSlot, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !wait && !s.learnt {
		return herald.SendSlot{}, false, nil
	}
	s.learnt = true
	return herald.SendSlot{Provider: s.name, Turn: turn}, true, nil
}

func (s *learningSender) SendHeld(ctx context.Context, _ herald.SendSlot, msg *herald.Message) (herald.SendResult, error) {
	return s.Send(ctx, msg)
}

// TestOptOutWaitsForTheTenantsNumbers: when the sender has yet to read the
// tenant's own numbers, the opt-out on record is judged once it has, not
// guessed: the STOP to the tenant's own number holds, another does not.
func TestOptOutWaitsForTheTenantsNumbers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stopSent string
		bySMS    bool
	}{{tenantOwnNumber, false}, {unrelatedNumber, true}} {
		t.Run(tc.stopSent, func(t *testing.T) {
			t.Parallel()
			each(t, func(t *testing.T, b *bundle) {
				b.deliverer.SMSFrom = []string{operatorNumber}
				b.deliverer.SMS = &learningSender{recordingSender: b.sms, own: []string{tenantOwnNumber}}
				lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
				b.optedOutFrom(t, lead.Phone, tc.stopSent)
				r := b.book(t, lead.ID, "")["1h"]
				if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
					t.Fatal(err)
				}
				if got := len(b.sms.messages()) == 1; got != tc.bySMS || len(b.mail.messages()) == 1 == tc.bySMS {
					t.Fatalf("after a STOP to %s: %d SMS, %d emails; want by SMS: %v", tc.stopSent,
						len(b.sms.messages()), len(b.mail.messages()), tc.bySMS)
				}
			})
		})
	}
}
