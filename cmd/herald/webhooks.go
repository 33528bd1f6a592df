package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"herald/providers"
	"herald/schedule"
	"herald/webhook"
	"herald/webui"
)

// newWebhooks builds the provider webhooks on the store. Replies go from
// the number an SMS was written to, through the account replies chooses
// for it; receipts follow the worker's
// rules, falling back to email when this process can send it. A provider
// that sends while its webhooks cannot be verified is named in the log:
// its receipts and replies will be refused with 401 until the secret is
// set.
func (a *App) newWebhooks(provCfg providers.Config, replies webhook.ReplySenders, emailAvailable bool) error {
	h, err := webhook.New(webhook.Config{
		Store:           a.store,
		Decide:          schedule.ReceiptDecider(emailAvailable),
		Inbound:         schedule.InboundDecider(),
		PublicURL:       provCfg.PublicURL,
		VonageSecret:    provCfg.Signatures.VonageSecret,
		VonageMethod:    provCfg.Signatures.VonageMethod,
		TwilioAuthToken: provCfg.Signatures.TwilioAuthToken,
		Accounts:        a.accounts,
		Replies:         replies,
		Logger:          a.logger.With("component", "webhooks"),
		OnReceipt:       a.countReceipt,
	})
	if err != nil {
		return err
	}
	if len(provCfg.SMSOrder) > 0 {
		for _, warning := range h.Warnings() {
			a.logger.Warn(warning)
		}
	}
	a.webhooks = h
	return nil
}

// extraRoutes are the routes served beside the API: the metrics, the
// provider webhooks and the dashboard.
func (a *App) extraRoutes() map[string]http.Handler {
	routes := a.webhooks.Routes()
	routes["GET /metrics"] = promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{})
	routes[webui.Prefix] = a.dashboard()
	return routes
}
