package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"herald"
	"herald/stdwebhook"
)

// RetrySchedule is the wait before each retry of a delivery that was not
// answered with a 2xx: after the last one fails, the delivery is failed.
var RetrySchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
}

// RequestTimeout bounds one request to an endpoint.
const RequestTimeout = 15 * time.Second

// TenantHoldRecheck is how often a delivery of a disabled tenant is
// looked at again.
const TenantHoldRecheck = 30 * time.Second

// ResponseExcerpt is how much of an endpoint's answer is kept per attempt.
const ResponseExcerpt = 512

// Deliverer sends events to webhook endpoints, one delivery at a time.
type Deliverer struct {
	Store  herald.EventDeliveryStore
	Guard  *Guard
	Clock  herald.Clock
	Logger *slog.Logger
	// Metrics may be nil.
	Metrics *Metrics
	// Timeout bounds one request. Defaults to RequestTimeout.
	Timeout time.Duration
	// Retry is the wait before each retry. Defaults to RetrySchedule.
	Retry []time.Duration
	// PerTenant bounds the requests one tenant's endpoints have in flight
	// in this process, so that one tenant's slow endpoints leave the
	// queue's other workers to the other tenants. Defaults to 4.
	PerTenant int

	once    sync.Once
	clients map[string]*http.Client
	slots   tenantSlots
}

func (d *Deliverer) init() {
	d.once.Do(func() {
		if d.Timeout <= 0 {
			d.Timeout = RequestTimeout
		}
		if d.Retry == nil {
			d.Retry = RetrySchedule
		}
		if d.PerTenant <= 0 {
			d.PerTenant = 4
		}
		if d.Guard == nil {
			d.Guard = &Guard{}
		}
		if d.Clock == nil {
			d.Clock = herald.SystemClock{}
		}
		if d.Logger == nil {
			d.Logger = slog.Default()
		}
		d.clients = map[string]*http.Client{"https": d.Guard.Client("https", d.Timeout),
			"http": d.Guard.Client("http", d.Timeout)}
		d.slots = tenantSlots{limit: d.PerTenant, busy: map[string]int{}}
	})
}

// Deliver makes one attempt of a delivery when it is due. It returns how
// long to wait before the job runs again (0 when the delivery needs
// nothing more), or an error when storage failed: the job engine then
// runs the job again, and the endpoint may receive the event twice, with
// the same webhook-id.
func (d *Deliverer) Deliver(ctx context.Context, tenantID, deliveryID string) (time.Duration, error) {
	d.init()
	st, err := d.Store.LoadEventDelivery(ctx, tenantID, deliveryID)
	if herald.ErrorCode(err) == herald.ECodeNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if st.Delivery.Status != herald.EventDeliveryPending {
		return 0, nil
	}
	if st.Endpoint == nil || st.Endpoint.DisabledAt != nil {
		return 0, d.stop(ctx, tenantID, deliveryID, st.Endpoint)
	}
	if st.TenantDisabled {
		// Held, as the tenant's reminders are, until an operator enables
		// the tenant again; no attempt is counted.
		return TenantHoldRecheck, nil
	}
	if st.EarlierFirst {
		// An earlier change of the same object goes first.
		return 200*time.Millisecond + rand.N(200*time.Millisecond), nil
	}
	if !d.slots.acquire(tenantID) {
		// The tenant's share is in use: come back soon, without counting
		// an attempt.
		d.Metrics.countDeferred()
		return time.Second + rand.N(time.Second), nil
	}
	res := d.post(ctx, st)
	d.slots.release(tenantID)

	var wait time.Duration
	var outcome string
	err = d.Store.UpdateEventDelivery(ctx, tenantID, deliveryID, func(cur *herald.EventDeliveryState) error {
		wait, outcome = d.decide(cur, res)
		return nil
	})
	if err != nil {
		return 0, err
	}
	d.Metrics.observe(&st.Event, outcome, res, d.Clock.Now())
	d.Logger.InfoContext(ctx, "Event delivery attempted", "tenant", tenantID, "event", st.Event.ID,
		"type", string(st.Event.Type), "endpoint", st.Endpoint.ID, "status", res.status, "outcome", outcome,
		"duration_ms", res.duration.Milliseconds(), "error", res.err)
	return wait, nil
}

// stop ends a delivery whose endpoint was deleted or disabled.
func (d *Deliverer) stop(ctx context.Context, tenantID, deliveryID string, ep *herald.WebhookEndpoint) error {
	reason := "endpoint deleted"
	if ep != nil {
		reason = "endpoint disabled"
	}
	return d.Store.UpdateEventDelivery(ctx, tenantID, deliveryID, func(cur *herald.EventDeliveryState) error {
		if cur.Delivery.Status == herald.EventDeliveryPending {
			cur.Delivery.Status, cur.Delivery.LastError, cur.Delivery.NextAttemptAt = herald.EventDeliveryFailed, reason, nil
		}
		return nil
	})
}

