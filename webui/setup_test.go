package webui_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/render"
	"herald/schedule"
	"herald/sqlstore"
	"herald/webui"
)

// epoch is the frozen time each test starts at.
var epoch = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

const adminToken = "admin-token-for-tests"

// testBundle is a dashboard on one database with a frozen clock.
type testBundle struct {
	url       string
	db        *sqlstore.DB
	store     *sqlstore.Store
	clock     *clocktest.Clock
	deliverer *schedule.Deliverer
	sms       *scriptedSender
}

// scriptedSender answers every SMS through the outbox, except to phones
// listed in transient, which fail as a provider outage would.
type scriptedSender struct {
	outbox    herald.Sender
	transient map[string]bool
}

func (s *scriptedSender) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	if s.transient[msg.To] {
		return herald.SendResult{}, &herald.SendError{Provider: "vonage", Kind: herald.SendTransient, Code: "503",
			Message: "service unavailable", Tried: []herald.ProviderCall{{Provider: "vonage", Outcome: "transient", Error: "HTTP 503"}}}
	}
	// The outbox keeps the text; the answer is that of a provider sending
	// from a number, so receipts and replies find the attempt.
	res, err := s.outbox.Send(ctx, msg)
	if err != nil || msg.Channel != herald.ChannelSMS {
		return res, err
	}
	res.Provider, res.From = "vonage", fromNumber
	res.Tried = []herald.ProviderCall{{Provider: "vonage", Outcome: herald.OutcomeSent, MessageID: res.MessageID}}
	return res, nil
}

// fromNumber is the number the test SMS go from.
const fromNumber = "+14155550100"

func setup(t testing.TB, db *sqlstore.DB) *testBundle {
	t.Helper()
	clock := clocktest.New(epoch)
	client, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		t.Fatal(err)
	}
	store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{Clock: clock})
	sms := &scriptedSender{outbox: store.Outbox(), transient: map[string]bool{}}
	deliverer := &schedule.Deliverer{Store: store, SMS: sms, Email: store.Outbox(),
		Templates: schedule.BuiltinTemplates{Registry: render.NewRegistry()}, Clock: clock,
		Logger: slog.New(slog.DiscardHandler), SendTimeout: time.Second,
		Retry: schedule.RetryPolicy{InitialDelay: 30 * time.Minute, Multiplier: 2}}
	ui := &webui.Server{Store: store, Dashboard: store, Events: store, AdminToken: adminToken, Clock: clock,
		Logger: slog.New(slog.DiscardHandler), StoppedAfter: 6 * time.Second,
		Providers: func() []webui.ProviderStatus {
			return []webui.ProviderStatus{{Name: "vonage", Breaker: "closed", RateLimit: 30}}
		}}
	mux := http.NewServeMux()
	mux.Handle(webui.Prefix, ui.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &testBundle{url: srv.URL, db: db, store: store, clock: clock, deliverer: deliverer, sms: sms}
}

func eachDB(t *testing.T, fn func(t *testing.T, b *testBundle)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) { fn(t, setup(t, db)) })
}

// browser is one signed-in (or not yet) user agent with its cookies.
type browser struct {
	b      *testBundle
	client *http.Client
	// csrf is the last CSRF token seen on a page.
	csrf string
}

func (b *testBundle) browser(t testing.TB) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{b: b, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is one answer.
type page struct {
	status int
	header http.Header
	body   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (br *browser) do(t testing.TB, req *http.Request) page {
	t.Helper()
	resp, err := br.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if m := csrfField.FindStringSubmatch(string(body)); m != nil {
		br.csrf = m[1]
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (br *browser) get(t testing.TB, path string) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, br.b.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return br.do(t, req)
}

// post submits a form; the CSRF token of the last page is added unless
// the form has its own csrf field.
func (br *browser) post(t testing.TB, path string, form url.Values) page {
	t.Helper()
	if _, ok := form["csrf"]; !ok && br.csrf != "" {
		form.Set("csrf", br.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, br.b.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return br.do(t, req)
}

// signIn signs in with key and fails the test unless it works.
func (br *browser) signIn(t testing.TB, key string) {
	t.Helper()
	if p := br.get(t, "/ui/login"); p.status != http.StatusOK {
		t.Fatalf("GET /ui/login = %d", p.status)
	}
	p := br.post(t, "/ui/login", url.Values{"key": {key}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign in = %d, want 303; body: %s", p.status, p.body)
	}
	br.csrf = ""
}

// want fails the test unless the page has the status and, when it is
// 200, renders whole.
func (p page) want(t *testing.T, status int, contains ...string) page {
	t.Helper()
	if p.status != status {
		t.Fatalf("status = %d, want %d; body: %.2000s", p.status, status, p.body)
	}
	if status == http.StatusOK && !strings.Contains(p.body, "</html>") {
		t.Fatalf("page did not render whole: %.2000s", p.body)
	}
	for _, c := range contains {
		if !strings.Contains(p.body, c) {
			t.Errorf("page does not show %q; body: %.3000s", c, p.body)
		}
	}
	return p
}

// setupSecure is a dashboard on SQLite whose cookies are Secure, as
// behind HTTPS.
func setupSecure(t *testing.T) *testBundle {
	t.Helper()
	b := setup(t, dbtest.SQLite(t))
	clock := b.clock
	ui := &webui.Server{Store: b.store, Dashboard: b.store, Clock: clock, Secure: true, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.Handle(webui.Prefix, ui.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	b.url = srv.URL
	return b
}
