package sealed_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"herald/internal/sealed"
)

func newKey() string {
	k := make([]byte, sealed.KeySize)
	_, _ = rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	box, err := sealed.FromBase64(newKey())
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(`{"api_secret":"Secret-123456"}`)
	s := box.Seal(secret, "ten_A")
	if strings.Contains(s, "Secret") {
		t.Fatalf("sealed value shows the secret: %s", s)
	}
	if got, err := box.Open(s, "ten_A"); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if box.Seal(secret, "ten_A") == s {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if _, err := box.Open(s, "ten_B"); err == nil {
		t.Error("a value sealed for one tenant opens for another")
	}
	other, _ := sealed.FromBase64(newKey())
	if _, err := other.Open(s, "ten_A"); err == nil {
		t.Error("a value opens with another key")
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		if _, err := sealed.FromBase64(bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}
