package herald

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Tenant is one customer account. Every other object belongs to exactly one.
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// DisabledAt is when an operator disabled the tenant: its keys answer
	// 401 and its reminders and event deliveries are held, not sent, until
	// it is enabled again.
	DisabledAt *time.Time `json:"disabled_at"`
}

// Disabled tells whether the tenant is switched off.
func (t Tenant) Disabled() bool { return t.DisabledAt != nil }

// APIKeyPrefix starts every tenant API key, so a leaked key is easy to spot.
const APIKeyPrefix = "hk_"

// NewAPIKey returns a fresh API key from a secure random source. Only its
// hash is stored; the key itself is shown once.
func NewAPIKey() string {
	return APIKeyPrefix + rand.Text() + rand.Text()
}

// HashAPIKey returns the stored form of an API key. Keys carry 260 random
// bits, so a fast hash is enough: there is nothing to brute-force.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
