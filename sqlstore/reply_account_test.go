package sqlstore_test

import (
	"context"
	"testing"

	"herald"
	"herald/dbtest"
	"herald/sqlstore"
)

// TestSealedProvidersByNumberFindsTheAccountThatOwnsIt: the own accounts
// that answer a text are found by the number texted and the provider it
// came in on; of two tenants that gave the same number, the one the text
// was given to comes first, else the first by id.
func TestSealedProvidersByNumberFindsTheAccountThatOwnsIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := newSendingTenants(t, db)
		twin, _, err := s.store.CreateTenant(ctx, "Twin")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.store.SaveSealedProviders(ctx, herald.SealedProviders{TenantID: twin.ID, Sealed: "sealed-twin",
			VonageAPIKey: "twinkey", VonageFromNumber: ownNumber}, "own accounts: vonage"); err != nil {
			t.Fatal(err)
		}
		first := min(s.own.ID, twin.ID)
		for _, c := range []struct {
			name, provider, number, prefer string
			want                           string // tenant id, "" for none
		}{
			{"own Vonage number", "vonage", ownNumber, "", first},
			{"own Vonage number, given to the twin", "vonage", ownNumber, twin.ID, twin.ID},
			{"own Vonage number, given to own", "vonage", ownNumber, s.own.ID, s.own.ID},
			{"written without +", "vonage", ownNumber[1:], s.own.ID, s.own.ID},
			{"own Twilio number", "twilio", ownNumber[:len(ownNumber)-1] + "9", "", s.chosen.ID},
			{"a Vonage number on Twilio", "twilio", ownNumber, "", ""},
			{"the operator's number", "vonage", operatorNumber, s.plain.ID, ""},
			{"unknown provider", "other", ownNumber, "", ""},
		} {
			sp, found, err := s.store.SealedProvidersByNumber(ctx, c.provider, c.number, c.prefer)
			if err != nil {
				t.Fatal(err)
			}
			if found != (c.want != "") || sp.TenantID != c.want {
				t.Errorf("%s: tenant %q (found %v), want %q", c.name, sp.TenantID, found, c.want)
			}
		}
	})
}
