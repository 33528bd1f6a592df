package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/client"
	"herald/smtpmail/smtptest"
	"herald/twilio"
	"herald/twilio/twiliotest"
	"herald/vonage"
	"herald/vonage/vonagetest"
	"herald/webhook"
)

// A tenant's own accounts in the reply tests, beside the operator's.
const (
	replyOwnVonageSig   = "tenant-vonage-signature"
	replyOwnTwilioSID   = "AC00000000000000000000000000004242"
	replyOwnTwilioToken = "tenant-twilio-token"
	replyOwnTwilioFrom  = "+14155550188"
	replyPublicURL      = "https://herald.example.com"
)

// replyServer is Herald's API and webhooks (no worker) on a fresh
// database, with a secret key for tenants' own accounts and signed
// webhooks, plus the environment given.
func replyServer(t *testing.T, dbName string, extra map[string]string) string {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := map[string]string{
		"HERALD_SECRET_KEY":       base64.StdEncoding.EncodeToString(key),
		"HERALD_PUBLIC_URL":       replyPublicURL,
		"VONAGE_SIGNATURE_SECRET": eventsSigSecret,
		"VONAGE_SIGNATURE_METHOD": "sha256",
	}
	for k, v := range extra {
		env[k] = v
	}
	app := openTestApp(t, dbName, env)
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// replyTenant creates a tenant with a lead on eventsLeadPhone and gives
// it the own accounts in providers (the body of PUT providers).
func replyTenant(t *testing.T, base, name string, providers map[string]any) {
	t.Helper()
	ctx := context.Background()
	created, err := client.New(base, "admin").CreateTenant(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(base, created.APIKey).CreateLead(ctx, herald.LeadInput{Name: "Jane", Phone: eventsLeadPhone}); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(providers)
	req, _ := http.NewRequest(http.MethodPut, base+"/v1/admin/tenants/"+created.ID+"/providers", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer admin")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT providers: %d %s", resp.StatusCode, raw)
	}
}

// ownVonage is the PUT providers body of the tenant's own Vonage account.
func ownVonage() map[string]any {
	return map[string]any{"vonage": map[string]any{"api_key": ownVonageKey, "api_secret": ownVonageSecret,
		"from_number": ownVonageFrom, "signature_secret": replyOwnVonageSig}}
}

// textVonage posts the lead's text to number as Vonage does for the
// account apiKey, signed with that account's secret.
func textVonage(t *testing.T, base, apiKey, secret, number, text string) {
	t.Helper()
	p := map[string]string{"msisdn": strings.TrimPrefix(eventsLeadPhone, "+"), "to": strings.TrimPrefix(number, "+"),
		"messageId": "0A" + rand.Text()[:14], "text": text, "type": "text", "keyword": strings.ToUpper(text),
		"message-timestamp": time.Now().UTC().Format("2006-01-02 15:04:05"), "api-key": apiKey,
		"timestamp": strconv.FormatInt(time.Now().Unix(), 10), "nonce": rand.Text()}
	sig, err := vonage.Sign("sha256", secret, p)
	if err != nil {
		t.Fatal(err)
	}
	p["sig"] = sig
	body, _ := json.Marshal(p)
	resp, err := http.Post(base+webhook.VonageInboundPath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"applied"`) {
		t.Fatalf("inbound %s to %s: %d %s", text, number, resp.StatusCode, raw)
	}
}

// textTwilio posts the lead's text to number as Twilio does for the
// account sid, signed with its token.
func textTwilio(t *testing.T, base, sid, token, number, text string) {
	t.Helper()
	form := url.Values{"From": {eventsLeadPhone}, "To": {number}, "Body": {text}, "AccountSid": {sid},
		"MessageSid": {"SM" + strings.ToLower(rand.Text()[:26])}, "NumSegments": {"1"}}
	req, _ := http.NewRequest(http.MethodPost, base+webhook.TwilioInboundPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Sign(token, replyPublicURL+webhook.TwilioInboundPath, form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("inbound %s to %s: %d %s", text, number, resp.StatusCode, raw)
	}
}

// lastVonage is the last SMS the Vonage fake accepted; it fails the test
// when the fake accepted n or fewer.
func lastVonage(t *testing.T, fake *vonagetest.Server, n int) vonagetest.Accepted {
	t.Helper()
	accepted := fake.Accepted()
	if len(accepted) != n+1 {
		t.Fatalf("Vonage accepted %d SMS, want %d: %+v", len(accepted), n+1, accepted)
	}
	return accepted[n]
}

// TestRepliesGoFromTheNumberTexted: the answer to a text goes from the
// number the lead texted, through the account that owns it: a tenant's own
// Vonage account (its key, its number) for its own number, the operator's
// account for the operator's number.
func TestRepliesGoFromTheNumberTexted(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			fake := vonagetest.NewServer(t, vonagetest.WithAccount(ownVonageKey, ownVonageSecret, 0))
			base := replyServer(t, dbName, map[string]string{"VONAGE_API_KEY": vonagetest.APIKey,
				"VONAGE_API_SECRET": vonagetest.APISecret, "VONAGE_FROM_NUMBER": eventsFromNumber,
				"VONAGE_BASE_URL": fake.URL})
			replyTenant(t, base, "Own", ownVonage())
			replyTenant(t, base, "Plain", map[string]any{})
			def := herald.DefaultSettings().Replies
			for i, c := range []struct {
				text, number, key, secret string
				wantKey, wantText         string
			}{
				{"HELP", ownVonageFrom, ownVonageKey, replyOwnVonageSig, ownVonageKey, def.Help},
				{"STOP", ownVonageFrom, ownVonageKey, replyOwnVonageSig, ownVonageKey, def.Stop},
				{"HELP", eventsFromNumber, vonagetest.APIKey, eventsSigSecret, vonagetest.APIKey, def.Help},
			} {
				textVonage(t, base, c.key, c.secret, c.number, c.text)
				got := lastVonage(t, fake, i)
				if got.APIKey != c.wantKey || got.From != strings.TrimPrefix(c.number, "+") || got.To != strings.TrimPrefix(eventsLeadPhone, "+") {
					t.Errorf("%s to %s answered with key %s from %s to %s, want key %s from the number texted to the lead",
						c.text, c.number, got.APIKey, got.From, got.To, c.wantKey)
				}
				if text := fake.Requests()[len(fake.Requests())-1].Form.Get("text"); text != c.wantText {
					t.Errorf("%s to %s answered %q, want %q", c.text, c.number, text, c.wantText)
				}
			}
		})
	}
}

// TestRepliesFromATenantsOwnNumberWithoutOperatorSMS: with no SMS
// provider of the operator's, a text to a tenant's own Vonage number is
// still answered, through that account.
func TestRepliesFromATenantsOwnNumberWithoutOperatorSMS(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			fake := vonagetest.NewServer(t, vonagetest.WithAccount(ownVonageKey, ownVonageSecret, 0))
			mail := smtptest.NewServer(t)
			base := replyServer(t, dbName, map[string]string{"VONAGE_BASE_URL": fake.URL, "SMTP_HOST": mail.Host,
				"SMTP_PORT": strconv.Itoa(mail.Port), "SMTP_TLS": "none", "SMTP_FROM": "reminders@example.com"})
			replyTenant(t, base, "Own", ownVonage())
			for i, text := range []string{"STOP", "HELP"} {
				textVonage(t, base, ownVonageKey, replyOwnVonageSig, ownVonageFrom, text)
				if got := lastVonage(t, fake, i); got.APIKey != ownVonageKey || got.From != strings.TrimPrefix(ownVonageFrom, "+") {
					t.Errorf("%s answered with key %s from %s, want the tenant's key from its number", text, got.APIKey, got.From)
				}
			}
		})
	}
}

// TestRepliesThroughATenantsOwnTwilioAccount: a text to a tenant's own
// Twilio number is answered through that account (its AccountSid in the
// path, its token) from that number, though the operator sends by Vonage.
func TestRepliesThroughATenantsOwnTwilioAccount(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			operator := vonagetest.NewServer(t)
			fake := twiliotest.NewServer(t, twiliotest.WithCredentials(replyOwnTwilioSID, replyOwnTwilioToken),
				twiliotest.WithNumbers(replyOwnTwilioFrom))
			base := replyServer(t, dbName, map[string]string{"VONAGE_API_KEY": vonagetest.APIKey,
				"VONAGE_API_SECRET": vonagetest.APISecret, "VONAGE_FROM_NUMBER": eventsFromNumber,
				"VONAGE_BASE_URL": operator.URL, "TWILIO_BASE_URL": fake.URL})
			replyTenant(t, base, "Own", map[string]any{"twilio": map[string]any{"account_sid": replyOwnTwilioSID,
				"auth_token": replyOwnTwilioToken, "from_number": replyOwnTwilioFrom}})
			def := herald.DefaultSettings().Replies
			for i, c := range []struct{ text, want string }{{"STOP", def.Stop}, {"HELP", def.Help}} {
				textTwilio(t, base, replyOwnTwilioSID, replyOwnTwilioToken, replyOwnTwilioFrom, c.text)
				msgs, reqs := fake.Messages(), fake.Requests()
				if len(msgs) != i+1 {
					t.Fatalf("%s: Twilio created %d messages, want %d (requests %+v)", c.text, len(msgs), i+1, reqs)
				}
				if m := msgs[i]; m.From != replyOwnTwilioFrom || m.To != eventsLeadPhone || m.Body != c.want {
					t.Errorf("%s answered %+v, want %q from the tenant's number to the lead", c.text, m, c.want)
				}
				if path := reqs[len(reqs)-1].Path; !strings.Contains(path, "/Accounts/"+replyOwnTwilioSID+"/") {
					t.Errorf("%s answered through %s, want the tenant's own account", c.text, path)
				}
			}
			if n := len(operator.Requests()); n != 0 {
				t.Errorf("the operator's Vonage got %d requests, want none", n)
			}
		})
	}
}

// TestRepliesAreHeldInTheOutboxWithIt: with HERALD_OUTBOX=1 a process keeps
// its replies from the providers as it keeps its reminders: the answer to
// a STOP goes into the tenant's outbox, and the configured Vonage account
// gets no request.
func TestRepliesAreHeldInTheOutboxWithIt(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			fake := vonagetest.NewServer(t)
			base := replyServer(t, dbName, map[string]string{"HERALD_OUTBOX": "1", "VONAGE_API_KEY": vonagetest.APIKey,
				"VONAGE_API_SECRET": vonagetest.APISecret, "VONAGE_FROM_NUMBER": eventsFromNumber, "VONAGE_BASE_URL": fake.URL})
			ctx := context.Background()
			tn, err := client.New(base, "admin").CreateTenant(ctx, "Held")
			if err != nil {
				t.Fatal(err)
			}
			api := client.New(base, tn.APIKey)
			if _, err := api.CreateLead(ctx, herald.LeadInput{Name: "Jane", Phone: eventsLeadPhone}); err != nil {
				t.Fatal(err)
			}
			textVonage(t, base, vonagetest.APIKey, eventsSigSecret, eventsFromNumber, "STOP")
			if n := len(fake.Requests()); n != 0 {
				t.Fatalf("the provider got %d requests, want none: replies are held", n)
			}
			var held []herald.OutboxMessage
			for m, err := range api.Outbox(ctx, client.ListOptions{}) {
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, m)
			}
			want := herald.DefaultSettings().Replies.Stop
			if len(held) != 1 || held[0].Text != want || held[0].Recipient != eventsLeadPhone || held[0].ReminderID != "" {
				t.Fatalf("outbox = %+v, want the STOP reply %q to %s", held, want, eventsLeadPhone)
			}
		})
	}
}
