package tenantsms

import (
	"bytes"
	"context"
	"encoding/base64"
	"slices"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/internal/sealed"
	"herald/providers"
	"herald/smsroute"
	"herald/vonage/vonagetest"
)

// memStore keeps tenants' sealed accounts in memory and counts their
// reads; a read waits for gate when one is set.
type memStore struct {
	mu      sync.Mutex
	saved   map[string]herald.SealedProviders
	version time.Time
	reads   int
	gate    chan struct{}
}

func newMemStore() *memStore {
	return &memStore{saved: map[string]herald.SealedProviders{}, version: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
}

func (m *memStore) Tenant(_ context.Context, id string) (herald.Tenant, error) {
	return herald.Tenant{ID: id}, nil
}

func (m *memStore) SaveSealedProviders(_ context.Context, sp herald.SealedProviders, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.version = m.version.Add(time.Second)
	sp.UpdatedAt = m.version
	m.saved[sp.TenantID] = sp
	return nil
}

func (m *memStore) SealedProviders(_ context.Context, tenantID string) (herald.SealedProviders, bool, error) {
	m.mu.Lock()
	m.reads++
	gate := m.gate
	m.mu.Unlock()
	if gate != nil {
		<-gate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	sp, ok := m.saved[tenantID]
	return sp, ok, nil
}

func (m *memStore) SealedProvidersByAccount(context.Context, string, string) (herald.SealedProviders, bool, error) {
	return herald.SealedProviders{}, false, nil
}

func (m *memStore) SealedProvidersByNumber(_ context.Context, provider, number, _ string) (herald.SealedProviders, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sp := range m.saved {
		if (provider == "vonage" && sp.VonageFromNumber == number) || (provider == "twilio" && sp.TwilioFromNumber == number) {
			return sp, true, nil
		}
	}
	return herald.SealedProviders{}, false, nil
}

func (m *memStore) readCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads
}

// operatorSender stands for the operator's router.
type operatorSender struct{}

func (operatorSender) Send(context.Context, *herald.Message) (herald.SendResult, error) {
	return herald.SendResult{Provider: "operator"}, nil
}

func (operatorSender) HoldSlot(_ context.Context, turn herald.SendTurn, _ bool) (herald.SendSlot, bool, error) {
	return herald.SendSlot{Turn: turn}, true, nil
}

func (operatorSender) SendHeld(ctx context.Context, _ herald.SendSlot, msg *herald.Message) (herald.SendResult, error) {
	return operatorSender{}.Send(ctx, msg)
}

type testBundle struct {
	store    *memStore
	accounts *Accounts
	sender   *Sender
	now      time.Time
	mu       sync.Mutex
}

func setup(t *testing.T, provCfg providers.Config, routing smsroute.Config) *testBundle {
	t.Helper()
	box, err := sealed.FromBase64(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, sealed.KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	b := &testBundle{store: newMemStore(), now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	b.accounts = NewAccounts(b.store, box)
	b.sender = NewSender(operatorSender{}, b.accounts, smsroute.NewDeadlinePacer(smsroute.DeadlinePacerConfig{}), provCfg, routing)
	b.sender.now = b.clock
	return b
}

func (b *testBundle) clock() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

func (b *testBundle) advance(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.now = b.now.Add(d)
}

func (b *testBundle) put(t *testing.T, tenantID string, p herald.TenantProviders) {
	t.Helper()
	if _, err := b.accounts.Put(context.Background(), tenantID, p); err != nil {
		t.Fatal(err)
	}
}

func (b *testBundle) holdSlot(t *testing.T, tenantID string) {
	t.Helper()
	if _, ok, err := b.sender.HoldSlot(context.Background(), herald.SendTurn{TenantID: tenantID}, true); err != nil || !ok {
		t.Fatalf("hold a slot of %s: ok %v, %v", tenantID, ok, err)
	}
}

// TestFromNumbersAreTheOwnAccounts: the numbers a tenant's SMS go from
// are its own accounts' once they are read, and the operator's (nil) for
// a tenant without accounts; before the first read they are not known.
func TestFromNumbersAreTheOwnAccounts(t *testing.T) {
	t.Parallel()
	b := setup(t, providers.Config{}, smsroute.Config{})
	b.put(t, "ten_own", herald.TenantProviders{
		Vonage: &herald.VonageAccount{APIKey: "key01", APISecret: "Secret-01", FromNumber: "+14155550142"},
		Twilio: &herald.TwilioAccount{AccountSID: "AC0001", AuthToken: "token01", FromNumber: "+14155550143"},
	})
	if numbers, known := b.sender.FromNumbers("ten_own"); known {
		t.Fatalf("before any read: numbers %v known", numbers)
	}
	b.holdSlot(t, "ten_own")
	numbers, known := b.sender.FromNumbers("ten_own")
	if want := []string{"+14155550142", "+14155550143"}; !known || !slices.Equal(numbers, want) {
		t.Fatalf("own accounts' numbers = %v (known %v), want %v", numbers, known, want)
	}
	// Past the cache's life the last read still answers, without I/O.
	b.advance(2 * DefaultTTL)
	if numbers, known := b.sender.FromNumbers("ten_own"); !known || len(numbers) != 2 {
		t.Fatalf("after the cache's life: %v (known %v)", numbers, known)
	}

	b.holdSlot(t, "ten_operator")
	if numbers, known := b.sender.FromNumbers("ten_operator"); !known || numbers != nil {
		t.Fatalf("a tenant without accounts: %v (known %v), want the operator's (nil, known)", numbers, known)
	}
}

// TestExpiredAccountsAreReadOnceForConcurrentSends: the sends that find a
// tenant's cache entry expired together wait for one read of its accounts
// and all go through the one router built from it.
func TestExpiredAccountsAreReadOnceForConcurrentSends(t *testing.T) {
	t.Parallel()
	b := setup(t, providers.Config{}, smsroute.Config{})
	account := herald.VonageAccount{APIKey: "key01", APISecret: "Secret-01", FromNumber: "+14155550142"}
	b.put(t, "ten_own", herald.TenantProviders{Vonage: &account})
	b.holdSlot(t, "ten_own")
	account.RateLimit = 5 // changed: the next read builds a new router
	b.put(t, "ten_own", herald.TenantProviders{Vonage: &account})
	b.advance(DefaultTTL)

	const sends = 8
	reads := b.store.readCount()
	gate := make(chan struct{})
	b.store.mu.Lock()
	b.store.gate = gate
	b.store.mu.Unlock()
	routers := make(chan herald.PacedSender, sends)
	errs := make(chan error, sends)
	for range sends {
		go func() {
			r, _, err := b.sender.route(context.Background(), "ten_own", true)
			errs <- err
			routers <- r
		}()
	}
	// The read is held until every send has asked for one, or for a
	// while: with one read for all, the others never ask.
	asked := func() int { return b.store.readCount() - reads }
	for giveUp := time.Now().Add(300 * time.Millisecond); asked() < sends && time.Now().Before(giveUp); {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	var first herald.PacedSender
	for range sends {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		r := <-routers
		if first == nil {
			first = r
		}
		if r != first {
			t.Error("concurrent sends went through different routers")
		}
	}
	if got := b.store.readCount() - reads; got != 1 {
		t.Errorf("%d concurrent sends read the accounts %d times, want once", sends, got)
	}
}

// TestUnchangedAccountKeepsItsBreaker: a change to one of a tenant's
// accounts leaves the other's circuit as it was (open after failures,
// so its sends skip it), while a changed account starts afresh.
func TestUnchangedAccountKeepsItsBreaker(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{HTTPStatus: 503, Body: "down"} })
	b := setup(t, providers.Config{VonageBaseURL: fake.URL}, smsroute.Config{BreakerFailures: 1, BreakerPause: time.Hour})
	own := herald.TenantProviders{
		Vonage: &herald.VonageAccount{APIKey: vonagetest.APIKey, APISecret: vonagetest.APISecret, FromNumber: "+14155550142"},
	}
	b.put(t, "ten_own", own)
	if _, err := b.sender.Send(context.Background(), &herald.Message{TenantID: "ten_own", To: "+14155552671", Text: "Hi"}); err == nil {
		t.Fatal("a send to a provider that is down succeeded")
	}
	circuit := func(step string) string {
		t.Helper()
		r, _, err := b.sender.route(context.Background(), "ten_own", true)
		if err != nil {
			t.Fatal(err)
		}
		router, ok := r.(*smsroute.Router)
		if !ok {
			t.Fatalf("%s: the tenant sends through %T, not its own router", step, r)
		}
		return router.CircuitState("vonage")
	}
	if got := circuit("after the failure"); got != "open" {
		t.Fatalf("Vonage circuit after a failure = %s, want open", got)
	}

	own.Twilio = &herald.TwilioAccount{AccountSID: "AC0001", AuthToken: "token01", FromNumber: "+14155550143"}
	b.put(t, "ten_own", own)
	b.advance(DefaultTTL)
	if got := circuit("after Twilio was added"); got != "open" {
		t.Errorf("Vonage circuit after a change to Twilio only = %s, want still open", got)
	}

	changed := *own.Vonage
	changed.APISecret = "Secret-654321"
	own.Vonage = &changed
	b.put(t, "ten_own", own)
	b.advance(DefaultTTL)
	if got := circuit("after Vonage changed"); got != "closed" {
		t.Errorf("Vonage circuit after its account changed = %s, want closed (a new account)", got)
	}
}
