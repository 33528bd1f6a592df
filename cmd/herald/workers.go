package main

import (
	"herald/providers"
	"herald/schedule"
	"herald/twilio"
	"herald/vonage"
)

// channelCapacity is what the configured channels can take: the paces of
// the SMS providers, and whether a channel has none: an SMS provider
// without a limit, email, the outbox when messages are held there, or
// tenants' own accounts (possible once a secret key seals them), whose
// paces are only known later.
func channelCapacity(cfg providers.Config, outbox, tenantAccounts bool) schedule.Capacity {
	c := schedule.Capacity{Unpaced: outbox || tenantAccounts || cfg.SMTP != nil}
	rates := map[string]float64{vonage.Name: cfg.VonageRateLimit, twilio.Name: cfg.TwilioRateLimit}
	for _, name := range cfg.SMSOrder {
		if rates[name] <= 0 {
			c.Unpaced = true
		}
		c.PerSecond += rates[name]
	}
	return c
}
