package storetest

import (
	"context"
	"errors"
	"testing"

	"herald"
)

func testLeads(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	got, err := b.Store.Lead(ctx, tenant.ID, lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != "+14155552671" || got.Email != "john@example.com" || got.Timezone != "America/New_York" || got.SMSOptedOut {
		t.Fatalf("lead = %+v", got)
	}
	if !got.CreatedAt.Equal(b.Clock.Now()) {
		t.Fatalf("created_at = %v, want %v", got.CreatedAt, b.Clock.Now())
	}
	name := "Johnny"
	updated, err := b.Store.UpdateLead(ctx, tenant.ID, lead.ID, herald.LeadPatch{Name: &name}, nil)
	if err != nil || updated.Name != "Johnny" || updated.Phone != lead.Phone {
		t.Fatalf("UpdateLead = %+v, %v", updated, err)
	}
	// A check that refuses leaves the lead as it was.
	empty := ""
	refuse := errors.New("refused")
	_, err = b.Store.UpdateLead(ctx, tenant.ID, lead.ID, herald.LeadPatch{Name: &empty}, func(*herald.Lead) error { return refuse })
	if !errors.Is(err, refuse) {
		t.Fatalf("UpdateLead with refusing check = %v", err)
	}
	got, _ = b.Store.Lead(ctx, tenant.ID, lead.ID)
	if got.Name != "Johnny" {
		t.Fatalf("refused update changed the lead: %+v", got)
	}
	_, err = b.Store.Lead(ctx, tenant.ID, "lead_missing")
	wantCode(t, err, herald.ECodeNotFound)
}

func testLeadIsolation(t *testing.T, b *Bundle) {
	ctx := context.Background()
	a, other := newTenant(t, b, "A"), newTenant(t, b, "B")
	lead := newLead(t, b, a.ID)
	_, err := b.Store.Lead(ctx, other.ID, lead.ID)
	wantCode(t, err, herald.ECodeNotFound)
	name := "Mallory"
	_, err = b.Store.UpdateLead(ctx, other.ID, lead.ID, herald.LeadPatch{Name: &name}, nil)
	wantCode(t, err, herald.ECodeNotFound)
	page, err := b.Store.ListLeads(ctx, other.ID, herald.PageRequest{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("other tenant lists %d leads, %v", len(page.Items), err)
	}
	got, _ := b.Store.Lead(ctx, a.ID, lead.ID)
	if got.Name != "John" {
		t.Fatalf("other tenant's update changed the lead: %+v", got)
	}
}
