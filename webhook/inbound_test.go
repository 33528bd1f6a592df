package webhook_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/webhook"
)

// inbound is an SMS as Vonage delivers it: msisdn is the sender's phone,
// to is the Herald number it wrote to.
func inbound(from, text string) map[string]string {
	return map[string]string{"msisdn": strings.TrimPrefix(from, "+"), "to": strings.TrimPrefix(vonageNumber, "+"),
		"messageId": "0A0000000" + strings.ToUpper(newNonce()[:7]), "text": text, "type": "text",
		"keyword": strings.ToUpper(strings.Fields(text + " x")[0]), "message-timestamp": "2026-12-01 12:00:00"}
}

// text sends an inbound SMS through the Vonage webhook and returns the
// kind Herald read in it.
func (b *bundle) text(t *testing.T, from, text string) herald.InboundKind {
	t.Helper()
	resp := b.vonageCall(t, webhook.VonageInboundPath, viaForm, b.sign(t, inbound(from, text)))
	var a struct{ Result, Kind string }
	if resp.status != 200 {
		t.Fatalf("inbound %q: %d %s", text, resp.status, resp.body)
	}
	resp.decode(t, &a)
	if a.Result != herald.InboundApplied {
		t.Fatalf("inbound %q: result %q", text, a.Result)
	}
	return herald.InboundKind(a.Kind)
}

// reply is an answer Herald sent through the Vonage fake.
type reply struct{ to, text string }

// replies returns the answers to inbound SMS the Vonage fake received,
// told from reminders by their reference.
func (b *bundle) replies() []reply {
	var out []reply
	for _, req := range b.vonageFake.Requests() {
		if strings.HasPrefix(req.Form.Get("client-ref"), "rpl_") {
			out = append(out, reply{to: "+" + req.Form.Get("to"), text: req.Form.Get("text")})
		}
	}
	return out
}

func (b *bundle) optedOut(t *testing.T, l herald.Lead) bool {
	t.Helper()
	got, err := b.store.Lead(context.Background(), l.TenantID, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.SMSOptedOut
}

func TestStopSendsTheNextReminderByEmailAndStartUndoesIt(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone, Email: "john@example.com"})
		rs := b.book(t, b.tenant.ID, lead.ID, start)
		b.deliver(t, rs["24h"])
		b.clock.Set(rs["24h"].ScheduledAt.Add(time.Hour))
		if kind := b.text(t, leadPhone, "  Stop "); kind != herald.InboundStop {
			t.Fatalf("kind %q", kind)
		}
		var shown herald.Lead
		b.api(t, "GET", "/v1/leads/"+lead.ID, &shown)
		if !shown.SMSOptedOut || shown.SMSOptedOutAt == nil {
			t.Fatalf("lead after STOP: %+v", shown)
		}
		def := herald.DefaultSettings().Replies
		if got := b.replies(); len(got) != 1 || got[0] != (reply{leadPhone, def.Stop}) {
			t.Fatalf("replies after STOP: %+v", got)
		}
		if r := b.deliver(t, rs["1h"]); r.Channel != "email" || len(b.mail.messages()) != 1 {
			t.Fatalf("reminder after STOP went by %s (%d emails)", r.Channel, len(b.mail.messages()))
		}

		b.clock.Set(rs["1h"].ScheduledAt.Add(time.Minute))
		if kind := b.text(t, leadPhone, "start"); kind != herald.InboundStart {
			t.Fatalf("kind %q", kind)
		}
		b.api(t, "GET", "/v1/leads/"+lead.ID, &shown)
		if shown.SMSOptedOut || shown.SMSOptedOutAt != nil {
			t.Fatalf("lead after START: %+v", shown)
		}
		if got := b.replies(); len(got) != 2 || got[1].text != def.Start {
			t.Fatalf("replies after START: %+v", got)
		}
		if r := b.deliver(t, rs["10m"]); r.Channel != "sms" {
			t.Fatalf("reminder after START went by %s", r.Channel)
		}
		audit := b.audit(t, b.tenant.ID, lead.ID)
		for _, want := range []struct {
			action  herald.Action
			outcome string
		}{{herald.ActionLeadOptedOut, "opted_out"}, {herald.ActionLeadOptedIn, "opted_in"},
			{herald.ActionInboundSMS, "stop"}, {herald.ActionReplySent, "sent"}} {
			if !hasAction(audit, want.action, want.outcome) {
				t.Errorf("lead's audit lacks %s/%s: %+v", want.action, want.outcome, audit)
			}
		}
		for _, a := range audit {
			if a.Action == herald.ActionReplySent && !strings.Contains(a.Detail, "from "+vonageNumber) {
				t.Errorf("reply's audit %q does not say it went from %s, the number the lead texted", a.Detail, vonageNumber)
			}
		}
	})
}

