package outbound_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/outbound"
	"herald/schedule"
	"herald/sqlstore"
	"herald/stdwebhook"
)

// bundle is a store with one tenant, one endpoint at a test receiver, and
// one booked meeting whose meeting.booked event waits for delivery.
type bundle struct {
	store    *sqlstore.Store
	clock    *clocktest.Clock
	tenant   herald.Tenant
	endpoint herald.WebhookEndpoint
	meeting  string
	delivery string
	d        *outbound.Deliverer
}

func setup(t *testing.T, db *sqlstore.DB, url string, guard *outbound.Guard) *bundle {
	t.Helper()
	ctx := context.Background()
	client, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(time.Now().UTC().Truncate(time.Second))
	store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{Clock: clock, Events: outbound.NewJobs(client)})
	tenant, _, err := store.CreateTenant(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	// The endpoint is stored as is: the guard is tested at delivery.
	ep, err := store.CreateWebhookEndpoint(ctx, tenant.ID, herald.WebhookEndpointInput{URL: url,
		Secret: herald.NewWebhookSecret(), Events: []herald.EventType{herald.EventMeetingBooked, herald.EventMeetingCancelled}})
	if err != nil {
		t.Fatal(err)
	}
	lead, err := store.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: "Jane", Email: "jane@example.com", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := store.BookMeeting(ctx, tenant.ID, herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo",
		StartsAt: clock.Now().Add(48 * time.Hour)}, herald.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	page, err := store.ListEvents(ctx, tenant.ID, herald.EventFilter{ObjectID: m.ID})
	if err != nil || len(page.Items) != 1 || len(page.Items[0].Deliveries) != 1 {
		t.Fatalf("events %+v (%v)", page, err)
	}
	d := &outbound.Deliverer{Store: store, Guard: guard, Clock: clock, Logger: slog.New(slog.DiscardHandler),
		Timeout: 2 * time.Second}
	return &bundle{store: store, clock: clock, tenant: tenant, endpoint: ep, meeting: m.ID,
		delivery: page.Items[0].Deliveries[0].ID, d: d}
}

func (b *bundle) state(t *testing.T) *herald.EventDeliveryState {
	t.Helper()
	st, err := b.store.LoadEventDelivery(context.Background(), b.tenant.ID, b.delivery)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (b *bundle) history(t *testing.T) []herald.EventAttempt {
	t.Helper()
	st := b.state(t)
	ev, err := b.store.Event(context.Background(), b.tenant.ID, st.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ev.Deliveries[0].History
}

var loopback = &outbound.Guard{AllowPrivate: true}

// TestRetryScheduleThenFailed: an endpoint that always answers 500 is
// tried eight times, the waits between following the schedule, and the
// delivery then fails; every try carries the same webhook-id and a
// signature the endpoint's secret verifies.
func TestRetryScheduleThenFailed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		var ids []string
		var b *bundle
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if err := stdwebhook.Verify(b.endpoint.Secret, r.Header, body, b.clock.Now(), time.Minute); err != nil {
				t.Errorf("delivery does not verify: %v", err)
			}
			ids = append(ids, r.Header.Get("webhook-id"))
			http.Error(w, strings.Repeat("x", 4000), http.StatusInternalServerError)
		}))
		defer srv.Close()
		b = setup(t, db, srv.URL+"/hook", loopback)
		var waits []time.Duration
		for {
			wait, err := b.d.Deliver(context.Background(), b.tenant.ID, b.delivery)
			if err != nil {
				t.Fatal(err)
			}
			if wait == 0 {
				break
			}
			waits = append(waits, wait)
			b.clock.Advance(wait)
		}
		if len(waits) != len(outbound.RetrySchedule) {
			t.Fatalf("waits %v, want %v", waits, outbound.RetrySchedule)
		}
		for i, w := range waits {
			if w != outbound.RetrySchedule[i] {
				t.Fatalf("wait %d = %v, want %v", i+1, w, outbound.RetrySchedule[i])
			}
		}
		st := b.state(t)
		if st.Delivery.Status != herald.EventDeliveryFailed || st.Delivery.Attempts != 8 || len(ids) != 8 {
			t.Fatalf("delivery %+v after %d requests", st.Delivery, len(ids))
		}
		for _, id := range ids {
			if id != st.Event.ID {
				t.Fatalf("webhook-id %q, want the event's id %q every time", id, st.Event.ID)
			}
		}
		h := b.history(t)
		if len(h) != 8 || h[0].StatusCode != 500 || len(h[0].Response) != outbound.ResponseExcerpt {
			t.Fatalf("history %d attempts, first %+v: want the status and a %d-byte excerpt", len(h), h[0],
				outbound.ResponseExcerpt)
		}
		// A later run of the same job finds the delivery finished.
		if wait, err := b.d.Deliver(context.Background(), b.tenant.ID, b.delivery); wait != 0 || err != nil || len(ids) != 8 {
			t.Fatalf("a finished delivery was tried again (%v, %v)", wait, err)
		}
	})
}

