package providers

import (
	"fmt"
	netmail "net/mail"
	"strconv"
	"strings"

	"herald"
	"herald/smsroute"
	"herald/smtpmail"
	"herald/twilio"
	"herald/vonage"
)

// smtp reads the SMTP_* variables; nil when SMTP_HOST and its companions
// are all unset.
func (e *env) smtp() *smtpmail.Config {
	host := e.get("SMTP_HOST")
	if host == "" {
		for _, name := range []string{"SMTP_FROM", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_PORT"} {
			if e.get(name) != "" {
				e.fail("SMTP_HOST is required when %s is set", name)
				break
			}
		}
		return nil
	}
	cfg := &smtpmail.Config{Host: host, Username: e.get("SMTP_USERNAME"), Password: e.get("SMTP_PASSWORD")}
	if from := e.get("SMTP_FROM"); from == "" {
		e.fail("SMTP_FROM is required when SMTP_HOST is set")
	} else if _, err := netmail.ParseAddress(from); err != nil {
		e.fail("SMTP_FROM: %q is not an email address", from)
	} else {
		cfg.From = from
	}
	if cfg.Username == "" && cfg.Password != "" {
		e.fail("SMTP_USERNAME is required when SMTP_PASSWORD is set")
	}
	if cfg.Username != "" && cfg.Password == "" {
		e.fail("SMTP_PASSWORD is required when SMTP_USERNAME is set")
	}
	cfg.TLS = smtpmail.TLSStartTLS
	if raw := e.get("SMTP_TLS"); raw != "" {
		mode, err := smtpmail.ParseTLSMode(raw)
		if err != nil {
			e.fail("SMTP_TLS must be starttls, tls or none, not %q", raw)
		}
		cfg.TLS = mode
	}
	if raw := e.get("SMTP_PORT"); raw != "" {
		port, err := strconv.Atoi(raw)
		if err != nil || port < 1 || port > 65535 {
			e.fail("SMTP_PORT must be a port number, not %q", raw)
		}
		cfg.Port = port
	} else {
		// 587 is submission with STARTTLS; implicit TLS lives on 465.
		cfg.Port = 587
		if cfg.TLS == smtpmail.TLSImplicit {
			cfg.Port = 465
		}
	}
	return cfg
}

// Senders are the senders built from a Config.
type Senders struct {
	// SMS routes SMS through the providers of Config.SMSOrder; nil when
	// no SMS provider is configured.
	SMS herald.Sender
	// SMSRouter is SMS as its concrete type, for circuit states; nil when
	// SMS is nil.
	SMSRouter *smsroute.Router
	// Email sends email over SMTP; nil when SMTP is not configured.
	Email herald.Sender
	// Replies holds one sender per configured SMS provider, by name, for
	// answers to inbound SMS, which go back through the provider they came
	// in on rather than through the router.
	Replies map[string]herald.Sender
}

// Build makes the senders of cfg. routing tunes the SMS router (circuit
// breaker, throttle waits, state-change hook); its Providers are ignored.
// Call it once per process: the rate limits and circuit breakers live in
// what it returns and are shared by everything that sends through it.
func Build(cfg Config, routing smsroute.Config) (Senders, error) {
	out := Senders{Replies: map[string]herald.Sender{}}
	if cfg.Vonage != nil {
		client, err := vonage.New(*cfg.Vonage)
		if err != nil {
			return Senders{}, err
		}
		out.Replies[vonage.Name] = client
	}
	if cfg.Twilio != nil {
		client, err := twilio.New(*cfg.Twilio)
		if err != nil {
			return Senders{}, err
		}
		out.Replies[twilio.Name] = client
	}
	rates := map[string]float64{vonage.Name: cfg.VonageRateLimit, twilio.Name: cfg.TwilioRateLimit}
	routing.Providers = nil
	for _, name := range cfg.SMSOrder {
		client := out.Replies[name]
		if client == nil {
			return Senders{}, fmt.Errorf("providers: SMS provider %q is listed but not configured", name)
		}
		routing.Providers = append(routing.Providers, smsroute.Provider{Name: name, Sender: client, RateLimit: rates[name]})
	}
	if len(routing.Providers) > 0 {
		router, err := smsroute.New(routing)
		if err != nil {
			return Senders{}, err
		}
		out.SMS, out.SMSRouter = router, router
	}
	if cfg.SMTP != nil {
		sender, err := smtpmail.New(*cfg.SMTP)
		if err != nil {
			return Senders{}, err
		}
		out.Email = sender
	}
	return out, nil
}

// Summary says in one line which providers are in use, for the start-up
// log; credentials are never included.
func (c Config) Summary() string {
	var parts []string
	if len(c.SMSOrder) > 0 {
		parts = append(parts, "SMS via "+strings.Join(c.SMSOrder, " then "))
	} else {
		parts = append(parts, "no SMS provider")
	}
	if c.SMTP != nil {
		parts = append(parts, fmt.Sprintf("email via SMTP %s:%d (%s)", c.SMTP.Host, c.SMTP.Port, c.SMTP.TLS))
	} else {
		parts = append(parts, "no email provider")
	}
	return strings.Join(parts, ", ")
}
