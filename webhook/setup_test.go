package webhook_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/httpapi"
	"herald/render"
	"herald/schedule"
	"herald/sqlstore"
	"herald/tenantsms"
	"herald/twilio"
	"herald/twilio/twiliotest"
	"herald/vonage"
	"herald/vonage/vonagetest"
	"herald/webhook"
)

// Secrets and numbers of the test deployment.
const (
	publicURL    = "https://herald.example.com"
	vonageSecret = "mySignatureSecret"
	vonageNumber = "+14155550000" // Herald's Vonage number
	leadPhone    = "+14155552671"
)

// start is when the meeting of most tests begins.
var start = time.Date(2026, 12, 1, 19, 0, 0, 0, time.UTC)

// recordingSender stands for the SMTP sender: it records each email.
type recordingSender struct {
	mu   sync.Mutex
	sent []herald.Message
}

func (s *recordingSender) Send(_ context.Context, msg *herald.Message) (herald.SendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, *msg)
	return herald.SendResult{Provider: "smtp", MessageID: "<" + msg.Reference + "@herald>", Parts: 1}, nil
}

func (s *recordingSender) messages() []herald.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]herald.Message(nil), s.sent...)
}

// bundle is Herald with its webhooks on one database, the Vonage and
// Twilio fakes behind real clients, and a delivery worker run by hand.
type bundle struct {
	db         *sqlstore.DB
	store      *sqlstore.Store
	clock      *clocktest.Clock
	vonageFake *vonagetest.Server
	twilioFake *twiliotest.Server
	vonage     *vonage.Client
	twilio     *twilio.Client
	mail       *recordingSender
	deliverer  *schedule.Deliverer
	server     *httptest.Server
	tenant     herald.Tenant
	apiKey     string
}

// options change the deployment of one test.
type options struct {
	sms             string // "vonage" (default) or "twilio"
	vonageSecret    string
	publicURL       string
	twilioAuthToken string
	accounts        webhook.AccountSecrets
}

func setup(t *testing.T, db *sqlstore.DB, opts options) *bundle {
	t.Helper()
	if opts.sms == "" {
		opts.sms = "vonage"
	}
	client, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(start.Add(-72 * time.Hour))
	store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{Clock: clock})
	b := &bundle{db: db, store: store, clock: clock, mail: &recordingSender{},
		vonageFake: vonagetest.NewServer(t), twilioFake: twiliotest.NewServer(t)}
	vonageCfg := b.vonageFake.Config()
	vonageCfg.From, vonageCfg.PublicURL = vonageNumber, publicURL
	twilioCfg := b.twilioFake.Config()
	twilioCfg.PublicURL = publicURL
	if b.vonage, err = vonage.New(vonageCfg); err != nil {
		t.Fatal(err)
	}
	if b.twilio, err = twilio.New(twilioCfg); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.deliverer = &schedule.Deliverer{Store: store, SMS: b.vonage, Email: b.mail,
		Templates: schedule.BuiltinTemplates{Registry: render.NewRegistry()}, Clock: clock, Logger: logger,
		SendTimeout: 2 * time.Second, Retry: schedule.RetryPolicy{InitialDelay: time.Minute, Multiplier: 2}}
	if opts.sms == "twilio" {
		b.deliverer.SMS = b.twilio
	}
	hooks, err := webhook.New(webhook.Config{Store: store, Decide: schedule.ReceiptDecider(true), Inbound: schedule.InboundDecider(),
		PublicURL: opts.publicURL, VonageSecret: opts.vonageSecret, VonageMethod: "sha256",
		TwilioAuthToken: opts.twilioAuthToken, Accounts: opts.accounts, Clock: clock, Logger: logger,
		Replies: tenantsms.NewReplies(map[string]herald.Sender{"vonage": b.vonage, "twilio": b.twilio}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	api := &httpapi.Server{Store: store, Clock: clock, Logger: logger, Extra: hooks.Routes()}
	b.server = httptest.NewServer(api.Handler())
	t.Cleanup(b.server.Close)
	b.tenant, b.apiKey = b.newTenant(t, "Acme Sales")
	return b
}

// signed is the deployment of most tests: every secret configured.
func signed() options {
	return options{vonageSecret: vonageSecret, publicURL: publicURL, twilioAuthToken: twiliotest.AuthToken}
}

func each(t *testing.T, opts options, fn func(t *testing.T, b *bundle)) {
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) { fn(t, setup(t, db, opts)) })
}

