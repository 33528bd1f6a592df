package webhook_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/twilio"
	"herald/twilio/twiliotest"
	"herald/webhook"
)

// statusCallback is the form Twilio posts to a message's StatusCallback.
func statusCallback(m twiliotest.Message, status, errorCode string) url.Values {
	form := url.Values{"MessageSid": {m.SID}, "SmsSid": {m.SID}, "AccountSid": {twiliotest.AccountSID},
		"From": {m.From}, "To": {m.To}, "MessageStatus": {status}, "SmsStatus": {status}, "ApiVersion": {"2010-04-01"}}
	if errorCode != "" {
		form.Set("ErrorCode", errorCode)
	}
	return form
}

// callbackPath is the path and query of a message's StatusCallback.
func callbackPath(t *testing.T, m twiliotest.Message) string {
	t.Helper()
	path, ok := strings.CutPrefix(m.StatusCallback, publicURL)
	if !ok || !strings.HasPrefix(path, webhook.TwilioStatusPath+"?ref=att_") {
		t.Fatalf("StatusCallback %q does not carry the reference", m.StatusCallback)
	}
	return path
}

func twilioOnly() options {
	o := signed()
	o.sms = "twilio"
	return o
}

func TestTwilioStatusCallbacks(t *testing.T) {
	t.Parallel()
	each(t, twilioOnly(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		m := b.twilioFake.Messages()[0]
		path := callbackPath(t, m)
		token := twiliotest.AuthToken
		if got := b.twilioCall(t, path, token, statusCallback(m, "sent", "")).result(t); got != herald.ReceiptApplied {
			t.Fatalf("sent: %q", got)
		}
		if got := b.twilioCall(t, path, token, statusCallback(m, "delivered", "")).result(t); got != herald.ReceiptApplied {
			t.Fatalf("delivered: %q", got)
		}
		if got := b.reminder(t, b.tenant.ID, r.ID); got.DeliveryStatus != herald.DeliveryDelivered || got.Provider != "twilio" {
			t.Fatalf("after callbacks: %s via %s", got.DeliveryStatus, got.Provider)
		}
		// Without the reference the message id matches, and a repeat of a
		// status already seen changes nothing.
		if got := b.twilioCall(t, webhook.TwilioStatusPath, token, statusCallback(m, "delivered", "")).result(t); got != herald.ReceiptDuplicate {
			t.Fatalf("repeated delivered: %q", got)
		}
		if got := b.twilioCall(t, webhook.TwilioStatusPath, token, statusCallback(m, "read", "")).result(t); got != herald.ReceiptApplied {
			t.Fatalf("read, matched by MessageSid: %q", got)
		}
		stranger := twiliotest.Message{SID: "SM00000000000000000000000000000000", From: twiliotest.From, To: "+14155550123"}
		if got := b.twilioCall(t, webhook.TwilioStatusPath, token, statusCallback(stranger, "delivered", "")).result(t); got != herald.ReceiptUnmatched {
			t.Fatalf("a message Herald never sent: %q", got)
		}
	})
}

