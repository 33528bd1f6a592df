package providerhttp

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":     0,
		"7":    7 * time.Second,
		"-1":   0,
		"soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
	}
	for value, want := range cases {
		if got := ParseRetryAfter(value, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", value, got, want)
		}
	}
}

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"https://rest.example.com", "http://127.0.0.1:8080/base"} {
		if err := CheckBaseURL(good); err != nil {
			t.Errorf("CheckBaseURL(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"rest.example.com", "ftp://x", "https://x/?a=1", "https://x/#f", "https://"} {
		if err := CheckBaseURL(bad); err == nil {
			t.Errorf("CheckBaseURL(%q) accepted", bad)
		}
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	if got := Snippet([]byte("  short  ")); got != "short" {
		t.Errorf("Snippet = %q", got)
	}
	if got := Snippet([]byte(strings.Repeat("x", 500))); len(got) != 200+len("…") {
		t.Errorf("Snippet of 500 bytes has %d bytes", len(got))
	}
}
