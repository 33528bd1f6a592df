// Package providers reads the provider settings from the environment
// (the original system's variable names) and builds Herald's SMS and email
// senders from them: the Vonage and Twilio adapters behind an smsroute
// Router, and the SMTP sender. It is the one package that knows them all.
package providers

import (
	"herald"

	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"herald/smtpmail"
	"herald/twilio"
	"herald/vonage"
)

// Default paces, in sends per second per process; 0 means no limit.
const (
	DefaultVonageRateLimit = 30
	DefaultTwilioRateLimit = 0
)

// Config is the provider configuration of one process.
type Config struct {
	// Vonage is nil when Vonage is not configured.
	Vonage *vonage.Config
	// VonageRateLimit is Herald's own pace for Vonage (VONAGE_RATE_LIMIT).
	VonageRateLimit float64
	// Twilio is nil when Twilio is not configured.
	Twilio *twilio.Config
	// TwilioRateLimit is Herald's own pace for Twilio (TWILIO_RATE_LIMIT).
	TwilioRateLimit float64
	// SMSOrder names the SMS providers in the order they are tried.
	SMSOrder []string
	// SMTP is nil when email is not configured.
	SMTP *smtpmail.Config
	// PublicURL is HERALD_PUBLIC_URL without a trailing slash.
	PublicURL string
	// VonageBaseURL and TwilioBaseURL are where the providers' APIs are,
	// for the operator's accounts and the tenants' own alike.
	VonageBaseURL, TwilioBaseURL string
	// Signatures verify the providers' webhooks.
	Signatures Signatures
}

// Signatures are the secrets that verify what the providers send back. A
// missing one leaves its provider's webhooks refusing every request.
type Signatures struct {
	// VonageSecret is VONAGE_SIGNATURE_SECRET, shown in Vonage's dashboard
	// once signed webhooks are enabled.
	VonageSecret string
	// VonageMethod is VONAGE_SIGNATURE_METHOD: md5hash (the default), md5,
	// sha1, sha256 or sha512, as chosen in the dashboard.
	VonageMethod string
	// TwilioAuthToken is TWILIO_AUTH_TOKEN, which keys X-Twilio-Signature.
	TwilioAuthToken string
}

// env reads trimmed variables and collects the problems found.
type env struct {
	getenv   func(string) string
	problems []error
}

func (e *env) get(name string) string { return strings.TrimSpace(e.getenv(name)) }

func (e *env) fail(format string, args ...any) {
	e.problems = append(e.problems, fmt.Errorf(format, args...))
}

// requireTogether reports every variable of a group that is missing while
// another of the group is set.
func (e *env) requireTogether(names ...string) (set bool) {
	var present, missing []string
	for _, name := range names {
		if e.get(name) != "" {
			present = append(present, name)
		} else {
			missing = append(missing, name)
		}
	}
	if len(present) == 0 {
		return false
	}
	for _, name := range missing {
		e.fail("%s is required when %s is set", name, present[0])
	}
	return true
}

func (e *env) baseURL(name, fallback string) string {
	raw := strings.TrimRight(e.get(name), "/")
	if raw == "" {
		return fallback
	}
	if err := checkURL(raw); err != nil {
		e.fail("%s: %v", name, err)
	}
	return raw
}

func (e *env) rate(name string, fallback float64) float64 {
	raw := e.get(name)
	if raw == "" {
		return fallback
	}
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		e.fail("%s must be a number of sends per second, 0 for no limit, not %q", name, raw)
		return fallback
	}
	return n
}

