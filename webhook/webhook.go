// Package webhook is the generic flow of what the SMS providers send back
// to Herald: it reads the request (Vonage's GET query, form POST or JSON
// POST; Twilio's form), has the provider package verify and parse it
// (vonage and twilio own their wire formats), refuses an unsigned or
// wrongly signed one with 401 before anything changes, hands the receipt
// or text to the store with its decider, and sends the reply owed.
//
// Receipts update the delivery status of the reminder they report on
// (schedule.ReceiptDecider); inbound texts are decided by
// schedule.InboundDecider (docs/RULES.md, "Inbound texts"). Tenants are
// found only through what Herald issued: the reference it gave a message,
// the provider's message id, the number it sent from and the phone it
// sent to.
package webhook

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"herald"
	"herald/internal/problem"
	"herald/internal/providerhttp"
	"herald/twilio"
	"herald/vonage"
)

// The routes, mounted beside the API.
const (
	VonageReceiptPath = vonage.DeliveryReceiptPath
	VonageInboundPath = vonage.InboundPath
	TwilioStatusPath  = twilio.StatusCallbackPath
	TwilioInboundPath = twilio.InboundPath
)

// DefaultMaxBodyBytes bounds a webhook's body; real ones are well under a
// kilobyte, a long inbound text a few.
const DefaultMaxBodyBytes = 64 << 10

// DefaultReplyTimeout bounds the provider call of one reply.
const DefaultReplyTimeout = 10 * time.Second

// Config configures a Handler.
type Config struct {
	Store herald.WebhookStore
	// Decide applies a delivery receipt to its reminder
	// (schedule.ReceiptDecider). Required.
	Decide herald.ReceiptDecider
	// Inbound decides what an inbound text does
	// (schedule.InboundDecider). Required.
	Inbound herald.InboundDecider
	// PublicURL is HERALD_PUBLIC_URL, the base of the URLs Twilio signs.
	// Empty: Twilio webhooks cannot be verified and are refused.
	PublicURL string
	// VonageSecret is VONAGE_SIGNATURE_SECRET. Empty: Vonage webhooks
	// cannot be verified and are refused.
	VonageSecret string
	// VonageMethod is VONAGE_SIGNATURE_METHOD. Defaults to md5hash.
	VonageMethod string
	// TwilioAuthToken is TWILIO_AUTH_TOKEN, the key of X-Twilio-Signature.
	// Empty: Twilio webhooks are refused.
	TwilioAuthToken string
	// Accounts finds the secrets of tenants' own provider accounts: a
	// webhook naming one (Vonage api-key, Twilio AccountSid) is verified
	// with that account's secret rather than the operator's. Optional.
	Accounts AccountSecrets
	// Replies chooses the account that answers an inbound SMS
	// (tenantsms.Replies). A text it finds no account for gets no answer,
	// which is logged.
	Replies ReplySenders
	// Clock defaults to the system clock.
	Clock  herald.Clock
	Logger *slog.Logger
	// MaxBodyBytes defaults to DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ReplyTimeout defaults to DefaultReplyTimeout.
	ReplyTimeout time.Duration
	// OnReceipt, if set, hears every verified delivery receipt once it is
	// stored: its provider, the delivery status reported and what became
	// of it (herald.ReceiptApplied, ReceiptDuplicate, ReceiptUnmatched).
	// For metrics.
	OnReceipt func(provider string, status herald.DeliveryStatus, result string)
}

// Handler serves the provider webhooks.
type Handler struct {
	cfg    Config
	vonage vonage.Verifier
}

// New checks cfg and returns a Handler. Missing secrets are not an error:
// the webhooks they guard refuse every request, and Warnings says so.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Decide == nil || cfg.Inbound == nil {
		return nil, errors.New("webhook: a store, a receipt decider and an inbound decider are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = herald.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = DefaultReplyTimeout
	}
	signer, err := vonage.NewVerifier(cfg.VonageMethod, cfg.VonageSecret)
	if err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg, vonage: signer}, nil
}

// Warnings lists the webhooks that refuse every request for want of a
// secret, for the start-up log.
func (h *Handler) Warnings() []string {
	var out []string
	if h.cfg.VonageSecret == "" {
		out = append(out, "Vonage webhooks are refused: VONAGE_SIGNATURE_SECRET is not set")
	}
	switch {
	case h.cfg.TwilioAuthToken == "":
		out = append(out, "Twilio webhooks are refused: TWILIO_AUTH_TOKEN is not set")
	case h.cfg.PublicURL == "":
		out = append(out, "Twilio webhooks are refused: HERALD_PUBLIC_URL is not set, so their signed URL is unknown")
	}
	return out
}

// Routes returns the webhook routes keyed by ServeMux pattern, for
// httpapi.Server.Extra. Vonage may call with GET or POST; Twilio posts,
// and its inbound webhook may be set to GET.
func (h *Handler) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET " + VonageReceiptPath:  h.serve("vonage", h.vonageReceipt),
		"POST " + VonageReceiptPath: h.serve("vonage", h.vonageReceipt),
		"GET " + VonageInboundPath:  h.serve("vonage", h.vonageInbound),
		"POST " + VonageInboundPath: h.serve("vonage", h.vonageInbound),
		"POST " + TwilioStatusPath:  h.serve("twilio", h.twilioStatus),
		"GET " + TwilioInboundPath:  h.serve("twilio", h.twilioInbound),
		"POST " + TwilioInboundPath: h.serve("twilio", h.twilioInbound),
	}
}

// serve runs fn and answers its error as a problem document. Refusals are
// logged with their reason, which the answer does not tell.
func (h *Handler) serve(provider string, fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		var refused *providerhttp.Refusal
		if errors.As(err, &refused) || herald.ErrorCode(err) == herald.ECodeUnauthorized {
			h.cfg.Logger.WarnContext(r.Context(), "Webhook refused", "provider", provider, "path", r.URL.Path,
				"reason", err.Error())
			problem.Write(w, problem.New(herald.ECodeUnauthorized, "the request is not signed as this server expects"))
			return
		}
		p := problem.Of(err)
		switch {
		case p.Status >= 500 && r.Context().Err() != nil:
			// The provider hung up; it sends the webhook again.
			h.cfg.Logger.DebugContext(r.Context(), "Webhook abandoned by the provider", "provider", provider, "path", r.URL.Path, "error", err)
			return
		case p.Status == http.StatusServiceUnavailable:
			// The provider retries a 5xx later, when the database is back.
			h.cfg.Logger.WarnContext(r.Context(), "Webhook failed: the database does not answer", "provider", provider, "path", r.URL.Path, "error", err)
		case p.Status >= 500:
			h.cfg.Logger.ErrorContext(r.Context(), "Webhook failed", "provider", provider, "path", r.URL.Path, "error", err)
		default:
			h.cfg.Logger.InfoContext(r.Context(), "Webhook rejected", "provider", provider, "path", r.URL.Path,
				"status", p.Status, "detail", p.Detail)
		}
		problem.Write(w, p)
	})
}