func TestStopAppliesToEveryTenantSendingFromTheNumber(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		other, _ := b.newTenant(t, "Beta Corp")
		quiet, _ := b.newTenant(t, "Email Only Inc")
		leadA := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		leadB := b.lead(t, other.ID, herald.LeadInput{Phone: leadPhone})
		otherPhone := b.lead(t, other.ID, herald.LeadInput{Phone: "+14155552699"})
		leadC := b.lead(t, quiet.ID, herald.LeadInput{Phone: leadPhone, Email: "c@example.com"})
		b.deliver(t, b.book(t, b.tenant.ID, leadA.ID, start)["24h"])
		// Beta sends from the number too, though never yet to this phone.
		b.deliver(t, b.book(t, other.ID, otherPhone.ID, start)["24h"])

		b.clock.Set(start.Add(-2 * time.Hour))
		b.text(t, leadPhone, "UNSUBSCRIBE")
		if !b.optedOut(t, leadA) || !b.optedOut(t, leadB) {
			t.Fatal("a lead with the phone in a tenant sending from the number is not opted out")
		}
		if b.optedOut(t, leadC) || b.optedOut(t, otherPhone) {
			t.Fatal("a tenant that never sent from the number, or another phone, was opted out")
		}
		if !hasAction(b.audit(t, other.ID, leadB.ID), herald.ActionLeadOptedOut, "opted_out") ||
			len(b.audit(t, quiet.ID, leadC.ID)) != 1 {
			t.Fatal("the opt-out is not in each concerned tenant's audit trail, or is in another's")
		}
		if got := b.replies(); len(got) != 1 {
			t.Fatalf("%d replies to one STOP, want one", len(got))
		}
	})
}

func TestConfirmConfirmsTheRightMeetingOfTheRightTenant(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		ctx := context.Background()
		other, otherKey := b.newTenant(t, "Beta Corp")
		leadA := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		leadB := b.lead(t, other.ID, herald.LeadInput{Phone: leadPhone})
		settings, _ := b.store.Settings(ctx, b.tenant.ID)
		settings.Replies.Confirm = "Acme: see you then!"
		if _, err := b.store.UpdateSettings(ctx, b.tenant.ID, settings); err != nil {
			t.Fatal(err)
		}
		// Both send from the number; only Acme has a meeting with the
		// phone within 48 hours, so CONFIRM answers Acme's reminder.
		beta := b.book(t, other.ID, leadB.ID, start.Add(5*24*time.Hour))["24h"]
		later := b.book(t, b.tenant.ID, leadA.ID, start.Add(24*time.Hour))
		acme := b.book(t, b.tenant.ID, leadA.ID, start)["24h"]
		b.deliver(t, beta)
		b.deliver(t, acme)

		b.clock.Set(acme.ScheduledAt.Add(10 * time.Minute))
		if kind := b.text(t, leadPhone, "Confirm."); kind != herald.InboundConfirm {
			t.Fatalf("kind %q", kind)
		}
		var m herald.Meeting
		b.api(t, "GET", "/v1/meetings/"+acme.MeetingID, &m)
		if m.Status != herald.MeetingConfirmed || m.ConfirmedAt == nil || !m.ConfirmedAt.Equal(b.clock.Now()) {
			t.Fatalf("Acme's meeting after CONFIRM: %s at %v", m.Status, m.ConfirmedAt)
		}
		var untouched herald.Meeting
		b.apiAs(t, otherKey, "GET", "/v1/meetings/"+beta.MeetingID, &untouched)
		if untouched.ConfirmedAt != nil {
			t.Fatal("CONFIRM confirmed another tenant's meeting")
		}
		if got := b.replies(); len(got) != 1 || got[0].text != "Acme: see you then!" {
			t.Fatalf("replies: %+v", got)
		}
		// Once that meeting has begun, CONFIRM is for the lead's next one.
		b.clock.Set(start.Add(time.Minute))
		b.text(t, leadPhone, "CONFIRM")
		b.api(t, "GET", "/v1/meetings/"+later["1h"].MeetingID, &m)
		if m.ConfirmedAt == nil || !hasAction(b.audit(t, b.tenant.ID, m.ID), herald.ActionMeetingConfirmed, "") {
			t.Fatal("CONFIRM after the meeting began did not confirm the lead's next meeting")
		}
	})
}

