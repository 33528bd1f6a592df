package providers_test

import (
	"reflect"
	"strings"
	"testing"

	"herald/providers"
	"herald/smtpmail"
	"herald/twilio"
	"herald/vonage"
)

func lookup(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func vonageVars() map[string]string {
	return map[string]string{
		"VONAGE_API_KEY": "abcd1234", "VONAGE_API_SECRET": "s3cret", "VONAGE_FROM_NUMBER": "+14155550000",
	}
}

func twilioVars() map[string]string {
	return map[string]string{
		"TWILIO_ACCOUNT_SID": "AC0123", "TWILIO_AUTH_TOKEN": "tok", "TWILIO_FROM_NUMBER": "+14155550001",
	}
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestFromEnvRefusesHalfConfigurations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"vonage key without secret", map[string]string{"VONAGE_API_KEY": "k", "VONAGE_FROM_NUMBER": "+1"},
			[]string{"VONAGE_API_SECRET is required when VONAGE_API_KEY is set"}},
		{"vonage key without from", map[string]string{"VONAGE_API_KEY": "k", "VONAGE_API_SECRET": "s"},
			[]string{"VONAGE_FROM_NUMBER is required when VONAGE_API_KEY is set"}},
		{"vonage secret alone", map[string]string{"VONAGE_API_SECRET": "s"},
			[]string{"VONAGE_API_KEY is required when VONAGE_API_SECRET is set", "VONAGE_FROM_NUMBER is required"}},
		{"twilio sid without token", map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_FROM_NUMBER": "+1"},
			[]string{"TWILIO_AUTH_TOKEN is required when TWILIO_ACCOUNT_SID is set"}},
		{"twilio sid without from", map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"},
			[]string{"TWILIO_FROM_NUMBER is required when TWILIO_ACCOUNT_SID is set"}},
		{"twilio sid of the wrong kind", merge(twilioVars(), map[string]string{"TWILIO_ACCOUNT_SID": "SK123"}),
			[]string{"TWILIO_ACCOUNT_SID must be an account SID starting with AC"}},
		{"signature method without secret", map[string]string{"VONAGE_SIGNATURE_METHOD": "sha256"},
			[]string{"VONAGE_SIGNATURE_SECRET is required when VONAGE_SIGNATURE_METHOD is set"}},
		{"unknown signature method", map[string]string{"VONAGE_SIGNATURE_SECRET": "s", "VONAGE_SIGNATURE_METHOD": "sha384"},
			[]string{"VONAGE_SIGNATURE_METHOD:", `"sha384"`}},
		{"malformed vonage base URL", merge(vonageVars(), map[string]string{"VONAGE_BASE_URL": "rest.nexmo.com"}),
			[]string{"VONAGE_BASE_URL:", "not an absolute http or https URL"}},
		{"malformed twilio base URL", merge(twilioVars(), map[string]string{"TWILIO_BASE_URL": "https://api.example.com?x=1"}),
			[]string{"TWILIO_BASE_URL:", "query"}},
		{"malformed public URL", map[string]string{"HERALD_PUBLIC_URL": "herald.example.com"},
			[]string{"HERALD_PUBLIC_URL:"}},
		{"public URL too long for vonage", merge(vonageVars(), map[string]string{"HERALD_PUBLIC_URL": "https://" + strings.Repeat("a", 80) + ".example.com"}),
			[]string{"HERALD_PUBLIC_URL is too long for Vonage"}},
		{"bad rate", merge(vonageVars(), map[string]string{"VONAGE_RATE_LIMIT": "fast"}),
			[]string{`VONAGE_RATE_LIMIT must be a number of sends per second, 0 for no limit, not "fast"`}},
		{"negative rate", map[string]string{"TWILIO_RATE_LIMIT": "-1"},
			[]string{"TWILIO_RATE_LIMIT must be a number"}},
		{"unknown provider", merge(vonageVars(), map[string]string{"SMS_PROVIDERS": "vonage,plivo"}),
			[]string{`SMS_PROVIDERS: unknown provider "plivo"`}},
		{"provider listed but not configured", merge(vonageVars(), map[string]string{"SMS_PROVIDERS": "twilio,vonage"}),
			[]string{"SMS_PROVIDERS lists twilio but TWILIO_ACCOUNT_SID is not set"}},
		{"provider listed twice", merge(vonageVars(), map[string]string{"SMS_PROVIDERS": "vonage,VONAGE"}),
			[]string{"SMS_PROVIDERS lists vonage twice"}},
		{"smtp host without from", map[string]string{"SMTP_HOST": "mail.example.com"},
			[]string{"SMTP_FROM is required when SMTP_HOST is set"}},
		{"smtp from without host", map[string]string{"SMTP_FROM": "a@example.com"},
			[]string{"SMTP_HOST is required when SMTP_FROM is set"}},
		{"smtp bad from", map[string]string{"SMTP_HOST": "mail.example.com", "SMTP_FROM": "reminders"},
			[]string{`SMTP_FROM: "reminders" is not an email address`}},
		{"smtp bad tls", map[string]string{"SMTP_HOST": "h", "SMTP_FROM": "a@example.com", "SMTP_TLS": "ssl"},
			[]string{`SMTP_TLS must be starttls, tls or none, not "ssl"`}},
		{"smtp bad port", map[string]string{"SMTP_HOST": "h", "SMTP_FROM": "a@example.com", "SMTP_PORT": "smtp"},
			[]string{`SMTP_PORT must be a port number, not "smtp"`}},
		{"smtp password without user", map[string]string{"SMTP_HOST": "h", "SMTP_FROM": "a@example.com", "SMTP_PASSWORD": "p"},
			[]string{"SMTP_USERNAME is required when SMTP_PASSWORD is set"}},
		{"every problem at once", map[string]string{"VONAGE_API_KEY": "k", "SMTP_HOST": "h"},
			[]string{"VONAGE_API_SECRET", "VONAGE_FROM_NUMBER", "SMTP_FROM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := providers.FromEnv(lookup(tt.vars))
			if err == nil {
				t.Fatal("FromEnv accepted the configuration")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestFromEnvDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := providers.FromEnv(lookup(nil))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	want := providers.Config{VonageRateLimit: 30, TwilioRateLimit: 0,
		VonageBaseURL: vonage.DefaultBaseURL, TwilioBaseURL: twilio.DefaultBaseURL,
		Signatures: providers.Signatures{VonageMethod: "md5hash"}}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("empty environment gives %+v, want %+v", cfg, want)
	}
	if got := cfg.Summary(); got != "no SMS provider, no email provider" {
		t.Errorf("Summary = %q", got)
	}
}

func TestFromEnvReadsEverything(t *testing.T) {
	t.Parallel()
	vars := merge(vonageVars(), twilioVars(), map[string]string{
		"HERALD_PUBLIC_URL": "https://herald.example.com/", "VONAGE_RATE_LIMIT": "12.5",
		"TWILIO_RATE_LIMIT": "5", "TWILIO_BASE_URL": "http://127.0.0.1:9999/",
		"SMTP_HOST": "smtp.example.com", "SMTP_FROM": "Reminders <noreply@example.com>",
		"SMTP_USERNAME": "u", "SMTP_PASSWORD": "p", "SMTP_TLS": "TLS",
	})
	cfg, err := providers.FromEnv(lookup(vars))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	wantVonage := &vonage.Config{BaseURL: vonage.DefaultBaseURL, APIKey: "abcd1234", APISecret: "s3cret",
		From: "+14155550000", PublicURL: "https://herald.example.com"}
	wantTwilio := &twilio.Config{BaseURL: "http://127.0.0.1:9999", AccountSID: "AC0123", AuthToken: "tok",
		From: "+14155550001", PublicURL: "https://herald.example.com"}
	wantSMTP := &smtpmail.Config{Host: "smtp.example.com", Port: 465, Username: "u", Password: "p",
		From: "Reminders <noreply@example.com>", TLS: smtpmail.TLSImplicit}
	if !reflect.DeepEqual(cfg.Vonage, wantVonage) || !reflect.DeepEqual(cfg.Twilio, wantTwilio) || !reflect.DeepEqual(cfg.SMTP, wantSMTP) {
		t.Errorf("vonage %+v\ntwilio %+v\nsmtp %+v", cfg.Vonage, cfg.Twilio, cfg.SMTP)
	}
	if cfg.VonageRateLimit != 12.5 || cfg.TwilioRateLimit != 5 || strings.Join(cfg.SMSOrder, ",") != "vonage,twilio" {
		t.Errorf("rates %v/%v, order %v", cfg.VonageRateLimit, cfg.TwilioRateLimit, cfg.SMSOrder)
	}
	if got := cfg.Summary(); got != "SMS via vonage then twilio, email via SMTP smtp.example.com:465 (tls)" {
		t.Errorf("Summary = %q", got)
	}
}

func TestFromEnvProviderOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		vars map[string]string
		want string
	}{
		{twilioVars(), "twilio"},
		{merge(vonageVars(), twilioVars()), "vonage,twilio"},
		{merge(vonageVars(), twilioVars(), map[string]string{"SMS_PROVIDERS": " Twilio , vonage "}), "twilio,vonage"},
		{merge(vonageVars(), twilioVars(), map[string]string{"SMS_PROVIDERS": "twilio"}), "twilio"},
	}
	for _, tt := range tests {
		cfg, err := providers.FromEnv(lookup(tt.vars))
		if err != nil {
			t.Fatalf("FromEnv(%v): %v", tt.vars, err)
		}
		if got := strings.Join(cfg.SMSOrder, ","); got != tt.want {
			t.Errorf("SMS_PROVIDERS=%q gives %s, want %s", tt.vars["SMS_PROVIDERS"], got, tt.want)
		}
	}
}

func TestFromEnvSMTPDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := providers.FromEnv(lookup(map[string]string{"SMTP_HOST": "smtp.example.com", "SMTP_FROM": "a@example.com"}))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	if cfg.SMTP.Port != 587 || cfg.SMTP.TLS != smtpmail.TLSStartTLS || cfg.SMTP.Username != "" {
		t.Errorf("SMTP = %+v, want port 587 with starttls and no AUTH", cfg.SMTP)
	}
}

func TestFromEnvReadsWebhookSecrets(t *testing.T) {
	t.Parallel()
	cfg, err := providers.FromEnv(lookup(merge(twilioVars(), map[string]string{
		"VONAGE_SIGNATURE_SECRET": "mySignatureSecret", "VONAGE_SIGNATURE_METHOD": " SHA512 "})))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	want := providers.Signatures{VonageSecret: "mySignatureSecret", VonageMethod: "sha512", TwilioAuthToken: "tok"}
	if cfg.Signatures != want {
		t.Errorf("signatures %+v, want %+v", cfg.Signatures, want)
	}
}
