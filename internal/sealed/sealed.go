// Package sealed encrypts secrets at rest with AES-256-GCM from the
// standard library, under the key of HERALD_SECRET_KEY (32 bytes, base64).
// Each sealed value carries its own random nonce and is bound to a label
// (a tenant id), so a value copied to another tenant's row does not open.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of the key in bytes.
const KeySize = 32

// version prefixes every sealed value, so the scheme can change later.
const version = "v1:"

// Box seals and opens values with one key. It is safe for concurrent use.
type Box struct{ aead cipher.AEAD }

// ErrNoKey is returned by FromBase64 when the key is empty.
var ErrNoKey = errors.New("no key")

// FromBase64 returns a Box over a key given in standard or URL base64.
func FromBase64(encoded string) (*Box, error) {
	encoded = strings.TrimSpace(encoded)
	if encoded == "" {
		return nil, ErrNoKey
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		key, err = base64.URLEncoding.DecodeString(encoded)
	}
	if err != nil {
		return nil, errors.New("the key is not base64")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("the key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain for label and returns printable text.
func (b *Box) Seal(plain []byte, label string) string {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := b.aead.Seal(nonce, nonce, plain, []byte(label))
	return version + base64.StdEncoding.EncodeToString(out)
}

// Open decrypts a value Seal made for label. A value sealed with another
// key or for another label, or altered, is refused.
func (b *Box) Open(sealed, label string) ([]byte, error) {
	raw, ok := strings.CutPrefix(sealed, version)
	if !ok {
		return nil, errors.New("sealed value of an unknown version")
	}
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(data) < b.aead.NonceSize() {
		return nil, errors.New("sealed value is malformed")
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, data[:n], data[n:], []byte(label))
	if err != nil {
		return nil, errors.New("sealed value does not open with this key (was HERALD_SECRET_KEY changed?)")
	}
	return plain, nil
}
