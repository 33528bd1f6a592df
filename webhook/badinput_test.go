package webhook_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"herald"
	"herald/twilio/twiliotest"
	"herald/webhook"
)

// raw sends a body as is to a webhook.
func (b *bundle) raw(t *testing.T, method, path, contentType, body string) response {
	t.Helper()
	req, _ := http.NewRequest(method, b.server.URL+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return b.do(t, req)
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["24h"])
		const form, json = "application/x-www-form-urlencoded", "application/json"
		dlrPath, inPath := webhook.VonageReceiptPath, webhook.VonageInboundPath
		signedForm := func(p map[string]string) string {
			v := url.Values{}
			for k, s := range b.sign(t, p) {
				v.Set(k, s)
			}
			return v.Encode()
		}
		part := b.lastAccepted(t)
		concat := func(total, number string) map[string]string {
			p := inbound(leadPhone, "x")
			p["concat"], p["concat-ref"], p["concat-total"], p["concat-part"] = "true", "7", total, number
			return p
		}
		cases := []struct {
			name, method, path, contentType, body string
			status                                int
			code                                  string
		}{
			{"truncated JSON", "POST", dlrPath, json, `{"messageId":`, 400, herald.ECodeMalformedWebhook},
			{"JSON array", "POST", dlrPath, json, `[{"status":"delivered"}]`, 400, herald.ECodeMalformedWebhook},
			{"nested JSON", "POST", dlrPath, json, `{"status":{"a":1}}`, 400, herald.ECodeMalformedWebhook},
			{"two JSON objects", "POST", dlrPath, json, `{}{}`, 400, herald.ECodeMalformedWebhook},
			{"bad escape", "POST", dlrPath, form, "status=%zz", 400, herald.ECodeMalformedWebhook},
			{"repeated field", "POST", dlrPath, form, "status=delivered&status=failed", 400, herald.ECodeMalformedWebhook},
			{"NUL in a value", "POST", inPath, form, "text=STOP%00", 400, herald.ECodeMalformedWebhook},
			{"invalid UTF-8", "GET", inPath + "?text=%FF%FE", "", "", 400, herald.ECodeMalformedWebhook},
			{"CSV body", "POST", dlrPath, "text/csv", "a,b", 415, herald.ECodeMediaType},
			{"JSON to Twilio", "POST", webhook.TwilioInboundPath, json, `{"Body":"STOP"}`, 415, herald.ECodeMediaType},
			{"enormous body", "POST", inPath, form, "text=" + strings.Repeat("A", 70<<10), 413, herald.ECodeTooLarge},
			{"empty GET", "GET", dlrPath, "", "", 401, herald.ECodeUnauthorized},
			{"empty POST", "POST", inPath, form, "", 401, herald.ECodeUnauthorized},
			{"PUT", "PUT", dlrPath, json, `{}`, 405, herald.ECodeMethod},
			{"GET status callback", "GET", webhook.TwilioStatusPath, "", "", 405, herald.ECodeMethod},
			{"no messageId", "POST", dlrPath, form, signedForm(without(dlr(part, "delivered", "0"), "messageId")), 422, herald.ECodeInvalid},
			{"no status", "POST", dlrPath, form, signedForm(without(dlr(part, "delivered", "0"), "status")), 422, herald.ECodeInvalid},
			{"unknown status", "POST", dlrPath, form, signedForm(dlr(part, "teleported", "0")), 422, herald.ECodeInvalid},
			{"no sender", "POST", inPath, form, signedForm(without(inbound(leadPhone, "STOP"), "msisdn")), 422, herald.ECodeInvalid},
			{"no number", "POST", inPath, form, signedForm(without(inbound(leadPhone, "STOP"), "to")), 422, herald.ECodeInvalid},
			{"no message id", "POST", inPath, form, signedForm(without(inbound(leadPhone, "STOP"), "messageId")), 422, herald.ECodeInvalid},
			{"part count not a number", "POST", inPath, form, signedForm(concat("two", "1")), 422, herald.ECodeInvalid},
			{"part past the count", "POST", inPath, form, signedForm(concat("3", "5")), 422, herald.ECodeInvalid},
			{"too many parts", "POST", inPath, form, signedForm(concat("300", "1")), 422, herald.ECodeInvalid},
			{"part without ref", "POST", inPath, form, signedForm(without(concat("2", "1"), "concat-ref")), 422, herald.ECodeInvalid},
		}
		before := b.counts(t)
		for _, c := range cases {
			resp := b.raw(t, c.method, c.path, c.contentType, c.body)
			var prob struct {
				Code, Field string
				Status      int
			}
			resp.decode(t, &prob)
			if resp.status != c.status || prob.Code != c.code || prob.Status != c.status ||
				resp.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s, want %d %s", c.name, resp.status, resp.body, c.status, c.code)
			}
			if c.status == 422 && prob.Field == "" {
				t.Errorf("%s: the problem names no field: %s", c.name, resp.body)
			}
		}
		// Twilio's signed callbacks with fields missing or wrong.
		twilioCases := map[string]url.Values{
			"no MessageSid":  {"MessageStatus": {"delivered"}, "To": {leadPhone}},
			"inbound status": {"MessageSid": {"SM1"}, "MessageStatus": {"received"}},
			"no status":      {"MessageSid": {"SM1"}},
		}
		for name, f := range twilioCases {
			if resp := b.twilioCall(t, webhook.TwilioStatusPath, twiliotest.AuthToken, f); resp.status != 422 {
				t.Errorf("Twilio %s: %d %s", name, resp.status, resp.body)
			}
		}
		if resp := b.twilioCall(t, webhook.TwilioInboundPath, twiliotest.AuthToken, url.Values{"Body": {"STOP"}}); resp.status != 422 {
			t.Errorf("Twilio inbound without From: %d %s", resp.status, resp.body)
		}
		if after := b.counts(t); after != before {
			t.Fatalf("bad input wrote rows: %v → %v", before, after)
		}
		if len(b.replies()) != 0 {
			t.Fatal("bad input was answered by SMS")
		}
	})
}

func TestEnormousTextAndUnknownNumbers(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["24h"])
		// A long text within the size limit is taken and recorded in part.
		long := strings.Repeat("Please call me back about the offer. ", 1000)
		if kind := b.text(t, leadPhone, long); kind != herald.InboundOther {
			t.Fatalf("a long text read as %q", kind)
		}
		var detail string
		for _, a := range b.audit(t, b.tenant.ID, lead.ID) {
			if a.Action == herald.ActionInboundSMS {
				detail = a.Detail
			}
		}
		if len(detail) > 400 || !strings.HasSuffix(detail, "…") {
			t.Fatalf("audit detail of a long text is %d bytes: %q", len(detail), detail)
		}
		// A text to a number Herald never sent from reaches no tenant.
		p := inbound(leadPhone, "CONFIRM")
		p["to"] = "15005550199"
		if got := b.vonageCall(t, webhook.VonageInboundPath, viaJSON, b.sign(t, p)).result(t); got != herald.InboundApplied {
			t.Fatalf("text to an unknown number: %q", got)
		}
		p = inbound(leadPhone, "STOP")
		p["to"] = "15005550199"
		b.vonageCall(t, webhook.VonageInboundPath, viaJSON, b.sign(t, p)).result(t)
		if b.optedOut(t, lead) {
			t.Fatal("a STOP to a number Herald never sent from opted the lead out")
		}
		if got := b.replies(); len(got) != 1 || got[0].text != herald.DefaultSettings().Replies.Stop {
			t.Fatalf("replies %+v, want only the STOP confirmation", got)
		}
	})
}
