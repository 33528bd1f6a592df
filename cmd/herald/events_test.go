package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"herald"
	"herald/client"
	"herald/dbtest"
	"herald/vonage"
	"herald/vonage/vonagetest"
	"herald/webhook"
)

// The number the tests' tenant sends from, and its signature secret.
const (
	eventsFromNumber  = "14155550100"
	eventsSigSecret   = "s3cret-for-vonage"
	eventsLeadPhone   = "+14155552671"
	eventsAdminToken  = "admin"
	eventsWaitTimeout = 45 * time.Second
)

// eventsServer is `herald serve` in the test's process: API, webhooks and
// worker, on a database that outlives a restart of the process.
type eventsServer struct {
	app  *App
	url  string
	stop func()
}

// eventsEnv is the configuration of the tests: SMS through the Vonage fake
// from a number, signed provider webhooks, and endpoints on loopback.
func eventsEnv(dbURL string, fake *vonagetest.Server, extra map[string]string) map[string]string {
	env := map[string]string{
		"HERALD_DATABASE_URL":          dbURL,
		"HERALD_ADMIN_TOKEN":           eventsAdminToken,
		"VONAGE_API_KEY":               vonagetest.APIKey,
		"VONAGE_API_SECRET":            vonagetest.APISecret,
		"VONAGE_FROM_NUMBER":           eventsFromNumber,
		"VONAGE_BASE_URL":              fake.URL,
		"VONAGE_RATE_LIMIT":            "0",
		"VONAGE_SIGNATURE_SECRET":      eventsSigSecret,
		"VONAGE_SIGNATURE_METHOD":      "sha256",
		"REMINDER_POLL_INTERVAL":       "50ms",
		"HERALD_WEBHOOK_ALLOW_PRIVATE": "1",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// eventsDB returns a migrated database URL of the named kind. A
// PostgreSQL URL names its connections, so a test can cut them.
func eventsDB(t *testing.T, dbName string) (url, appName string) {
	t.Helper()
	if dbName == "sqlite" {
		return "sqlite:" + filepath.Join(t.TempDir(), "herald.db"), ""
	}
	appName = "herald_events_" + strings.ToLower(rand.Text()[:10])
	url = dbtest.PostgresSchema(t) + "&application_name=" + appName
	if err := run(context.Background(), []string{"migrate"}, mapEnv(map[string]string{"HERALD_DATABASE_URL": url}),
		io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	return url, appName
}

// startEventsServer runs Herald on env until the test ends or stop is
// called.
func startEventsServer(t *testing.T, env map[string]string) *eventsServer {
	t.Helper()
	cfg, err := LoadConfig(mapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	cfg.serving = true
	ctx, cancel := context.WithCancel(context.Background())
	app, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := app.StartWorker(ctx); err != nil {
		cancel()
		app.Close()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	var once sync.Once
	s := &eventsServer{app: app, url: "http://" + ln.Addr().String()}
	s.stop = func() {
		once.Do(func() {
			cancel()
			<-done
			app.StopWorker()
			app.Close()
		})
	}
	t.Cleanup(s.stop)
	return s
}

// received is one request an endpoint got.
type received struct {
	path   string
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is a tenant's system: it records the deliveries each of its
// paths receives and answers as answer says (204 when nil).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(r received, seen int) (status int, hang bool)
	// release frees the requests held by hang.
	release chan struct{}
	once    sync.Once
}

// letGo frees the requests held open, and answers the later ones.
func (rc *receiver) letGo() { rc.once.Do(func() { close(rc.release) }) }

func newReceiver(t *testing.T, answer func(r received, seen int) (int, bool)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer, release: make(chan struct{})}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got := received{path: r.URL.Path, header: r.Header.Clone(), body: body, at: time.Now()}
		rc.mu.Lock()
		seen := 0
		for _, g := range rc.got {
			if g.path == got.path && g.header.Get("webhook-id") == got.header.Get("webhook-id") {
				seen++
			}
		}
		rc.got = append(rc.got, got)
		rc.mu.Unlock()
		status, hang := http.StatusNoContent, false
		if rc.answer != nil {
			status, hang = rc.answer(got, seen)
		}
		if hang {
			select {
			case <-rc.release:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(func() {
		rc.letGo()
		rc.Close()
	})
	return rc
}

// at returns the deliveries a path received, in order.
func (rc *receiver) at(path string) []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []received
	for _, g := range rc.got {
		if g.path == path {
			out = append(out, g)
		}
	}
	return out
}

// types returns the event types a path received, verified with secret.
func (rc *receiver) types(t *testing.T, path, secret string) []herald.EventType {
	t.Helper()
	var out []herald.EventType
	for _, g := range rc.at(path) {
		ev, err := client.VerifyWebhook(secret, g.header, g.body)
		if err != nil {
			t.Fatalf("%s: delivery does not verify: %v", path, err)
		}
		out = append(out, ev.Type)
	}
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(eventsWaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %v: %s", eventsWaitTimeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// postVonage signs params and posts them to a Vonage webhook of s.
func (s *eventsServer) postVonage(t *testing.T, path string, params map[string]string) {
	t.Helper()
	params["timestamp"] = strconv.FormatInt(time.Now().Unix(), 10)
	params["nonce"] = rand.Text()
	sig, err := vonage.Sign("sha256", eventsSigSecret, params)
	if err != nil {
		t.Fatal(err)
	}
	params["sig"] = sig
	body, _ := json.Marshal(params)
	resp, err := http.Post(s.url+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
	}
}

// text sends an inbound SMS from the lead to the tenant's number.
func (s *eventsServer) text(t *testing.T, text string) {
	t.Helper()
	s.postVonage(t, webhook.VonageInboundPath, map[string]string{"msisdn": strings.TrimPrefix(eventsLeadPhone, "+"),
		"to": eventsFromNumber, "messageId": "0A" + rand.Text()[:14], "text": text, "type": "text",
		"keyword": strings.ToUpper(text), "message-timestamp": time.Now().UTC().Format("2006-01-02 15:04:05")})
}

// newTenantClient creates a tenant with one reminder rule an hour before
// each meeting, and returns a client with its key.
func newTenantClient(t *testing.T, s *eventsServer, name string) *client.Client {
	t.Helper()
	c, _ := newTenant(t, s, name)
	return c
}

// newTenant is newTenantClient that also returns the key.
func newTenant(t *testing.T, s *eventsServer, name string) (*client.Client, string) {
	t.Helper()
	ctx := context.Background()
	created, err := client.New(s.url, eventsAdminToken).CreateTenant(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(s.url, created.APIKey)
	settings, err := c.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settings.ReminderRules = []herald.ReminderRule{{Name: "1h", Offset: herald.Duration(time.Hour), Template: "meeting_reminder_1h"}}
	if _, err := c.UpdateSettings(ctx, settings); err != nil {
		t.Fatal(err)
	}
	return c, created.APIKey
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for item, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, item)
	}
	return out
}

// TestEventsReachTheTenantsSystem drives a meeting's life through the
// API, the provider's receipt and the lead's replies, and checks what the
// tenant's endpoints receive: every event signed and verifiable (by the
// client package and by the specification's own library), a filter that
// delivers only its type, a failing endpoint that gets the same webhook-id
// again, and another tenant that sees none of it.
func TestEventsReachTheTenantsSystem(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fake := vonagetest.NewServer(t)
			// The flaky path fails each event's first delivery.
			rc := newReceiver(t, func(r received, seen int) (int, bool) {
				if r.path == "/flaky" && seen == 0 {
					return http.StatusInternalServerError, false
				}
				return http.StatusNoContent, false
			})
			url, _ := eventsDB(t, dbName)
			s := startEventsServer(t, eventsEnv(url, fake, nil))
			acme, other := newTenantClient(t, s, "Acme"), newTenantClient(t, s, "Other")

			all, err := acme.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: rc.URL + "/all"},
				client.WithIdempotencyKey("endpoint-all"))
			if err != nil {
				t.Fatal(err)
			}
			cancels, err := acme.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: rc.URL + "/cancels",
				Events: []herald.EventType{herald.EventMeetingCancelled}})
			if err != nil {
				t.Fatal(err)
			}
			flaky, err := acme.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: rc.URL + "/flaky",
				Events: []herald.EventType{herald.EventMeetingBooked}})
			if err != nil {
				t.Fatal(err)
			}
			otherEP, err := other.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: rc.URL + "/other"})
			if err != nil {
				t.Fatal(err)
			}
			// A private target is refused without HERALD_WEBHOOK_ALLOW_PRIVATE;
			// here it is allowed, but never plain http to a public address.
			_, err = acme.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: "http://93.184.216.34/x"})
			if client.ErrorCode(err) != herald.ECodeURLNotAllowed {
				t.Fatalf("http to a public address: %v", err)
			}
			var problem *client.Error
			if !errors.As(err, &problem) || problem.Field != "url" || problem.Status != http.StatusUnprocessableEntity {
				t.Fatalf("problem %+v, want a 422 about the field url", problem)
			}

			lead, err := acme.CreateLead(ctx, herald.LeadInput{Name: "John", Phone: eventsLeadPhone,
				Email: "john@example.com", Timezone: "America/New_York"})
			if err != nil {
				t.Fatal(err)
			}
			// The one reminder is due two seconds from now.
			booking := herald.BookMeetingInput{LeadID: lead.ID, Title: "Product Demo",
				StartsAt: time.Now().Add(time.Hour + 2*time.Second).UTC().Truncate(time.Second), Timezone: "UTC"}
			m, err := acme.BookMeeting(ctx, booking, client.WithIdempotencyKey("booking-42"))
			if err != nil {
				t.Fatal(err)
			}
			again, err := acme.BookMeeting(ctx, booking, client.WithIdempotencyKey("booking-42"))
			if err != nil || again.ID != m.ID {
				t.Fatalf("replayed booking: %v, meeting %s, want %s", err, again.ID, m.ID)
			}
			reminderID := m.Reminders[0].ID
			waitUntil(t, "the reminder is sent", func() bool {
				r, err := acme.Reminder(ctx, reminderID)
				return err == nil && r.Status == herald.ReminderSent
			})
			part := fake.Accepted()[0]
			s.postVonage(t, webhook.VonageReceiptPath, map[string]string{"msisdn": part.To, "to": part.From,
				"network-code": "23410", "messageId": part.MessageID, "price": "0.03330000", "status": "delivered",
				"scts": "2001011400", "err-code": "0", "client-ref": part.ClientRef,
				"message-timestamp": time.Now().UTC().Format("2006-01-02 15:04:05")})
			s.text(t, "CONFIRM")
			waitUntil(t, "the meeting is confirmed", func() bool {
				got, err := acme.Meeting(ctx, m.ID)
				return err == nil && got.Status == herald.MeetingConfirmed
			})
			s.text(t, "STOP")
			if _, err := acme.CancelMeeting(ctx, m.ID); err != nil {
				t.Fatal(err)
			}

			want := []herald.EventType{herald.EventMeetingBooked, herald.EventReminderSent, herald.EventReminderDelivered,
				herald.EventInboundReceived, herald.EventMeetingConfirmed, herald.EventInboundReceived,
				herald.EventLeadOptedOut, herald.EventMeetingCancelled}
			waitUntil(t, "every event reaches /all and /cancels", func() bool {
				return len(rc.at("/all")) >= len(want) && len(rc.at("/cancels")) >= 1
			})
			got := rc.types(t, "/all", all.Secret)
			slices.Sort(got)
			sortedWant := slices.Clone(want)
			slices.Sort(sortedWant)
			if !slices.Equal(got, sortedWant) {
				t.Fatalf("/all received %v, want %v", got, want)
			}
			for _, g := range rc.at("/all") {
				wh, err := standardwebhooks.NewWebhook(all.Secret)
				if err != nil {
					t.Fatal(err)
				}
				if err := wh.Verify(g.body, g.header); err != nil {
					t.Errorf("the specification's library refuses a delivery: %v", err)
				}
				checkData(t, g)
			}
			if got := rc.types(t, "/cancels", cancels.Secret); !slices.Equal(got, []herald.EventType{herald.EventMeetingCancelled}) {
				t.Fatalf("the meeting.cancelled endpoint received %v", got)
			}

			// The flaky endpoint failed, then got the same event again.
			waitUntil(t, "the flaky endpoint gets meeting.booked again", func() bool { return len(rc.at("/flaky")) >= 2 })
			tries := rc.at("/flaky")
			if len(tries) != 2 || tries[0].header.Get("webhook-id") != tries[1].header.Get("webhook-id") {
				t.Fatalf("flaky endpoint got %d deliveries, ids %q", len(tries), tries[0].header.Get("webhook-id"))
			}
			if gap := tries[1].at.Sub(tries[0].at); gap < 4*time.Second {
				t.Errorf("the retry came %v after the failure, want about 5 s", gap)
			}
			bookedID := tries[0].header.Get("webhook-id")
			waitUntil(t, "the retry is recorded", func() bool {
				ev, err := acme.Event(ctx, bookedID)
				if err != nil {
					return false
				}
				for _, d := range ev.Deliveries {
					if d.EndpointID == flaky.ID {
						return d.Status == herald.EventDeliveryDelivered && d.Attempts == 2 &&
							d.History[0].StatusCode == 500 && d.History[1].StatusCode == 204
					}
				}
				return false
			})

			// GET /v1/events: the meeting's events, newest first, each
			// delivered to /all.
			events := collect(t, acme.Events(ctx, client.EventFilter{ObjectID: m.ID, ListOptions: client.ListOptions{Limit: 1}}))
			var types []herald.EventType
			for _, e := range events {
				types = append(types, e.Type)
			}
			wantOrder := []herald.EventType{herald.EventMeetingCancelled, herald.EventMeetingConfirmed, herald.EventMeetingBooked}
			if !slices.Equal(types, wantOrder) {
				t.Fatalf("events of the meeting: %v, want %v", types, wantOrder)
			}
			sent := collect(t, acme.Events(ctx, client.EventFilter{Type: herald.EventReminderSent}))
			if len(sent) != 1 || sent[0].ObjectID != reminderID {
				t.Fatalf("reminder.sent events: %+v", sent)
			}

			// The other tenant received nothing and sees none of it.
			if n := len(rc.at("/other")); n != 0 {
				t.Fatalf("another tenant's endpoint received %d deliveries", n)
			}
			if evs := collect(t, other.Events(ctx, client.EventFilter{})); len(evs) != 0 {
				t.Fatalf("another tenant lists %d events", len(evs))
			}
			if _, err := other.Event(ctx, bookedID); client.ErrorCode(err) != herald.ECodeNotFound {
				t.Fatalf("another tenant reads the event: %v", err)
			}
			if _, err := other.RedeliverEvent(ctx, bookedID); client.ErrorCode(err) != herald.ECodeNotFound {
				t.Fatalf("another tenant redelivers the event: %v", err)
			}
			if _, err := acme.WebhookEndpoint(ctx, otherEP.ID); client.ErrorCode(err) != herald.ECodeNotFound {
				t.Fatalf("a tenant reads another's endpoint: %v", err)
			}

			// Redelivery sends the same event again, with its id.
			before := len(rc.at("/cancels"))
			cancelled := collect(t, acme.Events(ctx, client.EventFilter{Type: herald.EventMeetingCancelled}))
			if _, err := acme.RedeliverEvent(ctx, cancelled[0].ID); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, "the redelivery", func() bool { return len(rc.at("/cancels")) > before })
			if id := rc.at("/cancels")[before].header.Get("webhook-id"); id != cancelled[0].ID {
				t.Fatalf("redelivered webhook-id %q, want %q", id, cancelled[0].ID)
			}

			metrics := scrape(t, s.url)
			for _, line := range []string{`herald_event_deliveries_total{outcome="retried",type="meeting.booked"} 1`,
				`herald_event_deliveries_total{outcome="delivered",type="reminder.delivered"} 1`,
				`herald_event_delivery_latency_seconds_count{type="meeting.booked"}`} {
				if !strings.Contains(metrics, line) {
					t.Errorf("metrics lack %s", line)
				}
			}
		})
	}
}

