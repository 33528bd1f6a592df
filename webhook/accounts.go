package webhook

import (
	"context"
	"fmt"

	"herald/internal/providerhttp"
	"herald/vonage"
)

// AccountSecrets finds the secrets of tenants' own provider accounts.
type AccountSecrets interface {
	// VonageSignatureSecret returns the signature secret of a tenant's own
	// Vonage API key; found is false when no tenant has that key.
	VonageSignatureSecret(ctx context.Context, apiKey string) (secret string, found bool, err error)
	// TwilioAuthToken returns the auth token of a tenant's own Twilio
	// account; found is false when no tenant has that account.
	TwilioAuthToken(ctx context.Context, accountSID string) (token string, found bool, err error)
}

// vonageSignerFor returns the signer of the API key a Vonage webhook
// names: a tenant's own key is verified with its own secret (with the
// operator's method), any other with the operator's.
func (h *Handler) vonageSignerFor(ctx context.Context, apiKey string) (vonage.Verifier, error) {
	if h.cfg.Accounts == nil || apiKey == "" {
		return h.vonage, nil
	}
	secret, found, err := h.cfg.Accounts.VonageSignatureSecret(ctx, apiKey)
	if err != nil {
		return vonage.Verifier{}, fmt.Errorf("webhook: tenant account secrets: %w", err)
	}
	if !found {
		return h.vonage, nil
	}
	if secret == "" {
		return vonage.Verifier{}, providerhttp.Refuse("the tenant's own Vonage account has no signature secret, so its webhooks cannot be verified")
	}
	return h.vonage.WithSecret(secret), nil
}

// twilioTokenFor returns the auth token that keys the signature of a
// Twilio webhook from accountSID: a tenant's own account's, else the
// operator's.
func (h *Handler) twilioTokenFor(ctx context.Context, accountSID string) (string, error) {
	if h.cfg.Accounts != nil && accountSID != "" {
		token, found, err := h.cfg.Accounts.TwilioAuthToken(ctx, accountSID)
		if err != nil {
			return "", fmt.Errorf("webhook: tenant account secrets: %w", err)
		}
		if found {
			return token, nil
		}
	}
	return h.cfg.TwilioAuthToken, nil
}
