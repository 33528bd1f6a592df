package tenantsms

import (
	"context"
	"fmt"

	"herald"
)

// Replies chooses the account that answers an inbound text (the STOP
// confirmation, START, HELP, the CONFIRM acknowledgement, the neutral
// answer on a shared number). The answer goes from the number the lead
// texted, through the account that owns it: a tenant's own account when
// the number is one of its own accounts' from numbers, else the
// operator's account of the provider the text came in on. It is the one
// place that choice is made.
type Replies struct {
	operator map[string]herald.Sender
	tenants  *Sender
}

// NewReplies returns the chooser of replying accounts: operator holds the
// operator's client of each configured SMS provider, by name ("vonage",
// "twilio"); tenants reads the tenants' own accounts, and may be nil when
// this process cannot use them (no operator SMS provider and no
// HERALD_SECRET_KEY), in which case only the operator's accounts answer.
func NewReplies(operator map[string]herald.Sender, tenants *Sender) *Replies {
	return &Replies{operator: operator, tenants: tenants}
}

// ReplySender returns the client that answers a text written to number
// on provider. tenantID is the tenant the text was given to, if any: when
// several tenants gave the same number as their own, its account is
// preferred. A nil sender and nil error mean no account can answer. An
// error means the number is a tenant's own but its account cannot be
// used (its credentials cannot be opened, or no longer send from that
// number): the operator's account does not answer in its place, since the
// answer would come from a number the lead did not text.
func (r *Replies) ReplySender(ctx context.Context, provider, number, tenantID string) (herald.Sender, error) {
	if r.tenants != nil {
		sender, own, err := r.tenants.ownReplySender(ctx, provider, number, tenantID)
		if err != nil || own {
			return sender, err
		}
	}
	return r.operator[provider], nil
}

// ownReplySender returns the client of the tenant's own account of
// provider that sends from number; own is false when no tenant has that
// number as its own. It reuses the client the tenant's reminders go
// through, and reads the tenant's accounts again when the cached ones no
// longer send from number.
func (s *Sender) ownReplySender(ctx context.Context, provider, number, tenantID string) (sender herald.Sender, own bool, err error) {
	sp, found, err := s.accounts.store.SealedProvidersByNumber(ctx, provider, number, tenantID)
	if err != nil || !found {
		return nil, false, err
	}
	number = herald.NormalizeNumber(number)
	for _, reread := range []bool{false, true} {
		c, err := s.entry(ctx, sp.TenantID, reread)
		if err != nil {
			return nil, true, err
		}
		if cl, ok := c.clients[provider]; ok && accountNumber(cl.account) == number {
			return cl.sender, true, nil
		}
	}
	return nil, true, fmt.Errorf("tenant %s: its own %s account no longer sends from %s", sp.TenantID, provider, number)
}

// accountNumber is the from number of a herald.VonageAccount or
// herald.TwilioAccount, as herald.NormalizeNumber writes it.
func accountNumber(account any) string {
	switch a := account.(type) {
	case herald.VonageAccount:
		return herald.NormalizeNumber(a.FromNumber)
	case herald.TwilioAccount:
		return herald.NormalizeNumber(a.FromNumber)
	}
	return ""
}