func TestHelpAndStrangers(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		ctx := context.Background()
		settings, _ := b.store.Settings(ctx, b.tenant.ID)
		settings.Replies.Help = "Acme Sales reminders. Questions: 555-0100. Reply STOP to stop."
		if _, err := b.store.UpdateSettings(ctx, b.tenant.ID, settings); err != nil {
			t.Fatal(err)
		}
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["24h"])
		b.clock.Set(r.ScheduledAt.Add(time.Minute))
		const stranger = "+14155559999"
		def := herald.DefaultSettings().Replies

		if b.text(t, leadPhone, "help") != herald.InboundHelp {
			t.Fatal("HELP not read as help")
		}
		b.text(t, leadPhone, "Can we move it to Friday?")
		for _, text := range []string{"hello?", "CONFIRM", "START", "HELP", "STOP"} {
			b.text(t, stranger, text)
		}
		want := []reply{{leadPhone, settings.Replies.Help}, {stranger, def.Help}, {stranger, def.Stop}}
		got := b.replies()
		if len(got) != len(want) {
			t.Fatalf("replies %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("reply %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		recorded := false
		for _, a := range b.audit(t, b.tenant.ID, lead.ID) {
			recorded = recorded || a.Action == herald.ActionInboundSMS && a.Outcome == "other" &&
				strings.HasSuffix(a.Detail, ": Can we move it to Friday?")
		}
		if !recorded {
			t.Fatal("the lead's free text is not in the audit trail")
		}
		var strangers int
		if err := b.db.QueryRowContext(ctx, "SELECT count(*) FROM webhook_events WHERE kind = 'inbound' AND tenant_id = ''").
			Scan(&strangers); err != nil || strangers != 5 {
			t.Fatalf("%d tenant-less inbound records (%v), want 5", strangers, err)
		}
	})
}

func TestMultipartInboundIsReassembled(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["24h"])
		b.clock.Set(r.ScheduledAt.Add(time.Minute))
		part := func(n, text string) map[string]string {
			p := inbound(leadPhone, text)
			p["concat"], p["concat-ref"], p["concat-total"], p["concat-part"] = "true", "108", "2", n
			return b.sign(t, p)
		}
		second := part("2", "FIRM")
		if got := b.vonageCall(t, webhook.VonageInboundPath, viaJSON, second).result(t); got != herald.InboundWaiting {
			t.Fatalf("first part to arrive: %q, want waiting", got)
		}
		first := part("1", "con")
		if got := b.vonageCall(t, webhook.VonageInboundPath, viaGET, first).result(t); got != herald.InboundApplied {
			t.Fatalf("last part to arrive: %q, want applied", got)
		}
		var m herald.Meeting
		b.api(t, "GET", "/v1/meetings/"+r.MeetingID, &m)
		if m.ConfirmedAt == nil {
			t.Fatal("the reassembled CONFIRM did not confirm the meeting")
		}
		// Vonage resends a part of the finished message: nothing happens.
		again := part("1", "con")
		if got := b.vonageCall(t, webhook.VonageInboundPath, viaForm, again).result(t); got != herald.InboundDuplicate {
			t.Fatalf("a resent part: %q, want duplicate", got)
		}
		if got := b.replies(); len(got) != 1 {
			t.Fatalf("%d replies, want one", len(got))
		}
	})
}

func TestProviderOptOutReceipt(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["24h"])
		// Vonage accepted the SMS, then the carrier refused it: the phone
		// had sent STOP to the number outside Herald.
		b.vonageCall(t, webhook.VonageReceiptPath, viaJSON, b.sign(t, dlr(b.lastAccepted(t), "failed", "9"))).result(t)
		if !b.optedOut(t, lead) {
			t.Fatal("err-code 9 did not opt the lead out")
		}
	})
}

