package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"herald"
)

// testTemplates saves, replaces, lists and deletes a tenant's templates,
// each change with its audit action, and checks that another tenant sees
// and changes none of them.
func testTemplates(t *testing.T, b *Bundle) {
	ctx := context.Background()
	acme := newTenant(t, b, "Acme")
	other := newTenant(t, b, "Other")

	sms := herald.TemplateOverride{Name: "meeting_reminder_1h", Channel: herald.ChannelSMS, Text: "Hi {name}, soon: {title}."}
	saved, created, err := b.Store.SaveTemplateOverride(ctx, acme.ID, sms)
	if err != nil || !created {
		t.Fatalf("first save: created=%v, %v", created, err)
	}
	if saved.TenantID != acme.ID || !saved.CreatedAt.Equal(Epoch) || !saved.UpdatedAt.Equal(Epoch) || saved.Text != sms.Text {
		t.Fatalf("saved = %+v", saved)
	}

	b.Clock.Set(Epoch.Add(time.Hour))
	sms.Text = "Hi {name}, {title} at {time}."
	saved, created, err = b.Store.SaveTemplateOverride(ctx, acme.ID, sms)
	if err != nil || created {
		t.Fatalf("second save: created=%v, %v", created, err)
	}
	if !saved.CreatedAt.Equal(Epoch) || !saved.UpdatedAt.Equal(Epoch.Add(time.Hour)) {
		t.Fatalf("a replaced template keeps its creation time: %+v", saved)
	}
	b.Clock.Set(Epoch.Add(2 * time.Hour))
	email := herald.TemplateOverride{Name: "meeting_reminder_1h", Channel: herald.ChannelEmail,
		Subject: "Soon: {title}", Text: "See you at {time}.", HTML: "<p>See you at {time}.</p>"}
	if _, _, err := b.Store.SaveTemplateOverride(ctx, acme.ID, email); err != nil {
		t.Fatal(err)
	}
	own := herald.TemplateOverride{Name: "acme-followup", Channel: herald.ChannelSMS, Text: "Thanks, {name}!"}
	if _, _, err := b.Store.SaveTemplateOverride(ctx, acme.ID, own); err != nil {
		t.Fatal(err)
	}

	all, err := b.Store.TemplateOverrides(ctx, acme.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(all); !slices.Equal(got, []string{"acme-followup/sms", "meeting_reminder_1h/email", "meeting_reminder_1h/sms"}) {
		t.Fatalf("templates = %v", got)
	}
	if all[1].Subject != email.Subject || all[1].HTML != email.HTML || all[2].Text != sms.Text {
		t.Fatalf("stored templates differ: %+v", all)
	}
	oneName, err := b.Store.TemplateOverrides(ctx, acme.ID, "meeting_reminder_1h")
	if err != nil || len(oneName) != 2 {
		t.Fatalf("templates of one name = %v, %v", keysOf(oneName), err)
	}

	// The other tenant sees none and can delete none of them.
	if theirs, err := b.Store.TemplateOverrides(ctx, other.ID, ""); err != nil || len(theirs) != 0 {
		t.Fatalf("other tenant sees %v, %v", keysOf(theirs), err)
	}
	wantCode(t, b.Store.DeleteTemplateOverride(ctx, other.ID, "acme-followup", herald.ChannelSMS, ""), herald.ECodeNotFound)

	b.Clock.Set(Epoch.Add(3 * time.Hour))
	if err := b.Store.DeleteTemplateOverride(ctx, acme.ID, "meeting_reminder_1h", herald.ChannelSMS, ""); err != nil {
		t.Fatal(err)
	}
	wantCode(t, b.Store.DeleteTemplateOverride(ctx, acme.ID, "meeting_reminder_1h", herald.ChannelSMS, ""), herald.ECodeNotFound)
	if left, _ := b.Store.TemplateOverrides(ctx, acme.ID, ""); len(left) != 2 {
		t.Fatalf("after delete: %v", keysOf(left))
	}

	audit, err := b.Store.ListAudit(ctx, acme.ID, herald.AuditFilter{EntityID: "meeting_reminder_1h"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit.Items {
		actions = append(actions, string(a.Action)+"/"+a.Channel+"/"+a.Detail)
	}
	want := []string{"template.deleted/sms/", "template.saved/email/created", "template.saved/sms/replaced", "template.saved/sms/created"}
	if !slices.Equal(actions, want) {
		t.Fatalf("audit = %v, want %v", actions, want)
	}
}

// testTemplateLimit checks that a tenant keeps at most
// herald.MaxTemplateOverrides templates, and may still replace them.
func testTemplateLimit(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	for i := range herald.MaxTemplateOverrides {
		o := herald.TemplateOverride{Name: fmt.Sprintf("t%03d", i), Channel: herald.ChannelSMS, Text: "Hi {name}"}
		if _, _, err := b.Store.SaveTemplateOverride(ctx, tenant.ID, o); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := b.Store.SaveTemplateOverride(ctx, tenant.ID, herald.TemplateOverride{Name: "one-more", Channel: herald.ChannelSMS, Text: "x"})
	wantCode(t, err, herald.ECodeConflict)
	if _, created, err := b.Store.SaveTemplateOverride(ctx, tenant.ID,
		herald.TemplateOverride{Name: "t000", Channel: herald.ChannelSMS, Text: "Hello {name}"}); err != nil || created {
		t.Fatalf("replacing at the limit: created=%v, %v", created, err)
	}
	// Another tenant's room is its own.
	other := newTenant(t, b, "Other")
	if _, _, err := b.Store.SaveTemplateOverride(ctx, other.ID, herald.TemplateOverride{Name: "t000", Channel: herald.ChannelSMS, Text: "x"}); err != nil {
		t.Fatal(err)
	}
}

func keysOf(os []herald.TemplateOverride) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.Name + "/" + string(o.Channel)
	}
	return out
}
