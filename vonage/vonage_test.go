package vonage_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/vonage"
	"herald/vonage/vonagetest"
)

func newClient(t *testing.T, cfg vonage.Config) *vonage.Client {
	t.Helper()
	client, err := vonage.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return client
}

func smsTo(to, text string) *herald.Message {
	return &herald.Message{Channel: herald.ChannelSMS, To: to, Text: text, Reference: "att_01:2"}
}

func TestSendPostsTheDocumentedForm(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	cfg := fake.Config()
	cfg.PublicURL = "https://herald.example.com/"
	client := newClient(t, cfg)

	result, err := client.Send(context.Background(), smsTo("+447700900000", "Hi John, your meeting starts in 1 hour."))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("fake got %d requests, want 1", len(reqs))
	}
	want := url.Values{
		"api_key":    {vonagetest.APIKey},
		"api_secret": {vonagetest.APISecret},
		"from":       {vonagetest.From},
		"to":         {"447700900000"},
		"text":       {"Hi John, your meeting starts in 1 hour."},
		"client-ref": {"att_01:2"},
		"callback":   {"https://herald.example.com/webhooks/vonage/dlr"},
	}
	if !reflect.DeepEqual(reqs[0].Form, want) {
		t.Errorf("form sent:\n%v\nwant:\n%v", reqs[0].Form, want)
	}
	if ct := reqs[0].Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", ct)
	}
	if reqs[0].BasicAuth {
		t.Error("credentials went in a header, want them in the body")
	}
	accepted := fake.Accepted()
	if len(accepted) != 1 {
		t.Fatalf("fake accepted %d parts, want 1", len(accepted))
	}
	wantResult := herald.SendResult{Provider: "vonage", MessageID: accepted[0].MessageID, Parts: 1, From: vonagetest.From}
	if !reflect.DeepEqual(result, wantResult) {
		t.Errorf("result = %+v, want %+v", result, wantResult)
	}
}

func TestSendAsksForUnicodeOnlyWhenTheMessageNeedsIt(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	client := newClient(t, fake.Config())
	ctx := context.Background()

	plain := smsTo("+14155550100", "Hi José, \"Año nuevo\" starts in 10 min!")
	if _, err := client.Send(ctx, plain); err != nil {
		t.Fatalf("Send plain: %v", err)
	}
	curly := smsTo("+14155550100", "Hi Zoë, “Café Night” starts in 10 min! "+strings.Repeat("é", 40))
	curly.Unicode = true
	result, err := client.Send(ctx, curly)
	if err != nil {
		t.Fatalf("Send unicode: %v", err)
	}

	reqs := fake.Requests()
	if reqs[0].Form.Has("type") {
		t.Errorf("GSM text sent type=%q, want no type field", reqs[0].Form.Get("type"))
	}
	if got := reqs[1].Form.Get("type"); got != "unicode" {
		t.Errorf("unicode text sent type=%q, want unicode", got)
	}
	// 80 UTF-16 units do not fit one unicode part of 70.
	if result.Parts != 2 {
		t.Errorf("Parts = %d, want 2", result.Parts)
	}
	if first := fake.Accepted()[1]; result.MessageID != first.MessageID || first.Part != 1 {
		t.Errorf("MessageID = %q, want the first part's %q", result.MessageID, first.MessageID)
	}
}

func TestSendLeavesOutOptionalFields(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	client := newClient(t, fake.Config())
	msg := smsTo("+14155550100", "hello")
	msg.Reference = ""
	if _, err := client.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	form := fake.Requests()[0].Form
	for _, field := range []string{"client-ref", "callback", "type", "ttl"} {
		if form.Has(field) {
			t.Errorf("form has %s=%q, want it absent", field, form.Get(field))
		}
	}
}

func TestSendWithWrongCredentialsIsPermanent(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	cfg := fake.Config()
	cfg.APISecret = "wrong-secret"
	_, err := newClient(t, cfg).Send(context.Background(), smsTo("+14155550100", "hello"))
	assertSendError(t, err, herald.SendPermanent, "4")
	if !strings.Contains(err.Error(), "Bad Credentials") {
		t.Errorf("error %q does not carry Vonage's text", err)
	}
}

func TestHangingProviderIsBoundedByTheTimeout(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{Hang: true} })
	cfg := fake.Config()
	cfg.Timeout = 100 * time.Millisecond
	client := newClient(t, cfg)

	start := time.Now()
	_, err := client.Send(context.Background(), smsTo("+14155550100", "hello"))
	assertSendError(t, err, herald.SendTransient, "")
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Send took %v against a hanging provider with a 100ms timeout", elapsed)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	cfg.Timeout = time.Minute
	start = time.Now()
	_, err = newClient(t, cfg).Send(ctx, smsTo("+14155550100", "hello"))
	assertSendError(t, err, herald.SendTransient, "")
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Send took %v after its context expired at 100ms", elapsed)
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	t.Parallel()
	good := vonage.Config{APIKey: "k", APISecret: "s", From: "Acme"}
	tests := map[string]struct {
		change func(*vonage.Config)
		want   string
	}{
		"no key":       {func(c *vonage.Config) { c.APIKey = "" }, "key and secret"},
		"no secret":    {func(c *vonage.Config) { c.APISecret = "" }, "key and secret"},
		"no from":      {func(c *vonage.Config) { c.From = "" }, "from"},
		"relative URL": {func(c *vonage.Config) { c.BaseURL = "rest.example.com" }, "base URL"},
		"long callback": {func(c *vonage.Config) {
			c.PublicURL = "https://" + strings.Repeat("h", 80) + ".example.com"
		}, "longer than the 100"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.change(&cfg)
			_, err := vonage.New(cfg)
			if err == nil || !strings.HasPrefix(err.Error(), "vonage: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want one starting with vonage: and mentioning %q", err, tt.want)
			}
		})
	}
}

func assertSendError(t *testing.T, err error, kind herald.SendErrorKind, code string) *herald.SendError {
	t.Helper()
	var se *herald.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *herald.SendError", err)
	}
	if se.Kind != kind || se.Code != code || se.Provider != "vonage" {
		t.Errorf("error = %+v, want provider vonage, kind %s, code %q", se, kind, code)
	}
	if !strings.HasPrefix(err.Error(), "vonage: ") {
		t.Errorf("error %q is not prefixed with the provider name", err)
	}
	return se
}