func TestOptOutOutlivesTheLeadAndAppliesToLaterLeads(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		ctx := context.Background()
		other, _ := b.newTenant(t, "Beta Corp")
		quiet, _ := b.newTenant(t, "Email Only Inc")
		first := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		b.deliver(t, b.book(t, b.tenant.ID, first.ID, start)["24h"])
		// Beta sends from the number too, to another phone.
		elsewhere := b.lead(t, other.ID, herald.LeadInput{Phone: "+14155552699"})
		b.deliver(t, b.book(t, other.ID, elsewhere.ID, start)["24h"])
		// Email Only has a lead with the phone before anyone texted STOP.
		early := b.lead(t, quiet.ID, herald.LeadInput{Phone: leadPhone, Email: "early@example.com"})

		b.clock.Set(start.Add(-12 * time.Hour))
		b.text(t, leadPhone, "STOP")

		// Leads created or changed later, in tenants sending from the
		// number, start opted out, and their audit trail says why.
		again := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone, Email: "again@example.com"})
		beta := b.lead(t, other.ID, herald.LeadInput{Phone: leadPhone})
		quietLater := b.lead(t, quiet.ID, herald.LeadInput{Phone: leadPhone})
		if !again.SMSOptedOut || !b.optedOut(t, again) || !b.optedOut(t, beta) {
			t.Fatal("a lead created after STOP with the phone is not opted out")
		}
		if b.optedOut(t, quietLater) {
			t.Fatal("a lead of a tenant that never sent from the number was opted out")
		}
		why := false
		for _, a := range b.audit(t, other.ID, beta.ID) {
			why = why || a.Action == herald.ActionLeadOptedOut && strings.Contains(a.Detail, "STOP by SMS")
		}
		if !why {
			t.Fatalf("the new lead's audit does not say why it is opted out: %+v", b.audit(t, other.ID, beta.ID))
		}
		phone := leadPhone
		changed, err := b.store.UpdateLead(ctx, other.ID, elsewhere.ID, herald.LeadPatch{Phone: &phone}, nil)
		if err != nil || !changed.SMSOptedOut || !b.optedOut(t, elsewhere) {
			t.Fatalf("a lead changed to the opted-out phone: %+v %v", changed, err)
		}
		// The new lead's reminder goes by email.
		if r := b.deliver(t, b.book(t, b.tenant.ID, again.ID, start.Add(24*time.Hour))["24h"]); r.Channel != "email" {
			t.Fatalf("reminder of a lead created after STOP went by %s", r.Channel)
		}
		// At send time the opt-out holds for a lead its flag missed.
		if r := b.deliver(t, b.book(t, quiet.ID, early.ID, start.Add(24*time.Hour))["24h"]); r.Channel != "email" ||
			!b.optedOut(t, early) {
			t.Fatalf("reminder of a lead created before STOP went by %s", r.Channel)
		}

		// START lifts it for leads created afterwards.
		b.clock.Set(start.Add(30 * time.Hour))
		b.text(t, leadPhone, "START")
		if fresh := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone}); fresh.SMSOptedOut {
			t.Fatal("a lead created after START is opted out")
		}
	})
}

func TestRepliesOnASharedNumberDoNotCrossTenants(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		attacker, attackerKey := b.newTenant(t, "Mallory Ltd")
		victim := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		mine := b.book(t, b.tenant.ID, victim.ID, start)["24h"]
		// The attacker creates a lead with the victim's phone, and gets an
		// SMS sent to it from the same number, later than the victim's.
		decoy := b.lead(t, attacker.ID, herald.LeadInput{Phone: leadPhone})
		theirs := b.book(t, attacker.ID, decoy.ID, start.Add(time.Hour))["24h"]
		b.deliver(t, mine)
		b.deliver(t, theirs)

		b.clock.Set(theirs.ScheduledAt.Add(time.Minute))
		b.text(t, leadPhone, "CONFIRM")
		b.text(t, leadPhone, "I'll be there at 10")
		for _, m := range []struct{ key, id string }{{b.apiKey, mine.MeetingID}, {attackerKey, theirs.MeetingID}} {
			var got herald.Meeting
			b.apiAs(t, m.key, "GET", "/v1/meetings/"+m.id, &got)
			if got.Status != herald.MeetingScheduled || got.ConfirmedAt != nil {
				t.Fatalf("CONFIRM on a shared number confirmed meeting %s, though two tenants have one soon", got.ID)
			}
		}
		for _, a := range b.audit(t, attacker.ID, decoy.ID) {
			if a.Action == herald.ActionInboundSMS {
				t.Fatalf("the victim's text landed in the attacker's audit trail: %+v", a)
			}
		}
		if got := b.replies(); len(got) != 2 || got[0].text != herald.NeutralReply || got[1].text != herald.NeutralReply {
			t.Fatalf("replies %+v, want two neutral ones", got)
		}
		var tenantless int
		if err := b.db.QueryRowContext(context.Background(), `SELECT count(*) FROM webhook_events
			WHERE kind = 'inbound' AND tenant_id = ''`).Scan(&tenantless); err != nil || tenantless != 2 {
			t.Fatalf("%d texts recorded for no tenant (%v), want 2", tenantless, err)
		}
		// STOP still applies to both, as carriers apply it.
		b.text(t, leadPhone, "STOP")
		if !b.optedOut(t, victim) || !b.optedOut(t, decoy) {
			t.Fatal("STOP on a shared number did not apply to every tenant")
		}
	})
}
