// Package providerhttp holds what the HTTP provider adapters (Vonage,
// Twilio) share about talking to an HTTP API: checking a base URL, reading
// Retry-After, and quoting an answer in an error.
package providerhttp

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CheckBaseURL accepts an absolute http(s) URL without query or fragment,
// to which API paths are appended.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", raw)
	}
	return nil
}

// ParseRetryAfter reads a Retry-After header in seconds or as an HTTP date;
// zero when absent or unreadable.
func ParseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if seconds, err := strconv.Atoi(value); err == nil && seconds >= 0 {
		return time.Duration(seconds) * time.Second
	}
	if at, err := http.ParseTime(value); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// Snippet quotes the start of an answer body in an error message, so a
// huge or binary answer cannot flood the logs.
func Snippet(body []byte) string {
	const max = 200
	text := strings.TrimSpace(string(body))
	if len(text) > max {
		return text[:max] + "…"
	}
	return text
}

// Endpoint returns the URL of an API path under base, or under def when
// base is empty, after checking base as CheckBaseURL does.
func Endpoint(base, def, path string) (string, error) {
	if base == "" {
		base = def
	}
	if err := CheckBaseURL(base); err != nil {
		return "", err
	}
	return strings.TrimRight(base, "/") + path, nil
}
