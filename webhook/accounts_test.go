package webhook_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"herald"
	"herald/twilio/twiliotest"
	"herald/vonage"
	"herald/webhook"
)

// ownAccounts stands for the tenants' own accounts: one Vonage key and
// one Twilio account with secrets of their own.
type ownAccounts struct{}

const (
	ownVonageKey    = "tenant01"
	ownVonageSecret = "tenant-signature-secret"
	ownTwilioSID    = "AC00000000000000000000000000009876"
	ownTwilioToken  = "tenant-auth-token"
)

func (ownAccounts) VonageSignatureSecret(_ context.Context, key string) (string, bool, error) {
	return ownVonageSecret, key == ownVonageKey, nil
}

func (ownAccounts) TwilioAuthToken(_ context.Context, sid string) (string, bool, error) {
	return ownTwilioToken, sid == ownTwilioSID, nil
}

// TestTenantOwnSignatureSecrets: a webhook that names a tenant's own
// account (Vonage api-key, Twilio AccountSid) is verified with that
// account's secret, and the operator's secret does not pass for it.
func TestTenantOwnSignatureSecrets(t *testing.T) {
	t.Parallel()
	opts := signed()
	opts.accounts = ownAccounts{}
	each(t, opts, func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		part := b.vonageFake.Accepted()[0]
		p := dlr(part, "delivered", "0")
		p["api-key"], p["timestamp"], p["nonce"] = ownVonageKey, strconv.FormatInt(b.clock.Now().Unix(), 10), newNonce()
		withOperator := map[string]string{}
		for k, v := range p {
			withOperator[k] = v
		}
		sig, err := vonage.Sign("sha256", vonageSecret, withOperator)
		if err != nil {
			t.Fatal(err)
		}
		withOperator["sig"] = sig
		if r := b.vonageCall(t, webhook.VonageReceiptPath, viaForm, withOperator); r.status != http.StatusUnauthorized {
			t.Fatalf("a receipt naming the tenant's key, signed with the operator's secret: %d, want 401", r.status)
		}
		if p["sig"], err = vonage.Sign("sha256", ownVonageSecret, p); err != nil {
			t.Fatal(err)
		}
		if got := b.vonageCall(t, webhook.VonageReceiptPath, viaForm, p).result(t); got != herald.ReceiptApplied {
			t.Fatalf("a receipt signed with the tenant's own secret: %q, want applied", got)
		}
	})
	topts := twilioOnly()
	topts.accounts = ownAccounts{}
	each(t, topts, func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		m := b.twilioFake.Messages()[0]
		form := statusCallback(m, "delivered", "")
		form.Set("AccountSid", ownTwilioSID)
		if r := b.twilioCall(t, callbackPath(t, m), twiliotest.AuthToken, form); r.status != http.StatusUnauthorized {
			t.Fatalf("a callback of the tenant's account signed with the operator's token: %d, want 401", r.status)
		}
		if got := b.twilioCall(t, callbackPath(t, m), ownTwilioToken, form).result(t); got != herald.ReceiptApplied {
			t.Fatalf("a callback signed with the tenant's own token: %q, want applied", got)
		}
	})
}
