package httpapi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// sealedPrefix marks a recorded body that is sealed (see sealAnswer).
const sealedPrefix = "sealed:v1:"

// sealAnswer seals the recorded answer of a route whose answer holds a
// secret shown once (a new API key): the record must not keep in clear
// what the database keeps only hashed. The seal's key is derived from the
// caller's API key, which the database does not hold, and the
// Idempotency-Key, so only a repeat made with the same API key can open it.
func sealAnswer(apiKey, idemKey string, body []byte) ([]byte, error) {
	aead, err := answerAEAD(apiKey, idemKey)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	sealed := aead.Seal(nonce, nonce, body, []byte(idemKey))
	return []byte(sealedPrefix + base64.StdEncoding.EncodeToString(sealed)), nil
}

// errSealedForAnotherKey is a sealed answer that the caller's API key
// cannot open.
var errSealedForAnotherKey = errors.New("sealed for another API key")

// openAnswer opens a body sealAnswer sealed; any other body is returned as
// it is.
func openAnswer(apiKey, idemKey string, body []byte) ([]byte, error) {
	text, ok := strings.CutPrefix(string(body), sealedPrefix)
	if !ok {
		return body, nil
	}
	sealed, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, err
	}
	aead, err := answerAEAD(apiKey, idemKey)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errSealedForAnotherKey
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(idemKey))
	if err != nil {
		return nil, errSealedForAnotherKey
	}
	return plain, nil
}

func answerAEAD(apiKey, idemKey string) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, []byte(apiKey))
	mac.Write([]byte("herald idempotent answer\x00" + idemKey))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
