package catalog_test

import (
	"context"
	"strings"
	"testing"

	"herald"
	"herald/catalog"
	"herald/render"
)

// The worker's view: no store, only the overrides loaded with the state.
func TestTemplatePrefersTheTenantsOwn(t *testing.T) {
	t.Parallel()
	c := catalog.New(nil, render.NewRegistry())
	own := herald.TemplateOverride{Name: render.MeetingReminder1h, Channel: herald.ChannelSMS, Text: "Soon: {title}"}
	st := &herald.DeliveryState{Reminder: herald.Reminder{Template: render.MeetingReminder1h},
		TemplateOverrides: []herald.TemplateOverride{own}}
	values := render.SampleValues()

	sms, err := c.Template(context.Background(), st, herald.ChannelSMS)
	if err != nil {
		t.Fatal(err)
	}
	if got := sms.Render(values).Text; got != "Soon: Product Demo" {
		t.Errorf("SMS with an override = %q", got)
	}
	// The override is for SMS only: email keeps the built-in.
	email, err := c.Template(context.Background(), st, herald.ChannelEmail)
	if err != nil {
		t.Fatal(err)
	}
	if got := email.Render(values).Subject; got != "Starting in 1 hour: Product Demo" {
		t.Errorf("email subject = %q, want the built-in one", got)
	}
}

func TestResolveUnknownNamesIt(t *testing.T) {
	t.Parallel()
	c := catalog.New(nil, render.NewRegistry())
	st := &herald.DeliveryState{Reminder: herald.Reminder{Template: "acme_followup"}}
	_, err := c.Template(context.Background(), st, herald.ChannelSMS)
	if render.ErrorCode(err) != render.CodeUnknownTemplate || !strings.Contains(err.Error(), `"acme_followup"`) {
		t.Fatalf("removed tenant template: %v", err)
	}
	// A tenant name that exists for one channel only.
	st.TemplateOverrides = []herald.TemplateOverride{{Name: "acme_followup", Channel: herald.ChannelEmail, Subject: "s", Text: "t"}}
	if _, err := c.Template(context.Background(), st, herald.ChannelSMS); render.ErrorCode(err) != render.CodeUnknownTemplate {
		t.Fatalf("SMS of an email-only template: %v", err)
	}
	e, err := c.Resolve("acme_followup", herald.ChannelEmail, st.TemplateOverrides)
	if err != nil || e.Origin != catalog.OriginTenant || e.OverridesBuiltin {
		t.Fatalf("Resolve = %+v, %v", e, err)
	}
}

func TestResolveBuiltin(t *testing.T) {
	t.Parallel()
	c := catalog.New(nil, render.NewRegistry())
	e, err := c.Resolve(render.MeetingReminder24h, herald.ChannelSMS, nil)
	if err != nil || e.Origin != catalog.OriginBuiltin || e.Override != nil || e.Template.Name() != render.MeetingReminder24h {
		t.Fatalf("Resolve = %+v, %v", e, err)
	}
	e, err = c.Resolve(render.MeetingReminder24h, herald.ChannelSMS,
		[]herald.TemplateOverride{{Name: render.MeetingReminder24h, Channel: herald.ChannelSMS, Text: "x"}})
	if err != nil || e.Origin != catalog.OriginTenant || !e.OverridesBuiltin || e.Override == nil {
		t.Fatalf("Resolve with an override = %+v, %v", e, err)
	}
}
