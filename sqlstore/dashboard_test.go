package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/sqlstore"
)

// TestEntityAuditShowsTheNewest: a lead with more audit actions than a
// timeline shows has its newest ones shown, oldest first, and never
// another entity's.
func TestEntityAuditShowsTheNewest(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		store := sqlstore.New(db, nil, sqlstore.Options{})
		tenant, _, err := store.CreateTenant(ctx, "Acme Sales")
		if err != nil {
			t.Fatal(err)
		}
		const total, shown = 520, 500
		first := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		// Inserted oldest first: the table's own order is not the order
		// asked for.
		for i := range total {
			at := first.Add(time.Duration(i) * time.Minute)
			for _, entity := range []string{"lead_many", "lead_other"} {
				if _, err := db.ExecContext(ctx, `INSERT INTO assistant_actions (id, tenant_id, action, entity_type,
					entity_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					fmt.Sprintf("aud_%s_%04d", entity, i), tenant.ID, herald.ActionInboundSMS, herald.EntityLead, entity,
					fmt.Sprintf("text %d", i), at.Format("2006-01-02T15:04:05.000000Z")); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, err := store.EntityAudit(ctx, tenant.ID, []string{"lead_many"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != shown {
			t.Fatalf("%d actions shown, want %d", len(got), shown)
		}
		for i, a := range got {
			want := fmt.Sprintf("text %d", total-shown+i)
			if a.Detail != want || a.EntityID != "lead_many" {
				t.Fatalf("action %d shown = %s %q, want lead_many %q (the newest %d, oldest first)", i, a.EntityID, a.Detail, want, shown)
			}
		}
	})
}
