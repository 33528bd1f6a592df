package vonage

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"herald/internal/providerhttp"
)

// Known-answer vectors of Vonage's signature schemes, computed from the
// documented algorithms (sorted parameters, then MD5 or HMAC).
func TestVonageSignatureVectors(t *testing.T) {
	t.Parallel()
	send := map[string]string{"api_key": "abcd1234", "from": "AcmeInc", "to": "447700900000",
		"text": "Hello & welcome = yes", "timestamp": "1700000000"}
	dlr := map[string]string{"msisdn": "447700900000", "to": "AcmeInc", "network-code": "23410",
		"messageId": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", "price": "0.03330000", "status": "delivered",
		"scts": "2001011400", "err-code": "0", "api-key": "abcd1234", "message-timestamp": "2020-01-01 12:00:00",
		"timestamp": "1577880000", "nonce": "ec11dd3e-1e7f-4db5-9467-82b02cd223b9", "client-ref": "evt-42:remind-10m"}
	tests := []struct {
		method string
		params map[string]string
		want   string
	}{
		{MethodMD5Hash, send, "b770b096e7e0470d914803758cc8d025"},
		{MethodMD5, send, "6d7dd7ff65cee02835ad934b172f50cf"},
		{MethodSHA256, send, "c665c22dd1db2801e14c26a67fdb3f58af401924282be89dcb8a0aee14773f00"},
		{MethodSHA256, dlr, "7BDC6E3C01F809481C1723E7014378E1DBE44708D0F7F0EADB3F2D16D046F253"},
	}
	for _, tt := range tests {
		got, err := Sign(tt.method, "mySignatureSecret", tt.params)
		if err != nil || !strings.EqualFold(got, tt.want) {
			t.Errorf("%s: %s (%v), want %s", tt.method, got, err, tt.want)
		}
	}
	// sig itself is never signed.
	withSig := map[string]string{"sig": "anything"}
	for k, v := range send {
		withSig[k] = v
	}
	if got, _ := Sign(MethodMD5Hash, "mySignatureSecret", withSig); got != "b770b096e7e0470d914803758cc8d025" {
		t.Errorf("sig was part of the signature: %s", got)
	}
}

func TestVonageVerification(t *testing.T) {
	t.Parallel()
	now := time.Unix(1577880000, 0)
	base := func() providerhttp.Params {
		return providerhttp.Params{"msisdn": "447700900000", "to": "AcmeInc", "messageId": "abc", "status": "delivered",
			"timestamp": strconv.FormatInt(now.Unix(), 10), "nonce": "n-1"}
	}
	for _, method := range []string{MethodMD5Hash, MethodMD5, MethodSHA1, MethodSHA256, MethodSHA512} {
		signer, err := NewVerifier(strings.ToUpper(method), "s3cret")
		if err != nil {
			t.Fatal(err)
		}
		p := base()
		p["sig"], _ = Sign(method, "s3cret", p)
		if err := signer.Verify(p, now); err != nil {
			t.Errorf("%s: own signature refused: %v", method, err)
		}
		p["sig"] = strings.ToUpper(p["sig"])
		if err := signer.Verify(p, now.Add(4*time.Minute)); err != nil {
			t.Errorf("%s: upper-case sig refused: %v", method, err)
		}
		if err := signer.Verify(p, now.Add(-6*time.Minute)); err == nil {
			t.Errorf("%s: a timestamp 6 minutes ahead was taken", method)
		}
		other := MethodSHA512
		if method == MethodSHA512 {
			other = MethodMD5
		}
		p["sig"], _ = Sign(other, "s3cret", p)
		if err := signer.Verify(p, now); err == nil {
			t.Errorf("%s: a %s signature was taken", method, other)
		}
	}
	if _, err := NewVerifier("sha384", "s"); err == nil {
		t.Error("an unknown method was accepted")
	}
	if err := (Verifier{method: MethodMD5Hash}).Verify(base(), now); err == nil {
		t.Error("a signer without a secret verified a request")
	}
}

// A name with '&' or '=' would let a forger move text between names and
// values and keep Vonage's signature: api-key=k&msisdn=447700900000 signs
// the same as one parameter named "api-key=k&msisdn", which leaves the
// request without its msisdn.
func TestVonageRefusesParameterNamesWithSeparators(t *testing.T) {
	t.Parallel()
	now := time.Unix(1577880000, 0)
	stamp := strconv.FormatInt(now.Unix(), 10)
	signed := providerhttp.Params{"api-key": "k", "msisdn": "447700900000", "text": "HELLO", "timestamp": stamp, "nonce": "n-1"}
	sig, err := Sign(MethodSHA256, "s3cret", signed)
	if err != nil {
		t.Fatal(err)
	}
	forged := providerhttp.Params{"api-key=k&msisdn": "447700900000", "text": "HELLO", "timestamp": stamp, "nonce": "n-1", "sig": sig}
	if same, _ := Sign(MethodSHA256, "s3cret", forged); same != sig {
		t.Fatalf("the forgery does not keep the signature; the test no longer shows the attack")
	}
	signer, err := NewVerifier(MethodSHA256, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.Verify(forged, now); err == nil || !strings.Contains(err.Error(), "holds '&' or '='") {
		t.Fatalf("verify = %v, want the name refused", err)
	}
}