// checkData checks that a delivery's data is the object after the change.
func checkData(t *testing.T, g received) {
	t.Helper()
	var ev client.WebhookEvent
	if err := json.Unmarshal(g.body, &ev); err != nil {
		t.Fatal(err)
	}
	switch ev.Type {
	case herald.EventReminderDelivered:
		var r herald.Reminder
		if err := ev.DecodeData(&r); err != nil || r.DeliveryStatus != herald.DeliveryDelivered {
			t.Errorf("reminder.delivered data %s", ev.Data)
		}
	case herald.EventReminderSent:
		var r herald.Reminder
		if err := ev.DecodeData(&r); err != nil || r.Status != herald.ReminderSent || r.Provider != "vonage" {
			t.Errorf("reminder.sent data %s", ev.Data)
		}
	case herald.EventLeadOptedOut:
		var l herald.Lead
		if err := ev.DecodeData(&l); err != nil || !l.SMSOptedOut {
			t.Errorf("lead.opted_out data %s", ev.Data)
		}
	case herald.EventMeetingConfirmed, herald.EventMeetingCancelled:
		var m herald.Meeting
		wantStatus := map[herald.EventType]string{herald.EventMeetingConfirmed: herald.MeetingConfirmed,
			herald.EventMeetingCancelled: herald.MeetingCancelled}[ev.Type]
		if err := ev.DecodeData(&m); err != nil || string(m.Status) != wantStatus {
			t.Errorf("%s data %s", ev.Type, ev.Data)
		}
	case herald.EventInboundReceived:
		var msg herald.InboundMessage
		if err := ev.DecodeData(&msg); err != nil || msg.From != eventsLeadPhone || msg.Text == "" {
			t.Errorf("inbound.received data %s", ev.Data)
		}
	}
}

