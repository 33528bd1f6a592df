package storetest

import (
	"context"
	"testing"
	"time"

	"herald"
)

func testTenants(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant, key, err := b.Store.CreateTenant(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if key == "" || tenant.ID == "" {
		t.Fatalf("tenant %+v key %q", tenant, key)
	}
	got, err := b.Store.TenantByAPIKey(ctx, key)
	if err != nil || got.ID != tenant.ID || got.Name != "Acme" {
		t.Fatalf("TenantByAPIKey = %+v, %v", got, err)
	}
	_, err = b.Store.TenantByAPIKey(ctx, key+"x")
	wantCode(t, err, herald.ECodeUnauthorized)

	var stored string
	if err := b.DB.QueryRowContext(ctx, "SELECT key_hash FROM api_keys WHERE tenant_id = $1", tenant.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == key {
		t.Fatal("API key is stored in clear")
	}

	_, _, err = b.Store.CreateTenant(ctx, "  ")
	wantCode(t, err, herald.ECodeInvalid)

	settings, err := b.Store.Settings(ctx, tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(settings.ReminderRules) != 3 || settings.ReminderRules[0].Name != "24h" || !settings.Channels.SMS {
		t.Fatalf("default settings = %+v", settings)
	}
	settings.ReminderRules = []herald.ReminderRule{{Name: "2h", Offset: herald.Duration(2 * time.Hour), Template: "meeting_reminder_1h"}}
	settings.Timezone = "Europe/Berlin"
	if _, err := b.Store.UpdateSettings(ctx, tenant.ID, settings); err != nil {
		t.Fatal(err)
	}
	again, err := b.Store.Settings(ctx, tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Timezone != "Europe/Berlin" || len(again.ReminderRules) != 1 || again.ReminderRules[0].Offset != herald.Duration(2*time.Hour) {
		t.Fatalf("settings after update = %+v", again)
	}
	lead := newLead(t, b, tenant.ID)
	m := book(t, b, tenant.ID, lead.ID, b.Clock.Now().Add(48*time.Hour))
	if len(m.Reminders) != 1 || m.Reminders[0].Rule != "2h" {
		t.Fatalf("reminders after custom rules = %+v", m.Reminders)
	}
}
