package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"

	"herald/internal/providerhttp"
)

// Sign returns the X-Twilio-Signature of a request to fullURL with
// the form parameters form: the base64 HMAC-SHA1, keyed with the auth
// token, of the URL followed by each parameter's name and value, sorted
// by name (and by value when a name repeats).
func Sign(authToken, fullURL string, form url.Values) string {
	names := make([]string, 0, len(form))
	for name := range form {
		names = append(names, name)
	}
	sort.Strings(names)
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	for _, name := range names {
		values := append([]string(nil), form[name]...)
		sort.Strings(values)
		for _, v := range values {
			mac.Write([]byte(name + v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks X-Twilio-Signature over the public URL the request
// was made to. Twilio is not consistent about writing the default port,
// so the URL is tried with and without it, as Twilio's own libraries do.
func Verify(authToken, fullURL string, form url.Values, signature string) error {
	if signature == "" {
		return providerhttp.Refuse("the request has no X-Twilio-Signature")
	}
	for _, candidate := range withAndWithoutPort(fullURL) {
		want := Sign(authToken, candidate, form)
		if subtle.ConstantTimeCompare([]byte(signature), []byte(want)) == 1 {
			return nil
		}
	}
	// The query of a GET holds the phone numbers and text of the message:
	// the refusal names the URL without it.
	base, query, _ := strings.Cut(fullURL, "?")
	if query != "" {
		base += "?…"
	}
	return providerhttp.Refuse("X-Twilio-Signature does not match %s", base)
}

// withAndWithoutPort returns rawURL and its form with the scheme's default
// port added or removed.
func withAndWithoutPort(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return []string{rawURL}
	}
	port := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	if port == "" {
		return []string{rawURL}
	}
	other := *u
	switch u.Port() {
	case "":
		other.Host = u.Host + ":" + port
	case port:
		other.Host = u.Hostname()
		if strings.Contains(other.Host, ":") {
			other.Host = "[" + other.Host + "]" // an IPv6 address keeps its brackets
		}
	default:
		return []string{rawURL}
	}
	return []string{rawURL, other.String()}
}
