package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/sqlstore"
)

const (
	optOutSender = "+15550001000"
	optOutPhone  = "+15557654321"
)

// openTwice opens the same database twice, as two processes would, each
// handle migrated by itself.
func openTwice(t *testing.T, name string) (*sqlstore.DB, *sqlstore.DB) {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
	if name == "postgres" {
		url = dbtest.PostgresSchema(t)
	}
	ctx := context.Background()
	var dbs [2]*sqlstore.DB
	for i := range dbs {
		db, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

func optOutStore(db *sqlstore.DB) *sqlstore.Store {
	return sqlstore.New(db, nil, sqlstore.Options{Senders: []string{optOutSender}})
}

func optOut(optedOut bool) herald.OptOut {
	return herald.OptOut{Phone: optOutPhone, Sender: optOutSender, OptedOut: optedOut, Provider: "twilio",
		Cause: "STOP by SMS", At: time.Now()}
}

func storedPhoneHashes(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT phone_hash FROM sms_opt_outs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The phone of an opt-out is kept as a keyed hash: nothing stored can be
// matched against a hash of every phone number.
func TestOptOutKeepsAKeyedHashOfThePhone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		if _, err := optOutStore(db).SetSMSOptOut(context.Background(), optOut(true)); err != nil {
			t.Fatal(err)
		}
		hashes := storedPhoneHashes(t, db)
		if len(hashes) != 1 {
			t.Fatalf("opt-outs on record: %q, want one", hashes)
		}
		h := hashes[0]
		digits := strings.TrimPrefix(optOutPhone, "+")
		for _, plain := range []string{optOutPhone, "herald/sms-opt-out\x00" + optOutPhone, digits} {
			sum := sha256.Sum256([]byte(plain))
			if strings.EqualFold(h, hex.EncodeToString(sum[:])) {
				t.Fatalf("phone_hash %s is the plain SHA-256 of %q", h, plain)
			}
		}
		if strings.Contains(h, digits) || strings.Contains(h, digits[len(digits)-7:]) {
			t.Fatalf("phone_hash %s holds the phone", h)
		}
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
			t.Fatalf("phone_hash %q: want a SHA-256 sized digest in hex", h)
		}
	})
}

// Processes sharing a database agree on the key: an opt-out recorded by one
// holds in the other, and the other can lift it.
func TestOptOutHoldsAcrossStoresOnOneDatabase(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dbA, dbB := openTwice(t, name)
			a, b := optOutStore(dbA), optOutStore(dbB)
			// Each store reads the key before the opt-out is written.
			tenant, _, err := b.CreateTenant(ctx, "Acme")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: "Before", Phone: "+15550009999", Timezone: "UTC"}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.SetSMSOptOut(ctx, optOut(true)); err != nil {
				t.Fatal(err)
			}
			lead, err := b.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: "Ada", Phone: optOutPhone, Timezone: "UTC"})
			if err != nil {
				t.Fatal(err)
			}
			if !lead.SMSOptedOut {
				t.Fatal("a lead created through the other store does not start opted out")
			}
			if _, err := b.SetSMSOptOut(ctx, optOut(false)); err != nil {
				t.Fatal(err)
			}
			if hashes := storedPhoneHashes(t, dbA); len(hashes) != 0 {
				t.Fatalf("START through the other store left opt-outs %q", hashes)
			}
			// A third handle, opened after all this, still finds nothing
			// more and agrees on the key.
			if _, err := a.SetSMSOptOut(ctx, optOut(true)); err != nil {
				t.Fatal(err)
			}
			c := optOutStore(dbB)
			lead, err = c.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: "Bea", Phone: optOutPhone, Timezone: "UTC"})
			if err != nil {
				t.Fatal(err)
			}
			if !lead.SMSOptedOut {
				t.Fatal("a lead created through a new store does not start opted out")
			}
		})
	}
}
