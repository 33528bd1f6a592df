// Package tenantsms lets a tenant send SMS through its own Vonage and
// Twilio accounts: it keeps their credentials sealed with HERALD_SECRET_KEY
// (the admin API sets them), and routes each tenant's messages through a
// router of its own, with its own pace and circuit breakers, beside the
// operator's. Replies chooses the account that answers a text: the one
// that owns the number the lead texted.
package tenantsms

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"herald"
	"herald/internal/sealed"
)

// Store is what the accounts need of storage; *sqlstore.Store has it.
type Store interface {
	Tenant(ctx context.Context, id string) (herald.Tenant, error)
	SaveSealedProviders(ctx context.Context, sp herald.SealedProviders, detail string) error
	SealedProviders(ctx context.Context, tenantID string) (herald.SealedProviders, bool, error)
	SealedProvidersByAccount(ctx context.Context, provider, accountID string) (herald.SealedProviders, bool, error)
	SealedProvidersByNumber(ctx context.Context, provider, number, preferTenant string) (herald.SealedProviders, bool, error)
}

// Accounts stores and reads tenants' own provider accounts. Without a key
// (HERALD_SECRET_KEY unset) it refuses to store any, and a tenant that has
// some cannot use them.
type Accounts struct {
	store Store
	box   *sealed.Box
}

// NewAccounts returns Accounts over store sealing with box (nil: no key).
func NewAccounts(store Store, box *sealed.Box) *Accounts {
	return &Accounts{store: store, box: box}
}

// errNoKey answers an attempt to store credentials without a key.
func errNoKey() error {
	return herald.Errorf(herald.ECodeConflict,
		"tenants' own provider accounts need HERALD_SECRET_KEY (32 random bytes in base64) to be stored encrypted")
}

// Put replaces a tenant's own accounts with p (both null removes them)
// and returns what may be shown of them.
func (a *Accounts) Put(ctx context.Context, tenantID string, p herald.TenantProviders) (herald.TenantProvidersView, error) {
	if _, err := a.store.Tenant(ctx, tenantID); err != nil {
		return herald.TenantProvidersView{}, err
	}
	if err := p.Validate(); err != nil {
		return herald.TenantProvidersView{}, err
	}
	sp := herald.SealedProviders{TenantID: tenantID}
	sp.VonageFromNumber, sp.TwilioFromNumber = p.Numbers()
	var set []string
	if p.Vonage != nil {
		sp.VonageAPIKey = p.Vonage.APIKey
		set = append(set, "vonage")
	}
	if p.Twilio != nil {
		sp.TwilioAccountSID = p.Twilio.AccountSID
		set = append(set, "twilio")
	}
	if len(set) > 0 {
		if a.box == nil {
			return herald.TenantProvidersView{}, errNoKey()
		}
		raw, err := json.Marshal(p)
		if err != nil {
			return herald.TenantProvidersView{}, err
		}
		sp.Sealed = a.box.Seal(raw, tenantID)
	}
	detail := "own accounts: none"
	if len(set) > 0 {
		detail = "own accounts: " + strings.Join(set, ", ")
	}
	if err := a.store.SaveSealedProviders(ctx, sp, detail); err != nil {
		return herald.TenantProvidersView{}, err
	}
	return p.View(), nil
}

// Get returns what may be shown of a tenant's own accounts.
func (a *Accounts) Get(ctx context.Context, tenantID string) (herald.TenantProvidersView, error) {
	if _, err := a.store.Tenant(ctx, tenantID); err != nil {
		return herald.TenantProvidersView{}, err
	}
	p, _, err := a.Load(ctx, tenantID)
	if err != nil {
		return herald.TenantProvidersView{}, err
	}
	return p.View(), nil
}

// Load returns a tenant's own accounts in clear; found is false when it
// has none.
func (a *Accounts) Load(ctx context.Context, tenantID string) (p herald.TenantProviders, found bool, err error) {
	sp, found, err := a.store.SealedProviders(ctx, tenantID)
	if err != nil || !found {
		return herald.TenantProviders{}, false, err
	}
	p, err = a.open(sp)
	return p, err == nil, err
}

// ByAccount returns the tenant that sends with a provider account (Vonage
// api-key, Twilio AccountSid) and its accounts; found is false when no
// tenant has it as its own.
func (a *Accounts) ByAccount(ctx context.Context, provider, accountID string) (tenantID string, p herald.TenantProviders, found bool, err error) {
	sp, found, err := a.store.SealedProvidersByAccount(ctx, provider, accountID)
	if err != nil || !found {
		return "", herald.TenantProviders{}, false, err
	}
	p, err = a.open(sp)
	return sp.TenantID, p, err == nil, err
}

func (a *Accounts) open(sp herald.SealedProviders) (herald.TenantProviders, error) {
	if a.box == nil {
		return herald.TenantProviders{}, fmt.Errorf("tenant %s has its own provider accounts but HERALD_SECRET_KEY is not set", sp.TenantID)
	}
	raw, err := a.box.Open(sp.Sealed, sp.TenantID)
	if err != nil {
		return herald.TenantProviders{}, fmt.Errorf("tenant %s provider accounts: %w", sp.TenantID, err)
	}
	var p herald.TenantProviders
	if err := json.Unmarshal(raw, &p); err != nil {
		return herald.TenantProviders{}, fmt.Errorf("tenant %s provider accounts: %w", sp.TenantID, err)
	}
	return p, nil
}

// numberStore is the part of storage that keeps the from numbers of own
// accounts sealed before they were kept beside them; *sqlstore.Store has it.
type numberStore interface {
	SealedProvidersWithoutNumbers(ctx context.Context) ([]herald.SealedProviders, error)
	RecordProviderNumbers(ctx context.Context, tenantID, sealed, vonage, twilio string) error
}

// RecordNumbers writes the from numbers of the own accounts stored
// before they were kept in clear beside them, so that texts to those
// numbers and opt-outs from them find their tenant. It needs the key;
// without one, or with a store that keeps no numbers, it does nothing.
func (a *Accounts) RecordNumbers(ctx context.Context) error {
	ns, ok := a.store.(numberStore)
	if !ok || a.box == nil {
		return nil
	}
	missing, err := ns.SealedProvidersWithoutNumbers(ctx)
	if err != nil {
		return err
	}
	for _, sp := range missing {
		p, err := a.open(sp)
		if err != nil {
			return err
		}
		vonage, twilio := p.Numbers()
		if vonage == "" && twilio == "" {
			continue
		}
		if err := ns.RecordProviderNumbers(ctx, sp.TenantID, sp.Sealed, vonage, twilio); err != nil {
			return err
		}
	}
	return nil
}

// VonageSignatureSecret returns the signature secret of a tenant's own
// Vonage API key, for the webhooks Vonage signs for it.
func (a *Accounts) VonageSignatureSecret(ctx context.Context, apiKey string) (string, bool, error) {
	_, p, found, err := a.ByAccount(ctx, "vonage", apiKey)
	if err != nil || !found || p.Vonage == nil {
		return "", false, err
	}
	return p.Vonage.SignatureSecret, true, nil
}

// TwilioAuthToken returns the auth token of a tenant's own Twilio account,
// which keys the signatures of its webhooks.
func (a *Accounts) TwilioAuthToken(ctx context.Context, accountSID string) (string, bool, error) {
	_, p, found, err := a.ByAccount(ctx, "twilio", accountSID)
	if err != nil || !found || p.Twilio == nil {
		return "", false, err
	}
	return p.Twilio.AuthToken, true, nil
}
