package twilio_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/twilio"
	"herald/twilio/twiliotest"
)

func newClient(t *testing.T, cfg twilio.Config) *twilio.Client {
	t.Helper()
	client, err := twilio.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return client
}

func sms(to, text string) *herald.Message {
	return &herald.Message{Channel: herald.ChannelSMS, To: to, Text: text, Reference: "att_01:1"}
}

func TestSendPostsTheDocumentedForm(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(t)
	cfg := fake.Config()
	cfg.PublicURL = "https://herald.example.com"
	client := newClient(t, cfg)

	result, err := client.Send(context.Background(), sms("+14155550100", "Hi John, \"Demo\" starts in 10 min!"))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	req := fake.Requests()[0]
	if req.Path != "/2010-04-01/Accounts/"+twiliotest.AccountSID+"/Messages.json" {
		t.Errorf("path = %s", req.Path)
	}
	if req.User != twiliotest.AccountSID || req.Password != twiliotest.AuthToken {
		t.Errorf("basic auth = %q:%q", req.User, req.Password)
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", ct)
	}
	want := url.Values{
		"To":             {"+14155550100"},
		"From":           {twiliotest.From},
		"Body":           {"Hi John, \"Demo\" starts in 10 min!"},
		"StatusCallback": {"https://herald.example.com/webhooks/twilio/status?ref=att_01%3A1"},
	}
	if !reflect.DeepEqual(req.Form, want) {
		t.Errorf("form sent:\n%v\nwant:\n%v", req.Form, want)
	}
	created := fake.Messages()
	wantResult := herald.SendResult{Provider: "twilio", MessageID: created[0].SID, Parts: 1, From: twiliotest.From}
	if len(created) != 1 || !reflect.DeepEqual(result, wantResult) {
		t.Errorf("result = %+v, want %+v (created %+v)", result, wantResult, created)
	}
}

func TestSendReportsSegmentsAndOmitsCallbackWithoutPublicURL(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(t)
	result, err := newClient(t, fake.Config()).Send(context.Background(), sms("+14155550100", strings.Repeat("ë", 71)))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if result.Parts != 2 {
		t.Errorf("Parts = %d, want 2 UCS-2 segments", result.Parts)
	}
	if form := fake.Requests()[0].Form; form.Has("StatusCallback") {
		t.Errorf("StatusCallback = %q without a public URL", form.Get("StatusCallback"))
	}
}

func TestErrorsTheRealAPIProduces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(*twiliotest.Server, *twilio.Config, *herald.Message)
		kind     herald.SendErrorKind
		code     string
		optedOut bool
	}{
		{"invalid number", func(_ *twiliotest.Server, _ *twilio.Config, m *herald.Message) { m.To = "+1" },
			herald.SendPermanentRecipient, "21211", false},
		{"unsubscribed recipient", func(s *twiliotest.Server, _ *twilio.Config, m *herald.Message) {
			s.OptOut(twiliotest.From, m.To)
		}, herald.SendPermanentRecipient, "21610", true},
		{"wrong token", func(_ *twiliotest.Server, c *twilio.Config, _ *herald.Message) { c.AuthToken = "x" },
			herald.SendPermanent, "20003", false},
		{"not our number", func(_ *twiliotest.Server, c *twilio.Config, _ *herald.Message) { c.From = "+15550000000" },
			herald.SendPermanent, "21606", false},
		{"body too long", func(_ *twiliotest.Server, _ *twilio.Config, m *herald.Message) {
			m.Text = strings.Repeat("a", 1601)
		}, herald.SendPermanent, "21617", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := twiliotest.NewServer(t)
			cfg, msg := fake.Config(), sms("+14155550100", "hi")
			tt.setup(fake, &cfg, msg)
			_, err := newClient(t, cfg).Send(context.Background(), msg)
			se := assertSendError(t, err, tt.kind, tt.code)
			if se.OptedOut != tt.optedOut {
				t.Errorf("OptedOut = %v, want %v", se.OptedOut, tt.optedOut)
			}
		})
	}
}

func TestEveryErrorCodeIsClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code int
		kind herald.SendErrorKind
	}{
		{20003, herald.SendPermanent},
		{20404, herald.SendPermanent},
		{20429, herald.SendThrottled},
		{21211, herald.SendPermanentRecipient},
		{21408, herald.SendPermanent},
		{21606, herald.SendPermanent},
		{21608, herald.SendPermanent},
		{21610, herald.SendPermanentRecipient},
		{21612, herald.SendPermanent},
		{21614, herald.SendPermanentRecipient},
		{21617, herald.SendPermanent},
		{21635, herald.SendPermanentRecipient},
		{20500, herald.SendTransient},
		{30001, herald.SendTransient},
		{30003, herald.SendTransient},
		{30005, herald.SendPermanentRecipient},
		{30007, herald.SendPermanent},
		{30450, herald.SendTransient},
		{29999, herald.SendPermanent},
	}
	fake := twiliotest.NewServer(t)
	fake.Script(func(req twiliotest.Request) twiliotest.Reply {
		code, _ := strconv.Atoi(req.Form.Get("Body"))
		return twiliotest.Reply{Code: code, Message: "scripted"}
	})
	client := newClient(t, fake.Config())
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			t.Parallel()
			_, err := client.Send(context.Background(), sms("+14155550100", strconv.Itoa(tt.code)))
			se := assertSendError(t, err, tt.kind, strconv.Itoa(tt.code))
			if se.OptedOut != (tt.code == 21610) {
				t.Errorf("OptedOut = %v", se.OptedOut)
			}
		})
	}
}

func TestHTTPLevelAnswersAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		reply      twiliotest.Reply
		kind       herald.SendErrorKind
		code       string
		retryAfter time.Duration
	}{
		{"20429 with Retry-After", twiliotest.Reply{Code: 20429, RetryAfter: "2"}, herald.SendThrottled, "20429", 2 * time.Second},
		{"bare 429", twiliotest.Reply{HTTPStatus: 429, RetryAfter: "5"}, herald.SendThrottled, "http-429", 5 * time.Second},
		{"502 from a proxy", twiliotest.Reply{HTTPStatus: 502, Body: "<html>Bad Gateway</html>"}, herald.SendTransient, "http-502", 0},
		{"503", twiliotest.Reply{HTTPStatus: 503}, herald.SendTransient, "http-503", 0},
		{"201 with garbage may have sent: unknown", twiliotest.Reply{HTTPStatus: 201, Body: "{"}, herald.SendUnknown, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := twiliotest.NewServer(t)
			fake.Script(func(twiliotest.Request) twiliotest.Reply { return tt.reply })
			_, err := newClient(t, fake.Config()).Send(context.Background(), sms("+14155550100", "hi"))
			se := assertSendError(t, err, tt.kind, tt.code)
			if se.RetryAfter != tt.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", se.RetryAfter, tt.retryAfter)
			}
		})
	}
}

func TestHangingProviderIsBoundedByTheTimeout(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(t)
	fake.Script(func(twiliotest.Request) twiliotest.Reply { return twiliotest.Reply{Hang: true} })
	cfg := fake.Config()
	cfg.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := newClient(t, cfg).Send(context.Background(), sms("+14155550100", "hi"))
	assertSendError(t, err, herald.SendTransient, "")
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Send took %v against a hanging provider with a 100ms timeout", elapsed)
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]twilio.Config{
		"no token":    {AccountSID: "AC1", From: "+1555"},
		"no from":     {AccountSID: "AC1", AuthToken: "t"},
		"bad baseURL": {AccountSID: "AC1", AuthToken: "t", From: "+1555", BaseURL: "ftp://x"},
	} {
		if _, err := twilio.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "twilio: ") {
			t.Errorf("%s: New error = %v, want a twilio: error", name, err)
		}
	}
}

func assertSendError(t *testing.T, err error, kind herald.SendErrorKind, code string) *herald.SendError {
	t.Helper()
	var se *herald.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *herald.SendError", err)
	}
	if se.Kind != kind || se.Code != code || se.Provider != "twilio" {
		t.Errorf("error = %+v, want provider twilio, kind %s, code %q", se, kind, code)
	}
	if !strings.HasPrefix(err.Error(), "twilio: ") {
		t.Errorf("error %q is not prefixed with the provider name", err)
	}
	return se
}

// TestValidityEndsAtTheMeeting: a message for a meeting less than ten
// hours ahead asks Twilio to drop it at the start rather than deliver it
// late; one further ahead keeps Twilio's default, and a message from a
// tenant's own number goes from it.
func TestValidityEndsAtTheMeeting(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(t, twiliotest.WithNumbers(twiliotest.From, "+15005550099"))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cfg := fake.Config()
	cfg.Now = func() time.Time { return now }
	client := newClient(t, cfg)
	soon := sms("+14155550100", "in an hour")
	soon.NotAfter = now.Add(time.Hour)
	later := sms("+14155550100", "tomorrow")
	later.NotAfter = now.Add(24 * time.Hour)
	later.From = "+15005550099"
	for _, m := range []*herald.Message{soon, later} {
		if _, err := client.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	reqs := fake.Requests()
	if got := reqs[0].Form.Get("ValidityPeriod"); got != "3600" {
		t.Errorf("ValidityPeriod an hour ahead = %q, want 3600", got)
	}
	if reqs[1].Form.Has("ValidityPeriod") || reqs[1].Form.Get("From") != "+15005550099" {
		t.Errorf("a day ahead: form %v, want no ValidityPeriod and the tenant's From", reqs[1].Form)
	}
}