// FromEnv reads the provider configuration. It refuses half configurations
// (a key without its secret, a provider without its from number, an SMTP
// host without SMTP_FROM), malformed URLs and numbers, unknown names in
// SMS_PROVIDERS and an unknown SMTP_TLS, with every problem in one error
// that names the variables.
func FromEnv(getenv func(string) string) (Config, error) {
	e := &env{getenv: getenv}
	var cfg Config
	if raw := e.get("HERALD_PUBLIC_URL"); raw != "" {
		cfg.PublicURL = strings.TrimRight(raw, "/")
		if err := checkURL(cfg.PublicURL); err != nil {
			e.fail("HERALD_PUBLIC_URL: %v", err)
		}
	}

	cfg.VonageBaseURL = e.baseURL("VONAGE_BASE_URL", vonage.DefaultBaseURL)
	cfg.TwilioBaseURL = e.baseURL("TWILIO_BASE_URL", twilio.DefaultBaseURL)
	if e.requireTogether("VONAGE_API_KEY", "VONAGE_API_SECRET", "VONAGE_FROM_NUMBER") {
		cfg.Vonage = &vonage.Config{
			BaseURL:   cfg.VonageBaseURL,
			APIKey:    e.get("VONAGE_API_KEY"),
			APISecret: e.get("VONAGE_API_SECRET"),
			From:      e.get("VONAGE_FROM_NUMBER"),
			PublicURL: cfg.PublicURL,
		}
		if callback := cfg.PublicURL + vonage.DeliveryReceiptPath; cfg.PublicURL != "" && len(callback) > 100 {
			e.fail("HERALD_PUBLIC_URL is too long for Vonage: %s must fit in 100 characters", callback)
		}
	}
	cfg.VonageRateLimit = e.rate("VONAGE_RATE_LIMIT", DefaultVonageRateLimit)

	if e.requireTogether("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER") {
		cfg.Twilio = &twilio.Config{
			BaseURL:    cfg.TwilioBaseURL,
			AccountSID: e.get("TWILIO_ACCOUNT_SID"),
			AuthToken:  e.get("TWILIO_AUTH_TOKEN"),
			From:       e.get("TWILIO_FROM_NUMBER"),
			PublicURL:  cfg.PublicURL,
		}
		if sid := cfg.Twilio.AccountSID; sid != "" && !strings.HasPrefix(sid, "AC") {
			// The value is not repeated: a token pasted here by mistake
			// would end up in the logs.
			e.fail("TWILIO_ACCOUNT_SID must be an account SID starting with AC")
		}
	}
	cfg.TwilioRateLimit = e.rate("TWILIO_RATE_LIMIT", DefaultTwilioRateLimit)

	cfg.Signatures = e.signatures()
	cfg.SMSOrder = e.smsOrder(cfg)
	cfg.SMTP = e.smtp()

	if len(e.problems) > 0 {
		return Config{}, errors.Join(e.problems...)
	}
	return cfg, nil
}

// smsOrder reads SMS_PROVIDERS, or lists the configured providers with
// Vonage first.
func (e *env) smsOrder(cfg Config) []string {
	configured := map[string]bool{vonage.Name: cfg.Vonage != nil, twilio.Name: cfg.Twilio != nil}
	idVariable := map[string]string{vonage.Name: "VONAGE_API_KEY", twilio.Name: "TWILIO_ACCOUNT_SID"}
	raw := e.get("SMS_PROVIDERS")
	if raw == "" {
		var order []string
		for _, name := range []string{vonage.Name, twilio.Name} {
			if configured[name] {
				order = append(order, name)
			}
		}
		return order
	}
	var order []string
	for _, item := range strings.Split(raw, ",") {
		name := strings.ToLower(strings.TrimSpace(item))
		switch known, ok := configured[name]; {
		case name == "":
			continue
		case !ok:
			e.fail("SMS_PROVIDERS: unknown provider %q (known: vonage, twilio)", item)
		case !known:
			e.fail("SMS_PROVIDERS lists %s but %s is not set", name, idVariable[name])
		case slices.Contains(order, name):
			e.fail("SMS_PROVIDERS lists %s twice", name)
		default:
			order = append(order, name)
		}
	}
	return order
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", raw)
	}
	return nil
}

// signatures reads the webhook secrets. A signature method without its
// secret is a half configuration. The Twilio token is the one Twilio's
// sends use: Twilio signs webhooks with the account's auth token.
func (e *env) signatures() Signatures {
	sig := Signatures{VonageSecret: e.get("VONAGE_SIGNATURE_SECRET"), TwilioAuthToken: e.get("TWILIO_AUTH_TOKEN")}
	raw := e.get("VONAGE_SIGNATURE_METHOD")
	if raw != "" && sig.VonageSecret == "" {
		e.fail("VONAGE_SIGNATURE_SECRET is required when VONAGE_SIGNATURE_METHOD is set")
	}
	method, err := vonage.ParseSignatureMethod(raw)
	if err != nil {
		e.fail("VONAGE_SIGNATURE_METHOD: %v", err)
	}
	sig.VonageMethod = method
	return sig
}

// SMSFrom returns the numbers the configured SMS providers send from, as
// herald.NormalizeNumber writes them: replies and opt-outs come back
// addressed to them.
func (c Config) SMSFrom() []string {
	var out []string
	if c.Vonage != nil {
		out = append(out, herald.NormalizeNumber(c.Vonage.From))
	}
	if c.Twilio != nil {
		out = append(out, herald.NormalizeNumber(c.Twilio.From))
	}
	return out
}
