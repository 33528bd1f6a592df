package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/schedule"
	"herald/sqlstore"
)

// Numbers of the tenants in the tests of the numbers a tenant sends from:
// the operator's, and two of tenants' own accounts.
const (
	operatorNumber = "+15550001000"
	ownNumber      = "+15550002000"
	otherOwnNumber = "+15550003000"
	stopPhone      = "+15557654321"
)

// sendingTenants are three tenants on one store, none of which has sent
// an SMS yet: plain sends from the operator's number, own through its own
// account (ownNumber), chosen has sms_from set to its own account's
// second number (otherOwnNumber). Each has a lead with stopPhone.
type sendingTenants struct {
	store                *sqlstore.Store
	plain, own, chosen   herald.Tenant
	plainL, ownL, choseL herald.Lead
}

func newSendingTenants(t *testing.T, db *sqlstore.DB) *sendingTenants {
	t.Helper()
	ctx := context.Background()
	s := &sendingTenants{store: sqlstore.New(db, nil, sqlstore.Options{Senders: []string{operatorNumber}})}
	tenant := func(name string) (herald.Tenant, herald.Lead) {
		tn, _, err := s.store.CreateTenant(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		l, err := s.store.CreateLead(ctx, tn.ID, herald.LeadInput{Name: "Jane", Phone: stopPhone})
		if err != nil {
			t.Fatal(err)
		}
		return tn, l
	}
	s.plain, s.plainL = tenant("Plain")
	s.own, s.ownL = tenant("Own")
	s.chosen, s.choseL = tenant("Chosen")
	if err := s.store.SaveSealedProviders(ctx, herald.SealedProviders{TenantID: s.own.ID, Sealed: "sealed-own",
		VonageAPIKey: "ownkey", VonageFromNumber: ownNumber}, "own accounts: vonage"); err != nil {
		t.Fatal(err)
	}
	if err := s.store.SaveSealedProviders(ctx, herald.SealedProviders{TenantID: s.chosen.ID, Sealed: "sealed-chosen",
		TwilioAccountSID: "ACchosen", TwilioFromNumber: ownNumber[:len(ownNumber)-1] + "9"}, "own accounts: twilio"); err != nil {
		t.Fatal(err)
	}
	settings, err := s.store.Settings(ctx, s.chosen.ID)
	if err != nil {
		t.Fatal(err)
	}
	settings.SMSFrom = otherOwnNumber
	if _, err := s.store.UpdateSettings(ctx, s.chosen.ID, settings); err != nil {
		t.Fatal(err)
	}
	return s
}

// optedOut tells which of the three leads are opted out, in order plain,
// own, chosen.
func (s *sendingTenants) optedOut(t *testing.T) [3]bool {
	t.Helper()
	var out [3]bool
	for i, l := range []herald.Lead{s.plainL, s.ownL, s.choseL} {
		got, err := s.store.Lead(context.Background(), l.TenantID, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = got.SMSOptedOut
	}
	return out
}

// TestStopFindsTheTenantsConfiguredToSendFromTheNumber: before any SMS
// went out, a STOP to a number flags the leads of the tenants configured
// to send from it (their sms_from, else their own accounts' numbers, else
// the operator's), and only theirs.
func TestStopFindsTheTenantsConfiguredToSendFromTheNumber(t *testing.T) {
	cases := []struct {
		name string
		to   string
		want [3]bool // plain, own, chosen
	}{
		{"own account's number", ownNumber, [3]bool{false, true, false}},
		{"sms_from", otherOwnNumber, [3]bool{false, false, true}},
		{"operator's number", operatorNumber, [3]bool{true, false, false}},
		{"own account's number under sms_from", ownNumber[:len(ownNumber)-1] + "9", [3]bool{false, false, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
				s := newSendingTenants(t, db)
				if _, err := s.store.SetSMSOptOut(context.Background(), herald.OptOut{Phone: stopPhone, Sender: tc.to,
					OptedOut: true, Provider: "vonage", Cause: "STOP by SMS", At: time.Now()}); err != nil {
					t.Fatal(err)
				}
				if got := s.optedOut(t); got != tc.want {
					t.Errorf("STOP to %s: leads opted out (plain, own, chosen) = %v, want %v", tc.to, got, tc.want)
				}
				// A lead created later in the tenant of the number starts
				// opted out; elsewhere it does not.
				for i, tn := range []herald.Tenant{s.plain, s.own, s.chosen} {
					l, err := s.store.CreateLead(context.Background(), tn.ID, herald.LeadInput{Name: "Later", Phone: stopPhone})
					if err != nil {
						t.Fatal(err)
					}
					if l.SMSOptedOut != tc.want[i] {
						t.Errorf("STOP to %s: a new lead of %s opted out = %v, want %v", tc.to, tn.Name, l.SMSOptedOut, tc.want[i])
					}
				}
			})
		})
	}
}

// TestTextToATenantsNewNumberBelongsToIt: a text to the number of a
// tenant's own account, or to its sms_from, belongs to that tenant before
// it ever sent from it; a text to the operator's number belongs to the
// tenant that sends from it, not to those with numbers of their own.
func TestTextToATenantsNewNumberBelongsToIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		s := newSendingTenants(t, db)
		for i, tc := range []struct {
			to   string
			want herald.Tenant
		}{{ownNumber, s.own}, {otherOwnNumber, s.chosen}, {operatorNumber, s.plain}} {
			out, err := s.store.ReceiveInbound(context.Background(), herald.InboundSMS{Provider: "vonage",
				MessageID: "msg-" + string(rune('a'+i)), From: stopPhone, To: tc.to, Text: "HELP", ReceivedAt: time.Now()},
				schedule.InboundDecider())
			if err != nil {
				t.Fatal(err)
			}
			if out.TenantID != tc.want.ID || out.Ambiguous {
				t.Errorf("HELP to %s went to tenant %q (ambiguous %v), want %s", tc.to, out.TenantID, out.Ambiguous, tc.want.Name)
			}
		}
	})
}