func TestTwilioSignatures(t *testing.T) {
	t.Parallel()
	each(t, twilioOnly(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		m := b.twilioFake.Messages()[0]
		path := callbackPath(t, m)
		form := statusCallback(m, "delivered", "")
		before := b.counts(t)
		post := func(signature string, body url.Values) response {
			req, _ := http.NewRequest(http.MethodPost, b.server.URL+path, strings.NewReader(body.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if signature != "" {
				req.Header.Set("X-Twilio-Signature", signature)
			}
			return b.do(t, req)
		}
		tampered := statusCallback(m, "delivered", "")
		tampered.Set("To", "+14155550000")
		forgeries := map[string]response{
			"unsigned":       post("", form),
			"wrong token":    post(twilio.Sign("guessed", publicURL+path, form), form),
			"other URL":      post(twilio.Sign(twiliotest.AuthToken, "http://herald.example.com"+path, form), form),
			"without ref":    post(twilio.Sign(twiliotest.AuthToken, publicURL+webhook.TwilioStatusPath, form), form),
			"tampered":       post(twilio.Sign(twiliotest.AuthToken, publicURL+path, form), tampered),
			"lower-case b64": post(strings.ToLower(twilio.Sign(twiliotest.AuthToken, publicURL+path, form)), form),
		}
		for name, resp := range forgeries {
			if resp.status != http.StatusUnauthorized || !strings.Contains(resp.body, `"code":"unauthorized"`) {
				t.Errorf("%s: %d %s", name, resp.status, resp.body)
			}
		}
		if got := b.reminder(t, b.tenant.ID, r.ID); got.DeliveryStatus != herald.DeliveryAccepted || b.counts(t) != before {
			t.Fatal("a forged status callback changed state")
		}
		// Twilio may sign with the default port written out.
		withPort := post(twilio.Sign(twiliotest.AuthToken, "https://herald.example.com:443"+path, form), form)
		if got := withPort.result(t); got != herald.ReceiptApplied {
			t.Fatalf("signed with :443: %q", got)
		}
	})
}

func TestTwilioInbound(t *testing.T) {
	t.Parallel()
	each(t, twilioOnly(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone, Email: "john@example.com"})
		rs := b.book(t, b.tenant.ID, lead.ID, start)
		b.deliver(t, rs["24h"])
		b.clock.Set(rs["24h"].ScheduledAt.Add(time.Hour))
		form := url.Values{"MessageSid": {"SM11111111111111111111111111111111"}, "AccountSid": {twiliotest.AccountSID},
			"From": {leadPhone}, "To": {twiliotest.From}, "Body": {"Stop"}, "NumSegments": {"1"},
			"SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}, "FromCountry": {"US"}}
		resp := b.twilioCall(t, webhook.TwilioInboundPath, twiliotest.AuthToken, form)
		if resp.status != http.StatusOK || !strings.HasPrefix(resp.header.Get("Content-Type"), "text/xml") ||
			!strings.Contains(resp.body, "<Response></Response>") {
			t.Fatalf("inbound answer %d %q %s", resp.status, resp.header.Get("Content-Type"), resp.body)
		}
		if !b.optedOut(t, lead) {
			t.Fatal("STOP through Twilio did not opt the lead out")
		}
		msgs := b.twilioFake.Messages()
		if last := msgs[len(msgs)-1]; last.To != leadPhone || last.Body != herald.DefaultSettings().Replies.Stop {
			t.Fatalf("the STOP confirmation did not go through Twilio: %+v", last)
		}
		if len(b.vonageFake.Requests()) != 0 {
			t.Fatal("a Twilio text was answered through Vonage")
		}
		if r := b.deliver(t, rs["1h"]); r.Channel != "email" {
			t.Fatalf("the next reminder went by %s", r.Channel)
		}
		// A number whose webhook is set to GET: the query is signed as
		// part of the URL.
		form.Set("MessageSid", "SM22222222222222222222222222222222")
		form.Set("Body", "HELP")
		target := webhook.TwilioInboundPath + "?" + form.Encode()
		req, _ := http.NewRequest(http.MethodGet, b.server.URL+target, nil)
		req.Header.Set("X-Twilio-Signature", twilio.Sign(twiliotest.AuthToken, publicURL+target, nil))
		if resp := b.do(t, req); resp.status != http.StatusOK {
			t.Fatalf("inbound by GET: %d %s", resp.status, resp.body)
		}
		msgs = b.twilioFake.Messages()
		if last := msgs[len(msgs)-1]; last.Body != herald.DefaultSettings().Replies.Help {
			t.Fatalf("HELP by GET answered %q", last.Body)
		}
	})
}

func TestMissingSecretsRefuseEverything(t *testing.T) {
	t.Parallel()
	each(t, options{twilioAuthToken: twiliotest.AuthToken}, func(t *testing.T, b *bundle) {
		before := b.counts(t)
		// Signed as the providers would, but Herald has no way to check:
		// no Vonage secret, and no public URL for Twilio's signature.
		vonageReq := b.sign(t, inbound(leadPhone, "STOP"))
		twilioForm := url.Values{"MessageSid": {"SM2"}, "From": {leadPhone}, "To": {twiliotest.From}, "Body": {"STOP"}}
		for name, resp := range map[string]response{
			"vonage receipt": b.vonageCall(t, webhook.VonageReceiptPath, viaJSON, vonageReq),
			"vonage inbound": b.vonageCall(t, webhook.VonageInboundPath, viaForm, vonageReq),
			"twilio inbound": b.twilioCall(t, webhook.TwilioInboundPath, twiliotest.AuthToken, twilioForm),
			"twilio status":  b.twilioCall(t, webhook.TwilioStatusPath, twiliotest.AuthToken, twilioForm),
		} {
			if resp.status != http.StatusUnauthorized || resp.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s", name, resp.status, resp.body)
			}
		}
		if b.counts(t) != before || len(b.vonageFake.Requests())+len(b.twilioFake.Requests()) != 0 {
			t.Fatal("an unverifiable webhook changed state or sent a reply")
		}
	})
}
