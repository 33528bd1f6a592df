package twilio

import (
	"net/url"
	"strings"
	"testing"
)

func TestTwilioSignatureVector(t *testing.T) {
	t.Parallel()
	form := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"}, "ReasonConferenceEnded": {"test"}, "Reason": {"Participant"}}
	const page = "https://mycompany.com/myapp.php?foo=1&bar=2"
	if got := Sign("12345", page, form); got != "vOEb5UThFn24KEfnOFLQY2AE5FY=" {
		t.Fatalf("signature %s", got)
	}
	if err := Verify("12345", page, form, "vOEb5UThFn24KEfnOFLQY2AE5FY="); err != nil {
		t.Fatal(err)
	}
	withPort := Sign("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", form)
	if err := Verify("12345", page, form, withPort); err != nil {
		t.Fatalf("signature over the URL with its default port: %v", err)
	}
	if err := Verify("12345", page, form, "vOEb5UThFn24KEfnOFLQY2AE5FZ="); err == nil {
		t.Fatal("a wrong signature was taken")
	}
}

func TestWithAndWithoutPort(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"https://h.example/p?q=1":     {"https://h.example/p?q=1", "https://h.example:443/p?q=1"},
		"http://h.example:80/p":       {"http://h.example:80/p", "http://h.example/p"},
		"https://h.example:8443/p":    {"https://h.example:8443/p"},
		"https://[2001:db8::1]:443/p": {"https://[2001:db8::1]:443/p", "https://[2001:db8::1]/p"},
	}
	for in, want := range tests {
		if got := withAndWithoutPort(in); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
	}
}

// A refused Twilio GET names its URL without the query, which holds the
// lead's phone number and text.
func TestTwilioRefusalHidesTheQuery(t *testing.T) {
	t.Parallel()
	err := Verify("token", "https://herald.example/webhooks/twilio/inbound?From=%2B14155552671&Body=my+secret",
		url.Values{}, "forged")
	if err == nil || strings.Contains(err.Error(), "14155552671") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("refusal = %v, want it without the phone and the text", err)
	}
}
