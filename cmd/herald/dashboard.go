package main

import (
	"net/http"
	"strings"

	"herald"
	"herald/webui"
)

// dashboard builds the dashboard served under /ui/. Its cookie is Secure
// when HERALD_PUBLIC_URL says Herald is reached over HTTPS.
func (a *App) dashboard() http.Handler {
	ui := &webui.Server{
		Store: a.store, Dashboard: a.store, Events: a.store, Templates: a.templates,
		AdminToken: a.cfg.AdminToken,
		Secure:     strings.HasPrefix(a.cfg.PublicURL, "https://"),
		Clock:      herald.SystemClock{},
		// The workers page marks stale what the heartbeat loop takes
		// over.
		StoppedAfter: stoppedAfter,
		Logger:       a.logger.With("component", "dashboard"),
	}
	if router := a.smsRouter; router != nil {
		rates := map[string]float64{"vonage": a.providers.VonageRateLimit, "twilio": a.providers.TwilioRateLimit}
		ui.Providers = func() []webui.ProviderStatus {
			var out []webui.ProviderStatus
			for _, name := range router.Providers() {
				out = append(out, webui.ProviderStatus{Name: name, Breaker: router.CircuitState(name), RateLimit: rates[name]})
			}
			return out
		}
	}
	return ui.Handler()
}
