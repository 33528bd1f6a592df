package webhook

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Vonage signature methods. md5hash is a plain MD5 of the parameters with
// the secret appended; the others are HMACs keyed with the secret.
const (
	MethodMD5Hash = "md5hash"
	MethodMD5     = "md5"
	MethodSHA1    = "sha1"
	MethodSHA256  = "sha256"
	MethodSHA512  = "sha512"
)

// DefaultVonageMethod is the method Vonage's dashboard selects by default.
const DefaultVonageMethod = MethodMD5Hash

var hmacs = map[string]func() hash.Hash{
	MethodMD5: md5.New, MethodSHA1: sha1.New, MethodSHA256: sha256.New, MethodSHA512: sha512.New,
}

// ParseVonageMethod checks a VONAGE_SIGNATURE_METHOD value, ignoring case;
// empty means DefaultVonageMethod.
func ParseVonageMethod(name string) (string, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return DefaultVonageMethod, nil
	}
	if _, ok := hmacs[name]; ok || name == MethodMD5Hash {
		return name, nil
	}
	return "", fmt.Errorf("unknown Vonage signature method %q (want md5hash, md5, sha1, sha256 or sha512)", name)
}

// SignVonage returns the sig Vonage computes over params with method and
// secret, in lower-case hex. Every parameter but sig is signed, sorted by
// name; in values, '&' and '=' become '_'. Tests sign their requests with
// it as Vonage would.
func SignVonage(method, secret string, params map[string]string) (string, error) {
	method, err := ParseVonageMethod(method)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(params))
	for name := range params {
		if name != "sig" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	clean := strings.NewReplacer("&", "_", "=", "_")
	var base strings.Builder
	for _, name := range names {
		base.WriteString("&" + name + "=" + clean.Replace(params[name]))
	}
	if method == MethodMD5Hash {
		sum := md5.Sum([]byte(base.String() + secret))
		return hex.EncodeToString(sum[:]), nil
	}
	mac := hmac.New(hmacs[method], []byte(secret))
	mac.Write([]byte(base.String()))
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// vonageSigner verifies Vonage's signed webhooks.
type vonageSigner struct {
	method, secret string
}

func newVonageSigner(method, secret string) (vonageSigner, error) {
	m, err := ParseVonageMethod(method)
	if err != nil {
		return vonageSigner{}, fmt.Errorf("webhook: %w", err)
	}
	return vonageSigner{method: m, secret: secret}, nil
}

// verify checks p's sig, and that its timestamp is within MaxClockSkew of
// now and it carries a nonce, which the store then refuses to see twice.
// Vonage's own examples write sig in upper case, its SDKs in lower case:
// the hex is compared without regard to case.
func (s vonageSigner) verify(p params, now time.Time) error {
	if s.secret == "" {
		return refuse("VONAGE_SIGNATURE_SECRET is not set, so no Vonage webhook can be verified")
	}
	got := strings.ToLower(strings.TrimSpace(p["sig"]))
	if got == "" {
		return refuse("the request has no sig")
	}
	// The signed text joins names and values with '&' and '=' and cleans
	// only the values: a name holding either could fold two parameters
	// into one (or one into two) and keep the signature.
	for name := range p {
		if strings.ContainsAny(name, "&=") {
			return refuse("parameter name %q holds '&' or '=', which the signature cannot tell apart", name)
		}
	}
	want, err := SignVonage(s.method, s.secret, p)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return refuse("sig does not match the %s signature of the parameters", s.method)
	}
	// Checked after the signature, so that these fields are Vonage's.
	stamp, err := strconv.ParseInt(strings.TrimSpace(p["timestamp"]), 10, 64)
	if err != nil {
		return refuse("the signed request has no Unix timestamp")
	}
	if skew := now.Sub(time.Unix(stamp, 0)); skew > MaxClockSkew || skew < -MaxClockSkew {
		return refuse("timestamp %d is %v away from now, more than %v", stamp, skew.Round(time.Second), MaxClockSkew)
	}
	if strings.TrimSpace(p["nonce"]) == "" {
		return refuse("the signed request has no nonce")
	}
	return nil
}

// SignTwilio returns the X-Twilio-Signature of a request to fullURL with
// the form parameters form: the base64 HMAC-SHA1, keyed with the auth
// token, of the URL followed by each parameter's name and value, sorted
// by name (and by value when a name repeats).
func SignTwilio(authToken, fullURL string, form url.Values) string {
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

// verifyTwilio checks X-Twilio-Signature over the public URL the request
// was made to. Twilio is not consistent about writing the default port,
// so the URL is tried with and without it, as Twilio's own libraries do.
func verifyTwilio(authToken, fullURL string, form url.Values, signature string) error {
	if signature == "" {
		return refuse("the request has no X-Twilio-Signature")
	}
	for _, candidate := range withAndWithoutPort(fullURL) {
		want := SignTwilio(authToken, candidate, form)
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
	return refuse("X-Twilio-Signature does not match %s", base)
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
