package herald

import (
	"regexp"
	"time"
)

// e164 matches a phone number in E.164 form: a plus, then 7 to 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

// validSMSFrom checks the sms_from setting: empty, or a number in E.164.
func validSMSFrom(from string) error {
	if from != "" && !e164.MatchString(from) {
		return FieldErrorf(ECodeInvalidPhone, "sms_from", "sms_from must be a number in E.164 form such as \"+14155550100\"")
	}
	return nil
}

// TenantProviders are a tenant's own SMS provider accounts, set through
// the admin API and stored sealed with HERALD_SECRET_KEY. A tenant without
// them sends through the operator's accounts.
type TenantProviders struct {
	Vonage *VonageAccount `json:"vonage"`
	Twilio *TwilioAccount `json:"twilio"`
}

// VonageAccount is a tenant's own Vonage API key.
type VonageAccount struct {
	APIKey     string `json:"api_key"`
	APISecret  string `json:"api_secret"`
	FromNumber string `json:"from_number"`
	// RateLimit is the account's sends per second, for every process
	// together; 0 means no limit.
	RateLimit float64 `json:"rate_limit"`
	// SignatureSecret verifies the webhooks Vonage signs for this key.
	SignatureSecret string `json:"signature_secret"`
}

// TwilioAccount is a tenant's own Twilio account.
type TwilioAccount struct {
	AccountSID string  `json:"account_sid"`
	AuthToken  string  `json:"auth_token"`
	FromNumber string  `json:"from_number"`
	RateLimit  float64 `json:"rate_limit"`
}

// Validate checks that each account given is whole.
func (p *TenantProviders) Validate() error {
	if v := p.Vonage; v != nil {
		for _, f := range []struct{ name, value string }{{"api_key", v.APIKey}, {"api_secret", v.APISecret}, {"from_number", v.FromNumber}} {
			if err := requiredLine("vonage."+f.name, f.value); err != nil {
				return err
			}
		}
		if v.RateLimit < 0 || v.RateLimit > 10000 {
			return FieldErrorf(ECodeInvalid, "vonage.rate_limit", "rate_limit must be sends per second from 0 (no limit) to 10000")
		}
	}
	if t := p.Twilio; t != nil {
		for _, f := range []struct{ name, value string }{{"account_sid", t.AccountSID}, {"auth_token", t.AuthToken}, {"from_number", t.FromNumber}} {
			if err := requiredLine("twilio."+f.name, f.value); err != nil {
				return err
			}
		}
		if len(t.AccountSID) < 2 || t.AccountSID[:2] != "AC" {
			return FieldErrorf(ECodeInvalid, "twilio.account_sid", "account_sid must start with AC")
		}
		if !e164.MatchString(t.FromNumber) {
			return FieldErrorf(ECodeInvalidPhone, "twilio.from_number", "from_number must be a number in E.164 form such as \"+14155550100\"")
		}
		if t.RateLimit < 0 || t.RateLimit > 10000 {
			return FieldErrorf(ECodeInvalid, "twilio.rate_limit", "rate_limit must be sends per second from 0 (no limit) to 10000")
		}
	}
	return nil
}

func requiredLine(field, value string) error {
	if value == "" || len(value) > 200 {
		return FieldErrorf(ECodeInvalid, field, "%s is required (at most 200 characters)", field)
	}
	return CheckLine(field, value)
}

// TenantProvidersView is what the admin API shows of a tenant's own
// accounts: which are set, their numbers and limits, and the last four
// characters of their keys; never a secret.
type TenantProvidersView struct {
	Vonage *VonageAccountView `json:"vonage"`
	Twilio *TwilioAccountView `json:"twilio"`
}

// VonageAccountView shows a VonageAccount without its secrets.
type VonageAccountView struct {
	APIKeyLast4        string  `json:"api_key_last4"`
	APISecretSet       bool    `json:"api_secret_set"`
	FromNumber         string  `json:"from_number"`
	RateLimit          float64 `json:"rate_limit"`
	SignatureSecretSet bool    `json:"signature_secret_set"`
}

// TwilioAccountView shows a TwilioAccount without its secrets.
type TwilioAccountView struct {
	AccountSIDLast4 string  `json:"account_sid_last4"`
	AuthTokenSet    bool    `json:"auth_token_set"`
	FromNumber      string  `json:"from_number"`
	RateLimit       float64 `json:"rate_limit"`
}

// View returns what may be shown of p.
func (p TenantProviders) View() TenantProvidersView {
	var out TenantProvidersView
	if v := p.Vonage; v != nil {
		out.Vonage = &VonageAccountView{APIKeyLast4: last4(v.APIKey), APISecretSet: v.APISecret != "",
			FromNumber: v.FromNumber, RateLimit: v.RateLimit, SignatureSecretSet: v.SignatureSecret != ""}
	}
	if t := p.Twilio; t != nil {
		out.Twilio = &TwilioAccountView{AccountSIDLast4: last4(t.AccountSID), AuthTokenSet: t.AuthToken != "",
			FromNumber: t.FromNumber, RateLimit: t.RateLimit}
	}
	return out
}

func last4(s string) string {
	if len(s) <= 4 {
		return s
	}
	return s[len(s)-4:]
}

// SealedProviders is a tenant's own accounts as stored: the accounts
// sealed with HERALD_SECRET_KEY, the identifiers webhooks name them by
// (Vonage's api-key, Twilio's AccountSid), and the numbers they send from
// (as NormalizeNumber writes them), which are not secret: inbound texts
// and opt-outs find the tenants of a number by them.
type SealedProviders struct {
	TenantID         string
	Sealed           string
	VonageAPIKey     string
	TwilioAccountSID string
	VonageFromNumber string
	TwilioFromNumber string
	UpdatedAt        time.Time
}

// Numbers returns the from numbers of the accounts in p, as
// NormalizeNumber writes them.
func (p TenantProviders) Numbers() (vonage, twilio string) {
	if p.Vonage != nil {
		vonage = NormalizeNumber(p.Vonage.FromNumber)
	}
	if p.Twilio != nil {
		twilio = NormalizeNumber(p.Twilio.FromNumber)
	}
	return vonage, twilio
}