// result is what one request brought back.
type result struct {
	status   int
	body     string
	err      string
	started  time.Time
	duration time.Duration
}

// post sends the event to the endpoint, signed with its secret (and, for a
// while after a rotation, with the previous one too).
func (d *Deliverer) post(ctx context.Context, st *herald.EventDeliveryState) result {
	ep, ev := st.Endpoint, st.Event
	now := d.Clock.Now()
	res := result{started: now}
	body := ev.Payload()
	secrets := []string{ep.Secret}
	if ep.PreviousSecret != "" && ep.PreviousSecretUntil != nil && now.Before(*ep.PreviousSecretUntil) {
		secrets = append(secrets, ep.PreviousSecret)
	}
	headers, err := stdwebhook.Headers(ev.ID, now, body, secrets...)
	if err != nil {
		res.err = err.Error()
		return res
	}
	var client *http.Client
	if u, err := url.Parse(ep.URL); err == nil {
		client = d.clients[u.Scheme]
	}
	if client == nil {
		res.err = "the endpoint URL is not http(s)"
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		res.err = err.Error()
		return res
	}
	req.Header = headers
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Herald-Webhooks/1")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		res.duration = time.Since(start)
		res.err = describe(err, d.Timeout)
		return res
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, ResponseExcerpt))
	// Read a little more so the connection can be reused; a long answer
	// is cut off.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	res.duration = time.Since(start)
	res.status = resp.StatusCode
	res.body = strings.ToValidUTF8(string(excerpt), "")
	return res
}

// describe says why a request got no answer, without the URL (which the
// tenant knows) repeated.
func describe(err error, timeout time.Duration) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Sprintf("no answer within %v", timeout)
		}
		err = ue.Err
	}
	return err.Error()
}

// Outcomes of an attempt, for the metrics and logs.
const (
	outcomeDelivered = "delivered"
	outcomeRetry     = "retried"
	outcomeFailed    = "failed"
)

// decide records an attempt's result on the locked delivery: a 2xx is
// delivered; a 410 fails it and disables the endpoint; anything else is
// retried on the schedule, then failed. It returns the wait before the
// next attempt.
func (d *Deliverer) decide(st *herald.EventDeliveryState, res result) (time.Duration, string) {
	dl := &st.Delivery
	if dl.Status != herald.EventDeliveryPending {
		return 0, "" // finished meanwhile (another run of the same job)
	}
	now := d.Clock.Now()
	dl.Attempts++
	dl.RoundAttempts++
	st.NewAttempt = &herald.EventAttempt{Number: dl.Attempts, StatusCode: res.status, Error: res.err,
		Response: res.body, StartedAt: res.started, DurationMS: res.duration.Milliseconds()}
	switch {
	case res.status >= 200 && res.status < 300:
		dl.Status, dl.DeliveredAt, dl.NextAttemptAt, dl.LastError = herald.EventDeliveryDelivered, &now, nil, ""
		return 0, outcomeDelivered
	case res.status == http.StatusGone:
		dl.Status, dl.NextAttemptAt, dl.LastError = herald.EventDeliveryFailed, nil, "410 Gone: endpoint disabled"
		st.DisableEndpoint = "the endpoint answered 410 Gone"
		return 0, outcomeFailed
	}
	dl.LastError = res.err
	if res.status != 0 {
		dl.LastError = fmt.Sprintf("HTTP %d", res.status)
	}
	if dl.RoundAttempts > len(d.Retry) {
		dl.Status, dl.NextAttemptAt = herald.EventDeliveryFailed, nil
		return 0, outcomeFailed
	}
	wait := d.Retry[dl.RoundAttempts-1]
	next := now.Add(wait)
	dl.NextAttemptAt = &next
	return wait, outcomeRetry
}

// tenantSlots counts each tenant's requests in flight.
type tenantSlots struct {
	mu    sync.Mutex
	limit int
	busy  map[string]int
}

func (s *tenantSlots) acquire(tenantID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[tenantID] >= s.limit {
		return false
	}
	s.busy[tenantID]++
	return true
}

func (s *tenantSlots) release(tenantID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[tenantID]--; s.busy[tenantID] <= 0 {
		delete(s.busy, tenantID)
	}
}

// Worker is the job engine's worker of delivery jobs.
type Worker struct {
	river.WorkerDefaults[DeliveryArgs]
	Deliverer *Deliverer
}

// Timeout lets a request run its full time and its outcome be saved.
func (w *Worker) Timeout(*river.Job[DeliveryArgs]) time.Duration {
	w.Deliverer.init()
	return w.Deliverer.Timeout + 10*time.Second
}

// Work makes the job's delivery attempt and snoozes the job until the next
// one is due; snoozing does not spend the engine's attempts.
func (w *Worker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	wait, err := w.Deliverer.Deliver(ctx, job.Args.TenantID, job.Args.DeliveryID)
	if err != nil {
		return err
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}