// TestGoneDisablesTheEndpoint: a 410 fails the delivery and disables the
// endpoint; its other deliveries stop without a request.
func TestGoneDisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusGone)
		}))
		defer srv.Close()
		b := setup(t, db, srv.URL, loopback)
		if wait, err := b.d.Deliver(context.Background(), b.tenant.ID, b.delivery); wait != 0 || err != nil {
			t.Fatalf("Deliver = %v, %v", wait, err)
		}
		ep, err := b.store.WebhookEndpoint(context.Background(), b.tenant.ID, b.endpoint.ID)
		if err != nil || ep.DisabledAt == nil || ep.DisabledReason == "" {
			t.Fatalf("endpoint %+v (%v), want it disabled", ep, err)
		}
		if st := b.state(t); st.Delivery.Status != herald.EventDeliveryFailed {
			t.Fatalf("delivery %+v", st.Delivery)
		}
		// Redelivery goes nowhere while the endpoint is disabled.
		st := b.state(t)
		if ev, err := b.store.RedeliverEvent(context.Background(), b.tenant.ID, st.Event.ID); err != nil ||
			ev.Deliveries[0].Status != herald.EventDeliveryFailed {
			t.Fatalf("redelivered %+v (%v)", ev, err)
		}
		if calls.Load() != 1 {
			t.Fatalf("%d requests, want 1", calls.Load())
		}
	})
}

// TestSlowEndpointTimesOut: no answer within the timeout is a failed try,
// retried.
func TestSlowEndpointTimesOut(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		b := setup(t, db, srv.URL, loopback)
		b.d.Timeout = 200 * time.Millisecond
		wait, err := b.d.Deliver(context.Background(), b.tenant.ID, b.delivery)
		if err != nil || wait != outbound.RetrySchedule[0] {
			t.Fatalf("Deliver = %v, %v", wait, err)
		}
		h := b.history(t)
		if len(h) != 1 || h[0].StatusCode != 0 || !strings.Contains(h[0].Error, "no answer within") {
			t.Fatalf("history %+v", h)
		}
	})
}

// rebinding resolves every name to loopback, as a DNS record changed after
// the endpoint was saved would.
type rebinding struct{}

func (rebinding) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

// TestGuardChecksTheAddressDialled: an endpoint whose name now leads to
// loopback is refused at the dial, and its receiver never hears of it.
func TestGuardChecksTheAddressDialled(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		var calls atomic.Int32
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
		defer srv.Close()
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
		b := setup(t, db, "https://localhost:"+port+"/hook", &outbound.Guard{Resolver: rebinding{}})
		if _, err := b.d.Deliver(context.Background(), b.tenant.ID, b.delivery); err != nil {
			t.Fatal(err)
		}
		h := b.history(t)
		if len(h) != 1 || !strings.Contains(h[0].Error, "private, loopback or link-local") || calls.Load() != 0 {
			t.Fatalf("history %+v, %d requests reached the receiver", h, calls.Load())
		}
		if _, err := (&outbound.Guard{Resolver: rebinding{}}).CheckURL(context.Background(),
			"https://hooks.example.com/x"); herald.ErrorCode(err) != herald.ECodeURLNotAllowed {
			t.Fatalf("CheckURL of a name that resolves to loopback: %v", err)
		}
	})
}

func TestGuardAddresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	strict, open := &outbound.Guard{}, &outbound.Guard{AllowPrivate: true}
	cases := []struct {
		url          string
		strict, open string // the code each guard answers, "" for allowed
	}{
		{"https://93.184.216.34/h", "", ""},
		{"http://93.184.216.34/h", herald.ECodeURLNotAllowed, herald.ECodeURLNotAllowed},
		{"https://127.0.0.1/h", herald.ECodeURLNotAllowed, ""},
		{"http://127.0.0.1:8080/h", herald.ECodeURLNotAllowed, ""},
		{"http://10.0.0.7/h", herald.ECodeURLNotAllowed, ""},
		{"http://192.168.1.2/h", herald.ECodeURLNotAllowed, ""},
		{"https://169.254.169.254/latest", herald.ECodeURLNotAllowed, ""},
		{"https://[fe80::1]/h", herald.ECodeURLNotAllowed, ""},
		{"https://[::ffff:127.0.0.1]/h", herald.ECodeURLNotAllowed, ""},
		{"https://100.64.0.1/h", herald.ECodeURLNotAllowed, ""},
		{"https://[::127.0.0.1]/h", herald.ECodeURLNotAllowed, ""},
		{"https://[64:ff9b:1::7f00:1]/h", herald.ECodeURLNotAllowed, ""},
		{"https://[2606:4700::6810:84e5]/h", "", ""},
		{"https://0.0.0.0/h", herald.ECodeURLNotAllowed, herald.ECodeURLNotAllowed},
		{"https://224.0.0.1/h", herald.ECodeURLNotAllowed, herald.ECodeURLNotAllowed},
		{"ftp://93.184.216.34/h", herald.ECodeInvalidURL, herald.ECodeInvalidURL},
		{"/relative", herald.ECodeInvalidURL, herald.ECodeInvalidURL},
	}
	for _, c := range cases {
		for _, g := range []struct {
			guard *outbound.Guard
			want  string
		}{{strict, c.strict}, {open, c.open}} {
			_, err := g.guard.CheckURL(ctx, c.url)
			if got := herald.ErrorCode(err); err != nil && got != g.want || err == nil && g.want != "" {
				t.Errorf("%s (allow private %v): %v, want %q", c.url, g.guard.AllowPrivate, err, g.want)
			}
		}
	}
}

// TestAnObjectsEventsGoInOrder: a meeting's cancellation waits while its
// booking has not had its first try at the same endpoint.
func TestAnObjectsEventsGoInOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		var got []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var ev struct{ Type string }
			body, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(body, &ev)
			got = append(got, ev.Type)
		}))
		defer srv.Close()
		b := setup(t, db, srv.URL, loopback)
		ctx := context.Background()
		if _, err := b.store.CancelMeeting(ctx, b.tenant.ID, b.meeting); err != nil {
			t.Fatal(err)
		}
		page, err := b.store.ListEvents(ctx, b.tenant.ID, herald.EventFilter{Type: herald.EventMeetingCancelled})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("events %+v (%v)", page, err)
		}
		cancelled := page.Items[0].Deliveries[0].ID
		if wait, err := b.d.Deliver(ctx, b.tenant.ID, cancelled); err != nil || wait == 0 || len(got) != 0 {
			t.Fatalf("the cancellation went first (wait %v, %v, sent %v)", wait, err, got)
		}
		for _, id := range []string{b.delivery, cancelled} {
			if wait, err := b.d.Deliver(ctx, b.tenant.ID, id); err != nil || wait != 0 {
				t.Fatalf("Deliver = %v, %v", wait, err)
			}
		}
		if want := []string{"meeting.booked", "meeting.cancelled"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("received %v, want %v", got, want)
		}
	})
}

// TestDisabledTenantsDeliveriesAreHeld: while an operator has the tenant
// disabled, its deliveries make no request and count no attempt; once it
// is enabled again they go.
func TestDisabledTenantsDeliveriesAreHeld(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		b := setup(t, db, srv.URL, loopback)
		ctx := context.Background()
		if _, err := b.store.SetTenantDisabled(ctx, b.tenant.ID, true); err != nil {
			t.Fatal(err)
		}
		if wait, err := b.d.Deliver(ctx, b.tenant.ID, b.delivery); wait != outbound.TenantHoldRecheck || err != nil {
			t.Fatalf("Deliver = %v, %v; want it held", wait, err)
		}
		if st := b.state(t); calls.Load() != 0 || st.Delivery.Status != herald.EventDeliveryPending || st.Delivery.Attempts != 0 {
			t.Fatalf("%d requests, delivery %+v; want none and still pending", calls.Load(), st.Delivery)
		}
		if _, err := b.store.SetTenantDisabled(ctx, b.tenant.ID, false); err != nil {
			t.Fatal(err)
		}
		if wait, err := b.d.Deliver(ctx, b.tenant.ID, b.delivery); wait != 0 || err != nil {
			t.Fatalf("Deliver = %v, %v", wait, err)
		}
		if st := b.state(t); calls.Load() != 1 || st.Delivery.Status != herald.EventDeliveryDelivered {
			t.Fatalf("%d requests, delivery %+v; want it delivered once", calls.Load(), st.Delivery)
		}
	})
}
