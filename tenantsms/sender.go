package tenantsms

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"herald"
	"herald/providers"
	"herald/smsroute"
	"herald/twilio"
	"herald/vonage"
)

// Sender is the SMS sender of the worker: a tenant with its own accounts
// sends through a router of its own (its accounts, in the operator's
// order, each with its own pace and circuit breaker); every other tenant
// through the operator's router, when the operator has one.
type Sender struct {
	operator herald.PacedSender
	accounts *Accounts
	pacer    *smsroute.DeadlinePacer
	provCfg  providers.Config
	routing  smsroute.Config
	ttl      time.Duration
	now      func() time.Time
	// loads reads a tenant's accounts once for all the sends that find
	// its cache entry expired together.
	loads singleflight.Group

	mu    sync.Mutex
	cache map[string]*cached
}

// cached is what a tenant sends through, as read at loaded.
type cached struct {
	router *smsroute.Router // nil: the operator's
	// clients are the router's provider clients by provider name, with
	// the account each was made for.
	clients map[string]client
	// numbers are the own accounts' from numbers, as
	// herald.NormalizeNumber writes them; nil with the operator's router.
	numbers []string
	version time.Time
	loaded  time.Time
}

// client is a provider client of a tenant's router and the account
// (a herald.VonageAccount or herald.TwilioAccount) it was made for.
type client struct {
	account any
	sender  herald.Sender
}

var (
	_ herald.PacedSender   = (*Sender)(nil)
	_ herald.TenantNumbers = (*Sender)(nil)
	_ herald.TenantSMS     = (*Sender)(nil)
)

// DefaultTTL is how long a tenant's accounts are used as read before they
// are read again: a change through the admin API takes effect within it.
const DefaultTTL = 30 * time.Second

// loadTimeout bounds one read of a tenant's accounts, which the sends
// waiting on it share: it does not end with the context of the send that
// started it.
const loadTimeout = 10 * time.Second

// NewSender returns a Sender over the operator's router; a nil operator
// (the operator has no SMS provider) lets only the tenants with accounts
// of their own send SMS. routing tunes
// the tenants' routers as it tuned the operator's; their paces live in
// pacer under the account names "<tenant id>/vonage" and "<tenant id>/twilio".
func NewSender(operator herald.PacedSender, accounts *Accounts, pacer *smsroute.DeadlinePacer, provCfg providers.Config, routing smsroute.Config) *Sender {
	return &Sender{operator: operator, accounts: accounts, pacer: pacer, provCfg: provCfg, routing: routing,
		ttl: DefaultTTL, now: time.Now, cache: map[string]*cached{}}
}

// route returns the sender of a tenant. With load false it answers only
// from what is cached, doing no I/O, and ok is false when it does not
// know. The sends that find the tenant's entry expired together wait for
// one read, and for one router when its accounts changed.
func (s *Sender) route(ctx context.Context, tenantID string, load bool) (herald.PacedSender, bool, error) {
	if c := s.fresh(tenantID); c != nil {
		return s.pick(c), true, nil
	}
	if !load {
		return nil, false, nil
	}
	c, err := s.entry(ctx, tenantID, false)
	if err != nil {
		return nil, false, err
	}
	return s.pick(c), true, nil
}

