package contact

import (
	"testing"

	"herald"
)

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw, region, want, code string
	}{
		{"+1 415 555 2671", "US", "+14155552671", ""},
		{"(415) 555-2671", "US", "+14155552671", ""},
		{"030 901820", "DE", "+4930901820", ""},
		{"+44 20 7946 0958", "US", "+442079460958", ""},
		{"", "US", "", ""},
		{"12345", "US", "", herald.ECodeInvalidPhone},
		{"not a phone", "US", "", herald.ECodeInvalidPhone},
		{"+1 415 555 26711234", "US", "", herald.ECodeInvalidPhone},
	}
	for _, c := range cases {
		got, err := NormalizePhone(c.raw, c.region)
		if got != c.want || herald.ErrorCode(err) != c.code {
			t.Errorf("NormalizePhone(%q, %s) = %q, %v; want %q, code %q", c.raw, c.region, got, err, c.want, c.code)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	good := map[string]string{" John@Example.COM ": "John@example.com", "a.b+c@sub.example.org": "a.b+c@sub.example.org"}
	for raw, want := range good {
		if got, err := NormalizeEmail(raw); got != want || err != nil {
			t.Errorf("NormalizeEmail(%q) = %q, %v", raw, got, err)
		}
	}
	for _, raw := range []string{"john", "john@", "@example.com", "John <john@example.com>", "john@localhost", "a@b@c.com"} {
		if _, err := NormalizeEmail(raw); herald.ErrorCode(err) != herald.ECodeInvalidEmail {
			t.Errorf("NormalizeEmail(%q) = %v, want invalid_email", raw, err)
		}
	}
}

func TestNormalizeLead(t *testing.T) {
	t.Parallel()
	l := herald.Lead{Name: " John ", Phone: "415-555-2671", Locale: "en_us", Timezone: "America/New_York"}
	if err := NormalizeLead(&l, "US"); err != nil {
		t.Fatal(err)
	}
	if l.Name != "John" || l.Phone != "+14155552671" || l.Locale != "en-US" {
		t.Fatalf("normalised lead = %+v", l)
	}
	bad := []struct {
		lead herald.Lead
		code string
	}{
		{herald.Lead{Name: "", Email: "a@b.co"}, herald.ECodeInvalid},
		{herald.Lead{Name: "x"}, herald.ECodeInvalid},
		{herald.Lead{Name: "x", Email: "a@b.co", Timezone: "Mars/Base"}, herald.ECodeInvalidTimezone},
		{herald.Lead{Name: "x", Email: "a@b.co", Timezone: "Local"}, herald.ECodeInvalidTimezone},
		{herald.Lead{Name: "x", Email: "a@b.co", Locale: "english!"}, herald.ECodeInvalid},
	}
	for _, c := range bad {
		if err := NormalizeLead(&c.lead, "US"); herald.ErrorCode(err) != c.code {
			t.Errorf("NormalizeLead(%+v) = %v, want %s", c.lead, err, c.code)
		}
	}
}
