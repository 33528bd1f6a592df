package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"herald"
	"herald/contact"
	"herald/providers"
	"herald/render"
	"herald/smsroute"
)

// checkAnswer is what sms-test and email-test print: the provider's answer,
// or the classified failure with every provider call made.
type checkAnswer struct {
	OK        bool                  `json:"ok"`
	Provider  string                `json:"provider,omitempty"`
	MessageID string                `json:"message_id,omitempty"`
	Parts     int                   `json:"parts,omitempty"`
	Error     string                `json:"error,omitempty"`
	Kind      string                `json:"kind,omitempty"`
	Calls     []herald.ProviderCall `json:"calls,omitempty"`
}

// sendCheck sends one test message through the configured providers, so a
// new install can be verified in a minute, and prints the answer.
func sendCheck(ctx context.Context, cfg Config, channel herald.Channel, args []string, stdout io.Writer) error {
	name := "sms-test"
	if channel == herald.ChannelEmail {
		name = "email-test"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	to := fs.String("to", "", "the phone number (sms-test) or email address (email-test) to send to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return fmt.Errorf("%s: --to is required", name)
	}
	provCfg, err := providers.FromEnv(cfg.ProviderSettings)
	if err != nil {
		return err
	}
	senders, err := providers.Build(provCfg, smsroute.Config{})
	if err != nil {
		return err
	}
	msg := &herald.Message{TenantID: "check", ReminderID: "check", Reference: "check_" + rand.Text(), Channel: channel}
	text := "Herald test message: delivery through this provider works."
	var sender herald.Sender
	switch channel {
	case herald.ChannelSMS:
		if sender = senders.SMS; sender == nil {
			return errors.New("sms-test: no SMS provider configured: set VONAGE_API_KEY, VONAGE_API_SECRET and VONAGE_FROM_NUMBER, or TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER")
		}
		if msg.To, err = contact.NormalizePhone(*to, "US"); err != nil {
			return fmt.Errorf("sms-test: %s", herald.ErrorMessage(err))
		}
		msg.Text, msg.Unicode = text, render.Encode(text).Unicode()
	case herald.ChannelEmail:
		if sender = senders.Email; sender == nil {
			return errors.New("email-test: no email provider configured: set SMTP_HOST and SMTP_FROM")
		}
		if msg.To, err = contact.NormalizeEmail(*to); err != nil || msg.To == "" {
			return fmt.Errorf("email-test: %q is not an email address", *to)
		}
		msg.Text = text
		msg.Email = &herald.EmailContent{Subject: "Herald test message", HTML: "<p>" + text + "</p>"}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.SendTimeout+5*time.Second)
	defer cancel()
	res, sendErr := sender.Send(ctx, msg)
	answer := checkAnswer{OK: sendErr == nil, Provider: res.Provider, MessageID: res.MessageID, Parts: res.Parts, Calls: res.Tried}
	if sendErr != nil {
		answer.Error, answer.Kind = sendErr.Error(), herald.SendErrorKindOf(sendErr).String()
		var se *herald.SendError
		if errors.As(sendErr, &se) {
			answer.Provider, answer.Calls = se.Provider, se.Tried
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(answer); err != nil {
		return err
	}
	if sendErr != nil {
		return fmt.Errorf("%s: the provider did not take the message", name)
	}
	return nil
}