// entry returns what a tenant sends through: the cached entry while it is
// fresh, else (or, with reread, always) one read of its accounts shared by
// every caller that asks meanwhile.
func (s *Sender) entry(ctx context.Context, tenantID string, reread bool) (*cached, error) {
	if c := s.fresh(tenantID); c != nil && !reread {
		return c, nil
	}
	loaded := s.loads.DoChan(tenantID, func() (any, error) {
		if c := s.fresh(tenantID); c != nil && !reread {
			return c, nil // read by a load that ended just now
		}
		loadCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		return s.load(loadCtx, tenantID)
	})
	select {
	case res := <-loaded:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*cached), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fresh returns the tenant's cache entry while it is younger than the
// TTL, else nil.
func (s *Sender) fresh(tenantID string) *cached {
	s.mu.Lock()
	c := s.cache[tenantID]
	s.mu.Unlock()
	if c != nil && s.now().Sub(c.loaded) < s.ttl {
		return c
	}
	return nil
}

// load reads a tenant's accounts and caches what it sends through. An
// unchanged version keeps the router; a changed one gets a new router in
// which each unchanged account keeps its client and circuit breaker (its
// pace lives in the pacer, by account name).
func (s *Sender) load(ctx context.Context, tenantID string) (*cached, error) {
	sp, found, err := s.accounts.store.SealedProviders(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	prev := s.cache[tenantID]
	s.mu.Unlock()
	next := &cached{loaded: s.now()}
	if found {
		next.version = sp.UpdatedAt
		if prev != nil && prev.router != nil && prev.version.Equal(sp.UpdatedAt) {
			next.router, next.clients, next.numbers = prev.router, prev.clients, prev.numbers
		} else {
			p, err := s.accounts.open(sp)
			if err != nil {
				return nil, err
			}
			if err := s.build(tenantID, p, prev, next); err != nil {
				return nil, err
			}
			next.numbers = fromNumbers(p)
		}
	}
	s.mu.Lock()
	s.cache[tenantID] = next
	s.mu.Unlock()
	return next, nil
}

// FromNumbers implements herald.TenantNumbers from what was last read of
// the tenant's accounts, even past the cache's life: a claim made after a
// long wait for its slot is judged by the accounts read for that wait.
func (s *Sender) FromNumbers(tenantID string) ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cache[tenantID]
	if c == nil {
		return nil, false
	}
	return c.numbers, true
}

// SMSAvailable implements herald.TenantSMS: every tenant can send when
// the operator has a router; otherwise only the tenants with accounts of
// their own, as last read (even past the cache's life, as FromNumbers).
func (s *Sender) SMSAvailable(tenantID string) (available, known bool) {
	if s.operator != nil {
		return true, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cache[tenantID]
	if c == nil {
		return false, false
	}
	return c.router != nil, true
}

// errNoSMS answers a send for a tenant that has no way to send SMS: no
// account of its own, and no operator's router.
func errNoSMS(tenantID string) error {
	return &herald.SendError{Provider: smsroute.Name, Kind: herald.SendPermanent,
		Message: "tenant " + tenantID + " has no SMS provider account of its own and the operator has none"}
}

// fromNumbers returns the numbers a tenant's own accounts send from.
func fromNumbers(p herald.TenantProviders) []string {
	var out []string
	if p.Vonage != nil {
		out = append(out, herald.NormalizeNumber(p.Vonage.FromNumber))
	}
	if p.Twilio != nil {
		out = append(out, herald.NormalizeNumber(p.Twilio.FromNumber))
	}
	return out
}

// pick returns what a tenant sends through; nil when it has no accounts
// of its own and the operator has no router.
func (s *Sender) pick(c *cached) herald.PacedSender {
	if c.router != nil {
		return c.router
	}
	return s.operator
}

// build makes a tenant's router into next: its accounts in the operator's
// provider order (Vonage first by default), each paced on its own. An
// account as it was in prev keeps its client, and so its breaker.
func (s *Sender) build(tenantID string, p herald.TenantProviders, prev, next *cached) error {
	prefix := tenantID + "/"
	next.clients = map[string]client{}
	limits := map[string]float64{}
	reuse := func(name string, account any) bool {
		if prev == nil {
			return false
		}
		if old, ok := prev.clients[name]; ok && old.account == account {
			next.clients[name] = old
			return true
		}
		return false
	}
	if v := p.Vonage; v != nil {
		limits[vonage.Name] = v.RateLimit
		if !reuse(vonage.Name, *v) {
			c, err := vonage.New(vonage.Config{BaseURL: s.provCfg.VonageBaseURL, APIKey: v.APIKey, APISecret: v.APISecret,
				From: v.FromNumber, PublicURL: s.provCfg.PublicURL})
			if err != nil {
				return fmt.Errorf("tenant %s: %w", tenantID, err)
			}
			next.clients[vonage.Name] = client{account: *v, sender: c}
		}
	}
	if t := p.Twilio; t != nil {
		limits[twilio.Name] = t.RateLimit
		if !reuse(twilio.Name, *t) {
			c, err := twilio.New(twilio.Config{BaseURL: s.provCfg.TwilioBaseURL, AccountSID: t.AccountSID, AuthToken: t.AuthToken,
				From: t.FromNumber, PublicURL: s.provCfg.PublicURL})
			if err != nil {
				return fmt.Errorf("tenant %s: %w", tenantID, err)
			}
			next.clients[twilio.Name] = client{account: *t, sender: c}
		}
	}
	order := append([]string(nil), s.provCfg.SMSOrder...)
	for _, name := range []string{vonage.Name, twilio.Name} {
		if !contains(order, name) {
			order = append(order, name)
		}
	}
	routing := s.routing
	routing.Providers = nil
	routing.Pacer = s.pacer.Account(prefix)
	if prev != nil {
		routing.Replaces = prev.router
	}
	for _, name := range order {
		if c, ok := next.clients[name]; ok {
			s.pacer.SetLimit(prefix+name, limits[name])
			routing.Providers = append(routing.Providers, smsroute.Provider{Name: name, Sender: c.sender, RateLimit: limits[name]})
		}
	}
	var err error
	next.router, err = smsroute.New(routing)
	return err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Send implements herald.Sender.
func (s *Sender) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	r, _, err := s.route(ctx, msg.TenantID, true)
	if err != nil {
		return herald.SendResult{}, &herald.SendError{Provider: smsroute.Name, Kind: herald.SendTransient, Message: err.Error()}
	}
	if r == nil {
		return herald.SendResult{}, errNoSMS(msg.TenantID)
	}
	return r.Send(ctx, msg)
}

// HoldSlot implements herald.PacedSender. Without a wait it answers from
// what it knows of the tenant: it may run inside a transaction.
func (s *Sender) HoldSlot(ctx context.Context, turn herald.SendTurn, wait bool) (herald.SendSlot, bool, error) {
	r, ok, err := s.route(ctx, turn.TenantID, wait)
	if err != nil {
		return herald.SendSlot{}, false, &herald.SendError{Provider: smsroute.Name, Kind: herald.SendThrottled,
			RetryAfter: time.Second, Message: err.Error()}
	}
	if !ok {
		return herald.SendSlot{}, false, nil
	}
	if r == nil {
		// Nothing to call, so no slot to wait for: the caller learns
		// from SMSAvailable that the tenant's SMS cannot go.
		return herald.SendSlot{}, true, nil
	}
	return r.HoldSlot(ctx, turn, wait)
}

// SendHeld implements herald.PacedSender.
func (s *Sender) SendHeld(ctx context.Context, slot herald.SendSlot, msg *herald.Message) (herald.SendResult, error) {
	r, _, err := s.route(ctx, msg.TenantID, true)
	if err != nil {
		return herald.SendResult{}, &herald.SendError{Provider: smsroute.Name, Kind: herald.SendTransient, Message: err.Error()}
	}
	if r == nil {
		return herald.SendResult{}, errNoSMS(msg.TenantID)
	}
	return r.SendHeld(ctx, slot, msg)
}
