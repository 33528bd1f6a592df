// Package stdwebhook signs and verifies webhooks as the Standard Webhooks
// specification (https://www.standardwebhooks.com) says: the headers
// webhook-id, webhook-timestamp and webhook-signature, the latter a
// space-separated list of "v1,<base64 HMAC-SHA256>" signatures of
// "{id}.{timestamp}.{body}", keyed with the secret's decoded bytes. It
// imports only the standard library, so the client package can carry it.
package stdwebhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed webhook.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts a secret in its usual form; the rest is base64.
const SecretPrefix = "whsec_"

// DefaultTolerance is how far a webhook's timestamp may be from now.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify.
var (
	ErrMissingHeaders = errors.New("webhook: a webhook-id, webhook-timestamp or webhook-signature header is missing")
	ErrBadTimestamp   = errors.New("webhook: the webhook-timestamp is not Unix seconds")
	ErrTooOld         = errors.New("webhook: the timestamp is too far from now")
	ErrNoMatch        = errors.New("webhook: no signature matches")
)

// DecodeSecret returns a secret's key bytes: the base64 after the whsec_
// prefix (the prefix is optional).
func DecodeSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("webhook: the secret is not whsec_ followed by base64")
	}
	return key, nil
}

// Sign returns the v1 signature of a webhook, as its webhook-signature
// header carries it.
func Sign(secret, id string, timestamp time.Time, body []byte) (string, error) {
	key, err := DecodeSecret(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, timestamp.Unix(), body)), nil
}

func mac(key []byte, id string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id + "." + strconv.FormatInt(unix, 10) + "."))
	h.Write(body)
	return h.Sum(nil)
}

// Headers returns the headers of a webhook signed with each of secrets
// (several while a secret is being rotated).
func Headers(id string, timestamp time.Time, body []byte, secrets ...string) (http.Header, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, id, timestamp, body)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, sig)
	}
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return h, nil
}

// Verify checks a received webhook against secret: one of its v1
// signatures must match, and its timestamp must be within tolerance of now
// (a tolerance of 0 skips that check).
func Verify(secret string, headers http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := DecodeSecret(secret)
	if err != nil {
		return err
	}
	id, stamp, sigs := headers.Get(HeaderID), headers.Get(HeaderTimestamp), headers.Get(HeaderSignature)
	if id == "" || stamp == "" || sigs == "" {
		return ErrMissingHeaders
	}
	unix, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if tolerance > 0 {
		if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
			return ErrTooOld
		}
	}
	want := mac(key, id, unix, body)
	for _, sig := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoMatch
}
