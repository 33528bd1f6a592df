package vonage

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"strings"
	"time"

	"herald/internal/providerhttp"
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

// DefaultSignatureMethod is the method Vonage's dashboard selects by default.
const DefaultSignatureMethod = MethodMD5Hash

var hmacs = map[string]func() hash.Hash{
	MethodMD5: md5.New, MethodSHA1: sha1.New, MethodSHA256: sha256.New, MethodSHA512: sha512.New,
}

// ParseSignatureMethod checks a VONAGE_SIGNATURE_METHOD value, ignoring case;
// empty means DefaultSignatureMethod.
func ParseSignatureMethod(name string) (string, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return DefaultSignatureMethod, nil
	}
	if _, ok := hmacs[name]; ok || name == MethodMD5Hash {
		return name, nil
	}
	return "", fmt.Errorf("unknown Vonage signature method %q (want md5hash, md5, sha1, sha256 or sha512)", name)
}

// Sign returns the sig Vonage computes over params with method and
// secret, in lower-case hex. Every parameter but sig is signed, sorted by
// name; in values, '&' and '=' become '_'. Tests sign their requests with
// it as Vonage would.
func Sign(method, secret string, params map[string]string) (string, error) {
	method, err := ParseSignatureMethod(method)
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

// MaxClockSkew is how far a signed webhook's timestamp may be from now,
// either way.
const MaxClockSkew = 5 * time.Minute

// Verifier checks Vonage's signed webhooks (VONAGE_SIGNATURE_SECRET and
// VONAGE_SIGNATURE_METHOD).
type Verifier struct {
	method, secret string
}

// NewVerifier returns a Verifier for method (empty: the default) and
// secret (empty: every webhook is refused).
func NewVerifier(method, secret string) (Verifier, error) {
	m, err := ParseSignatureMethod(method)
	if err != nil {
		return Verifier{}, fmt.Errorf("vonage: %w", err)
	}
	return Verifier{method: m, secret: secret}, nil
}

// WithSecret returns a Verifier of the same method keyed with secret: a
// tenant's own account's.
func (s Verifier) WithSecret(secret string) Verifier {
	s.secret = secret
	return s
}

// Verify checks p's sig, and that its timestamp is within MaxClockSkew of
// now and it carries a nonce, which the store then refuses to see twice.
// Vonage's own examples write sig in upper case, its SDKs in lower case:
// the hex is compared without regard to case.
func (s Verifier) Verify(p providerhttp.Params, now time.Time) error {
	if s.secret == "" {
		return providerhttp.Refuse("VONAGE_SIGNATURE_SECRET is not set, so no Vonage webhook can be verified")
	}
	got := strings.ToLower(strings.TrimSpace(p["sig"]))
	if got == "" {
		return providerhttp.Refuse("the request has no sig")
	}
	// The signed text joins names and values with '&' and '=' and cleans
	// only the values: a name holding either could fold two parameters
	// into one (or one into two) and keep the signature.
	for name := range p {
		if strings.ContainsAny(name, "&=") {
			return providerhttp.Refuse("parameter name %q holds '&' or '=', which the signature cannot tell apart", name)
		}
	}
	want, err := Sign(s.method, s.secret, p)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return providerhttp.Refuse("sig does not match the %s signature of the parameters", s.method)
	}
	// Checked after the signature, so that these fields are Vonage's.
	stamp, err := strconv.ParseInt(strings.TrimSpace(p["timestamp"]), 10, 64)
	if err != nil {
		return providerhttp.Refuse("the signed request has no Unix timestamp")
	}
	if skew := now.Sub(time.Unix(stamp, 0)); skew > MaxClockSkew || skew < -MaxClockSkew {
		return providerhttp.Refuse("timestamp %d is %v away from now, more than %v", stamp, skew.Round(time.Second), MaxClockSkew)
	}
	if strings.TrimSpace(p["nonce"]) == "" {
		return providerhttp.Refuse("the signed request has no nonce")
	}
	return nil
}
