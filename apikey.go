package herald

import "time"

// APIKey describes one of a tenant's API keys. The key itself is shown
// once, when it is created; afterwards only its prefix identifies it.
type APIKey struct {
	ID string `json:"id"`
	// Prefix is the key's first characters, enough to tell keys apart.
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// APIKeyPrefixLen is how many characters of a key its Prefix keeps: the
// "hk_" marker and 8 random characters, 40 bits that say which key it is
// and are far too few to guess the rest.
const APIKeyPrefixLen = len(APIKeyPrefix) + 8

// KeyPrefix returns the shown part of an API key.
func KeyPrefix(key string) string {
	if len(key) <= APIKeyPrefixLen {
		return key
	}
	return key[:APIKeyPrefixLen]
}