func scrape(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return string(raw)
}

// TestHangingEndpointDelaysNoReminder: one tenant's endpoint holds every
// request open while its reminders fall due. The reminders still go out
// on time (their own queue and workers), and another tenant's events still
// arrive (a tenant's endpoints get a quarter of the delivery workers).
func TestHangingEndpointDelaysNoReminder(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fake := vonagetest.NewServer(t)
			rc := newReceiver(t, func(r received, _ int) (int, bool) { return http.StatusNoContent, r.path == "/hang" })
			url, _ := eventsDB(t, dbName)
			s := startEventsServer(t, eventsEnv(url, fake, map[string]string{"HERALD_WEBHOOK_WORKERS": "8"}))
			// Registered after the server's, this runs first: the held
			// requests end before the server stops.
			t.Cleanup(rc.letGo)
			slow, other := newTenantClient(t, s, "Slow"), newTenantClient(t, s, "Other")
			if _, err := slow.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: rc.URL + "/hang"}); err != nil {
				t.Fatal(err)
			}
			if _, err := other.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: rc.URL + "/other"}); err != nil {
				t.Fatal(err)
			}

			const n = 20
			// Due in 6 s: like every real reminder, planned more than the job
			// engine's 5 s promotion interval ahead.
			due := time.Now().Add(6 * time.Second).Truncate(time.Second)
			var reminders []string
			for i := range n {
				lead, err := slow.CreateLead(ctx, herald.LeadInput{Name: "Lead", Phone: "+1415555" + strconv.Itoa(3000+i),
					Timezone: "UTC"})
				if err != nil {
					t.Fatal(err)
				}
				m, err := slow.BookMeeting(ctx, herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo",
					StartsAt: due.Add(time.Hour), Timezone: "UTC"})
				if err != nil {
					t.Fatal(err)
				}
				reminders = append(reminders, m.Reminders[0].ID)
			}
			waitUntil(t, "the hanging endpoint holds requests", func() bool { return len(rc.at("/hang")) >= 2 })
			// Another tenant's event while the first one's endpoint hangs.
			booked := time.Now()
			lead, err := other.CreateLead(ctx, herald.LeadInput{Name: "Jane", Email: "jane@example.com", Timezone: "UTC"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := other.BookMeeting(ctx, herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo",
				StartsAt: time.Now().Add(48 * time.Hour), Timezone: "UTC"}); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, "the other tenant's event arrives", func() bool { return len(rc.at("/other")) >= 1 })
			otherWait := rc.at("/other")[0].at.Sub(booked)

			var late []time.Duration
			waitUntil(t, "every reminder is sent", func() bool {
				late = late[:0]
				for _, id := range reminders {
					r, err := slow.Reminder(ctx, id)
					if err != nil || r.Status != herald.ReminderSent || r.SentAt == nil {
						return false
					}
					late = append(late, r.SentAt.Sub(r.ScheduledAt))
				}
				return true
			})
			slices.Sort(late)
			hanging := len(rc.at("/hang"))
			t.Logf("%s: %d reminders sent while %d requests hung: lateness p50 %v, max %v; the other tenant's event took %v",
				dbName, n, hanging, late[n/2], late[n-1], otherWait)
			// Without a queue of their own, reminders would wait for the
			// endpoint's 15 s timeout.
			if late[n-1] > 3*time.Second {
				t.Errorf("a reminder went out %v late while an endpoint hung", late[n-1])
			}
			if hanging > 2 {
				t.Errorf("the hanging tenant had %d requests in flight, want its share of 2", hanging)
			}
			if otherWait > 10*time.Second {
				t.Errorf("the other tenant's event took %v while the first one's endpoint hung", otherWait)
			}
		})
	}
}

