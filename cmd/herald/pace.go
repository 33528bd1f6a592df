package main

import (
	"herald/providers"
	"herald/smsroute"
	"herald/twilio"
	"herald/vonage"
)

// newPacer builds the pace of the provider accounts: on PostgreSQL shared
// by every process through the database, on SQLite held in memory by the
// one process that owns the file.
func (a *App) newPacer(provCfg providers.Config) *smsroute.DeadlinePacer {
	cfg := smsroute.DeadlinePacerConfig{FIFO: a.cfg.SendOrder == "fifo", OnWait: a.observePacerWait}
	if slots := a.db.SendPace(); slots != nil {
		cfg.Source = slots
	}
	p := smsroute.NewDeadlinePacer(cfg)
	p.SetLimit(vonage.Name, provCfg.VonageRateLimit)
	p.SetLimit(twilio.Name, provCfg.TwilioRateLimit)
	return p
}
