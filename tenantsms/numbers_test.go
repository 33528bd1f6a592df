package tenantsms_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"

	"herald"
	"herald/dbtest"
	"herald/internal/sealed"
	"herald/sqlstore"
	"herald/tenantsms"
)

// TestAccountsKeepTheirNumbersInClear: the numbers of a tenant's own
// accounts are stored in clear beside them when they are set, and
// RecordNumbers writes those of accounts stored before that (found with
// a store that only has the sealed accounts), so that texts to them find
// the tenant.
func TestAccountsKeepTheirNumbersInClear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		box, err := sealed.FromBase64(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, sealed.KeySize)))
		if err != nil {
			t.Fatal(err)
		}
		store := sqlstore.New(db, nil, sqlstore.Options{})
		accounts := tenantsms.NewAccounts(store, box)
		tn, _, err := store.CreateTenant(ctx, "Own")
		if err != nil {
			t.Fatal(err)
		}
		p := herald.TenantProviders{
			Vonage: &herald.VonageAccount{APIKey: "ownkey", APISecret: "s", FromNumber: "14155550177"},
			Twilio: &herald.TwilioAccount{AccountSID: "ACown", AuthToken: "t", FromNumber: "+14155550178"}}
		if _, err := accounts.Put(ctx, tn.ID, p); err != nil {
			t.Fatal(err)
		}
		sp, _, err := store.SealedProviders(ctx, tn.ID)
		if err != nil || sp.VonageFromNumber != "+14155550177" || sp.TwilioFromNumber != "+14155550178" {
			t.Fatalf("stored numbers %q, %q (%v)", sp.VonageFromNumber, sp.TwilioFromNumber, err)
		}

		// As stored before the numbers were kept: the sealed accounts only.
		sp.VonageFromNumber, sp.TwilioFromNumber = "", ""
		if err := store.SaveSealedProviders(ctx, sp, "own accounts: vonage, twilio"); err != nil {
			t.Fatal(err)
		}
		if err := accounts.RecordNumbers(ctx); err != nil {
			t.Fatal(err)
		}
		sp, _, err = store.SealedProviders(ctx, tn.ID)
		if err != nil || sp.VonageFromNumber != "+14155550177" || sp.TwilioFromNumber != "+14155550178" {
			t.Fatalf("numbers after RecordNumbers %q, %q (%v)", sp.VonageFromNumber, sp.TwilioFromNumber, err)
		}
	})
}
