package tenantsms

import (
	"context"
	"fmt"
	"sync"
	"time"

	"herald"
	"herald/providers"
	"herald/smsroute"
	"herald/twilio"
	"herald/vonage"
)

// Sender is the SMS sender of the worker: a tenant with its own accounts
// sends through a router of its own (its accounts, in the operator's
// order, each with its own pace and circuit breaker); every other tenant
// through the operator's router.
type Sender struct {
	operator herald.PacedSender
	accounts *Accounts
	pacer    *smsroute.DeadlinePacer
	provCfg  providers.Config
	routing  smsroute.Config
	ttl      time.Duration
	now      func() time.Time

	mu    sync.Mutex
	cache map[string]*cached
}

// cached is what a tenant sends through, as read at loaded.
type cached struct {
	router *smsroute.Router // nil: the operator's
	// numbers are the own accounts' from numbers, as
	// herald.NormalizeNumber writes them; nil with the operator's router.
	numbers []string
	version time.Time
	loaded  time.Time
}

var (
	_ herald.PacedSender   = (*Sender)(nil)
	_ herald.TenantNumbers = (*Sender)(nil)
)

// DefaultTTL is how long a tenant's accounts are used as read before they
// are read again: a change through the admin API takes effect within it.
const DefaultTTL = 30 * time.Second

// NewSender returns a Sender over the operator's router. routing tunes
// the tenants' routers as it tuned the operator's; their paces live in
// pacer under the account names "<tenant id>/vonage" and "<tenant id>/twilio".
func NewSender(operator herald.PacedSender, accounts *Accounts, pacer *smsroute.DeadlinePacer, provCfg providers.Config, routing smsroute.Config) *Sender {
	return &Sender{operator: operator, accounts: accounts, pacer: pacer, provCfg: provCfg, routing: routing,
		ttl: DefaultTTL, now: time.Now, cache: map[string]*cached{}}
}

// route returns the sender of a tenant. With load false it answers only
// from what is cached, doing no I/O, and ok is false when it does not
// know.
func (s *Sender) route(ctx context.Context, tenantID string, load bool) (herald.PacedSender, bool, error) {
	s.mu.Lock()
	c := s.cache[tenantID]
	s.mu.Unlock()
	if c != nil && s.now().Sub(c.loaded) < s.ttl {
		return s.pick(c), true, nil
	}
	if !load {
		return nil, false, nil
	}
	sp, found, err := s.accounts.store.SealedProviders(ctx, tenantID)
	if err != nil {
		return nil, false, err
	}
	next := &cached{loaded: s.now()}
	if found {
		next.version = sp.UpdatedAt
		if c != nil && c.router != nil && c.version.Equal(sp.UpdatedAt) {
			next.router, next.numbers = c.router, c.numbers // unchanged: keep its breakers
		} else {
			p, err := s.accounts.open(sp)
			if err != nil {
				return nil, false, err
			}
			if next.router, err = s.build(tenantID, p); err != nil {
				return nil, false, err
			}
			next.numbers = fromNumbers(p)
		}
	}
	s.mu.Lock()
	s.cache[tenantID] = next
	s.mu.Unlock()
	return s.pick(next), true, nil
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

func (s *Sender) pick(c *cached) herald.PacedSender {
	if c.router != nil {
		return c.router
	}
	return s.operator
}

// build makes a tenant's router: its accounts in the operator's provider
// order (Vonage first by default), each paced on its own.
func (s *Sender) build(tenantID string, p herald.TenantProviders) (*smsroute.Router, error) {
	prefix := tenantID + "/"
	clients := map[string]herald.Sender{}
	limits := map[string]float64{}
	if v := p.Vonage; v != nil {
		c, err := vonage.New(vonage.Config{BaseURL: s.provCfg.VonageBaseURL, APIKey: v.APIKey, APISecret: v.APISecret,
			From: v.FromNumber, PublicURL: s.provCfg.PublicURL})
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", tenantID, err)
		}
		clients[vonage.Name], limits[vonage.Name] = c, v.RateLimit
	}
	if t := p.Twilio; t != nil {
		c, err := twilio.New(twilio.Config{BaseURL: s.provCfg.TwilioBaseURL, AccountSID: t.AccountSID, AuthToken: t.AuthToken,
			From: t.FromNumber, PublicURL: s.provCfg.PublicURL})
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", tenantID, err)
		}
		clients[twilio.Name], limits[twilio.Name] = c, t.RateLimit
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
	for _, name := range order {
		if c := clients[name]; c != nil {
			s.pacer.SetLimit(prefix+name, limits[name])
			routing.Providers = append(routing.Providers, smsroute.Provider{Name: name, Sender: c, RateLimit: limits[name]})
		}
	}
	return smsroute.New(routing)
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
	return r.HoldSlot(ctx, turn, wait)
}

// SendHeld implements herald.PacedSender.
func (s *Sender) SendHeld(ctx context.Context, slot herald.SendSlot, msg *herald.Message) (herald.SendResult, error) {
	r, _, err := s.route(ctx, msg.TenantID, true)
	if err != nil {
		return herald.SendResult{}, &herald.SendError{Provider: smsroute.Name, Kind: herald.SendTransient, Message: err.Error()}
	}
	return r.SendHeld(ctx, slot, msg)
}