// TestDatabaseRestartLosesNoEvent books and cancels meetings while the
// database goes away under the server: on PostgreSQL every connection of
// the server is cut, several times (as a restart of the database does);
// on SQLite, which lives in the process, the process stops and starts
// again on the same file. Every event the database holds reaches the
// endpoint, with its own id.
func TestDatabaseRestartLosesNoEvent(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fake := vonagetest.NewServer(t)
			// A little slow, so that deliveries are under way when the
			// database goes.
			rc := newReceiver(t, func(received, int) (int, bool) {
				time.Sleep(20 * time.Millisecond)
				return http.StatusNoContent, false
			})
			url, appName := eventsDB(t, dbName)
			env := eventsEnv(url, fake, map[string]string{"HERALD_WEBHOOK_WORKERS": "4", "HERALD_SHUTDOWN_TIMEOUT": "1s"})
			s := startEventsServer(t, env)
			acme, acmeKey := newTenant(t, s, "Acme")
			if _, err := acme.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: rc.URL + "/all"}); err != nil {
				t.Fatal(err)
			}
			lead, err := acme.CreateLead(ctx, herald.LeadInput{Name: "Jane", Email: "jane@example.com", Timezone: "UTC"})
			if err != nil {
				t.Fatal(err)
			}

			// Book and cancel; a request the outage breaks is sent again.
			const n = 30
			var mu sync.Mutex
			current := acme
			retry := func(what string, f func(c *client.Client) error) {
				deadline := time.Now().Add(eventsWaitTimeout)
				for {
					mu.Lock()
					c := current
					mu.Unlock()
					err := f(c)
					if err == nil {
						return
					}
					if time.Now().After(deadline) {
						t.Errorf("%s: %v", what, err)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := range n {
					var m herald.Meeting
					in := herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo " + strconv.Itoa(i),
						StartsAt: time.Now().Add(48 * time.Hour).Truncate(time.Second), Timezone: "UTC"}
					retry("book", func(c *client.Client) (err error) {
						// A booking whose answer the outage lost may have
						// been made: look before booking again.
						for found, err := range c.Meetings(ctx, client.MeetingFilter{}) {
							if err != nil {
								return err
							}
							if found.Title == in.Title {
								m = found
								return nil
							}
						}
						m, err = c.BookMeeting(ctx, in)
						return err
					})
					retry("cancel", func(c *client.Client) error {
						_, err := c.CancelMeeting(ctx, m.ID)
						return err
					})
				}
			}()

			if dbName == "postgres" {
				admin, err := sql.Open("pgx", dbtest.PostgresURL())
				if err != nil {
					t.Fatal(err)
				}
				defer admin.Close()
				for range 4 {
					time.Sleep(300 * time.Millisecond)
					var cut int
					if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
						WHERE application_name = $1`, appName).Scan(&cut); err != nil {
						t.Fatal(err)
					}
					t.Logf("cut %d connections", cut)
				}
			} else {
				time.Sleep(500 * time.Millisecond)
				s.stop()
				s = startEventsServer(t, env)
				mu.Lock()
				current = client.New(s.url, acmeKey)
				mu.Unlock()
			}
			<-done

			mu.Lock()
			c := current
			mu.Unlock()
			var stored []string
			waitUntil(t, "every stored event reaches the endpoint", func() bool {
				stored = stored[:0]
				for e, err := range c.Events(ctx, client.EventFilter{}) {
					if err != nil {
						return false
					}
					stored = append(stored, e.ID)
				}
				got := map[string]bool{}
				for _, g := range rc.at("/all") {
					got[g.header.Get("webhook-id")] = true
				}
				for _, id := range stored {
					if !got[id] {
						return false
					}
				}
				return true
			})
			if len(stored) < 2*n {
				t.Fatalf("%d events stored, want at least %d (a booking and a cancel per meeting)", len(stored), 2*n)
			}
			t.Logf("%d events stored, %d deliveries received (repeats are at-least-once retries)", len(stored),
				len(rc.at("/all")))
		})
	}
}