func (b *bundle) newTenant(t *testing.T, name string) (herald.Tenant, string) {
	t.Helper()
	tenant, key, err := b.store.CreateTenant(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return tenant, key
}

func (b *bundle) lead(t *testing.T, tenantID string, in herald.LeadInput) herald.Lead {
	t.Helper()
	if in.Name == "" {
		in.Name = "John"
	}
	l, err := b.store.CreateLead(context.Background(), tenantID, in)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// book books "Product Demo" for the lead at startsAt and returns its
// reminders by rule.
func (b *bundle) book(t *testing.T, tenantID, leadID string, startsAt time.Time) map[string]herald.Reminder {
	t.Helper()
	b.clock.Set(startsAt.Add(-72 * time.Hour))
	m, _, err := b.store.BookMeeting(context.Background(), tenantID, herald.BookMeetingInput{LeadID: leadID,
		Title: "Product Demo", StartsAt: startsAt}, herald.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]herald.Reminder{}
	for _, r := range m.Reminders {
		out[r.Rule] = r
	}
	return out
}

// deliver runs the reminder's job at its time, as the worker would.
func (b *bundle) deliver(t *testing.T, r herald.Reminder) herald.Reminder {
	t.Helper()
	b.clock.Set(r.ScheduledAt)
	if err := b.deliverer.Deliver(context.Background(), r.TenantID, r.ID); err != nil {
		t.Fatalf("deliver %s: %v", r.Rule, err)
	}
	return b.reminder(t, r.TenantID, r.ID)
}

func (b *bundle) reminder(t *testing.T, tenantID, id string) herald.Reminder {
	t.Helper()
	r, err := b.store.Reminder(context.Background(), tenantID, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// newNonce returns a fresh nonce, as Vonage gives each webhook.
func newNonce() string { return strings.ToLower(rand.Text()) }

// sign adds what Vonage adds to a signed webhook: the api-key, timestamp
// and nonce, and the sig over all of them.
func (b *bundle) sign(t *testing.T, p map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{"api-key": vonagetest.APIKey, "timestamp": strconv.FormatInt(b.clock.Now().Unix(), 10),
		"nonce": newNonce()}
	for k, v := range p {
		out[k] = v
	}
	sig, err := vonage.Sign("sha256", vonageSecret, out)
	if err != nil {
		t.Fatal(err)
	}
	out["sig"] = sig
	return out
}

// Ways Vonage delivers a webhook, chosen in its dashboard.
const (
	viaGET  = "GET"
	viaForm = "POST form"
	viaJSON = "POST JSON"
)

var vonageModes = []string{viaGET, viaForm, viaJSON}

// vonage calls a Vonage webhook with parameters p, as is.
func (b *bundle) vonageCall(t *testing.T, path, mode string, p map[string]string) response {
	t.Helper()
	values := url.Values{}
	for k, v := range p {
		values.Set(k, v)
	}
	var req *http.Request
	switch mode {
	case viaGET:
		req, _ = http.NewRequest(http.MethodGet, b.server.URL+path+"?"+values.Encode(), nil)
	case viaForm:
		req, _ = http.NewRequest(http.MethodPost, b.server.URL+path, strings.NewReader(values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		body, _ := json.Marshal(p)
		req, _ = http.NewRequest(http.MethodPost, b.server.URL+path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
	}
	return b.do(t, req)
}

// twilioCall posts form to a Twilio webhook at pathAndQuery, signed with
// token over the public URL.
func (b *bundle) twilioCall(t *testing.T, pathAndQuery, token string, form url.Values) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.server.URL+pathAndQuery, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Sign(token, publicURL+pathAndQuery, form))
	return b.do(t, req)
}
