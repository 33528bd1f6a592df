package stdwebhook_test

import (
	"net/http"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"herald/stdwebhook"
)

// The example of the specification's reference libraries.
const (
	exampleSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	exampleID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	exampleTimestamp = 1614265330
	exampleBody      = `{"test": 2432232314}`
	exampleSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignMatchesTheSpecificationExample(t *testing.T) {
	t.Parallel()
	got, err := stdwebhook.Sign(exampleSecret, exampleID, time.Unix(exampleTimestamp, 0), []byte(exampleBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != exampleSignature {
		t.Fatalf("signature %s, want %s", got, exampleSignature)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	at := time.Unix(exampleTimestamp, 0)
	headers := func(sig string) http.Header {
		h := http.Header{}
		h.Set(stdwebhook.HeaderID, exampleID)
		h.Set(stdwebhook.HeaderTimestamp, "1614265330")
		h.Set(stdwebhook.HeaderSignature, sig)
		return h
	}
	cases := []struct {
		name    string
		h       http.Header
		body    string
		now     time.Time
		wantErr error
	}{
		{"the example", headers(exampleSignature), exampleBody, at, nil},
		{"one of several", headers("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,x " + exampleSignature), exampleBody, at, nil},
		{"a changed body", headers(exampleSignature), `{"test": 2432232315}`, at, stdwebhook.ErrNoMatch},
		{"a wrong signature", headers("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="), exampleBody, at, stdwebhook.ErrNoMatch},
		{"another version", headers("v1a," + exampleSignature[3:]), exampleBody, at, stdwebhook.ErrNoMatch},
		{"too old", headers(exampleSignature), exampleBody, at.Add(6 * time.Minute), stdwebhook.ErrTooOld},
		{"from the future", headers(exampleSignature), exampleBody, at.Add(-6 * time.Minute), stdwebhook.ErrTooOld},
		{"no signature", headers(""), exampleBody, at, stdwebhook.ErrMissingHeaders},
	}
	for _, c := range cases {
		err := stdwebhook.Verify(exampleSecret, c.h, []byte(c.body), c.now, stdwebhook.DefaultTolerance)
		if err != c.wantErr {
			t.Errorf("%s: %v, want %v", c.name, err, c.wantErr)
		}
	}
}

// TestTheReferenceLibraryVerifiesHeaders checks Headers against the
// specification's Go library, with two secrets as during a rotation.
func TestTheReferenceLibraryVerifiesHeaders(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"evt_1","type":"meeting.booked","created_at":"2026-03-02T15:00:00Z","data":{}}`)
	old, fresh := exampleSecret, "whsec_"+"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ="
	h, err := stdwebhook.Headers("evt_1", time.Now(), body, fresh, old)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{old, fresh} {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, h); err != nil {
			t.Errorf("reference library refuses the signature of %s: %v", secret[:10], err)
		}
	}
	wh, _ := standardwebhooks.NewWebhook("whsec_" + "b3RoZXItb3RoZXItb3RoZXItb3RoZXItb3RoZXItMTI=")
	if err := wh.Verify(body, h); err == nil {
		t.Error("reference library accepts a signature made with other secrets")
	}
}
