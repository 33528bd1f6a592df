package tenantsms

import (
	"context"
	"fmt"
	"time"

	"herald"
	"herald/smsroute"
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
	// pacer, when set, paces the answers with the reminders of the same
	// account.
	pacer *smsroute.DeadlinePacer
}

// NewReplies returns the chooser of replying accounts: operator holds the
// operator's client of each configured SMS provider, by name ("vonage",
// "twilio"); tenants reads the tenants' own accounts, and may be nil when
// this process cannot use them (no operator SMS provider and no
// HERALD_SECRET_KEY), in which case only the operator's accounts answer.
func NewReplies(operator map[string]herald.Sender, tenants *Sender) *Replies {
	return &Replies{operator: operator, tenants: tenants}
}

// Paced has the answers take their slots of pacer, the one the reminders
// of each account go through ("vonage", "<tenant id>/vonage"), so that a
// burst of texts (a STOP to every lead of a campaign) neither goes over an
// account's limit nor takes its reminders' slots unpaced. An answer goes
// before the reminders waiting for the same account.
func (r *Replies) Paced(pacer *smsroute.DeadlinePacer) *Replies {
	r.pacer = pacer
	return r
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
		sender, account, err := r.tenants.ownReplySender(ctx, provider, number, tenantID)
		if err != nil || account != "" {
			return r.paced(sender, account), err
		}
	}
	sender := r.operator[provider]
	if sender == nil {
		return nil, nil
	}
	return r.paced(sender, provider), nil
}

// paced returns sender taking its slots of account, when a pacer is set.
func (r *Replies) paced(sender herald.Sender, account string) herald.Sender {
	if r.pacer == nil || sender == nil {
		return sender
	}
	return pacedReply{sender: sender, pacer: r.pacer, account: account}
}

// pacedReply is an answer's sender that waits for a slot of its account
// first.
type pacedReply struct {
	sender  herald.Sender
	pacer   *smsroute.DeadlinePacer
	account string
}

// Send implements herald.Sender. The answer's turn is the most urgent
// there is (its deadline is now), so it waits behind no reminder; a wait
// that outlasts ctx returns the pacer's throttled error, sending nothing.
func (p pacedReply) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	now := time.Now()
	turn := herald.SendTurn{TenantID: msg.TenantID, MeetingStartsAt: now, DueAt: now}
	if err := p.pacer.Take(ctx, p.account, turn); err != nil {
		return herald.SendResult{}, err
	}
	return p.sender.Send(ctx, msg)
}

// ownReplySender returns the client of the tenant's own account of
// provider that sends from number, and the account's name in the pacer
// ("<tenant id>/<provider>"); the name is empty when no tenant has that
// number as its own. It reuses the client the tenant's reminders go
// through, and reads the tenant's accounts again when the cached ones no
// longer send from number.
func (s *Sender) ownReplySender(ctx context.Context, provider, number, tenantID string) (sender herald.Sender, account string, err error) {
	sp, found, err := s.accounts.store.SealedProvidersByNumber(ctx, provider, number, tenantID)
	if err != nil || !found {
		return nil, "", err
	}
	account = sp.TenantID + "/" + provider
	number = herald.NormalizeNumber(number)
	for _, reread := range []bool{false, true} {
		c, err := s.entry(ctx, sp.TenantID, reread)
		if err != nil {
			return nil, account, err
		}
		if cl, ok := c.clients[provider]; ok && accountNumber(cl.account) == number {
			return cl.sender, account, nil
		}
	}
	return nil, account, fmt.Errorf("tenant %s: its own %s account no longer sends from %s", sp.TenantID, provider, number)
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
