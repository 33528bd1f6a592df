package providerhttp

import (
	"fmt"
	"strings"

	"herald"
)

// Params are a webhook's parameters, one value per name, exactly as the
// provider signed them.
type Params map[string]string

// Require returns the named parameter, or an error naming it when it is
// missing or empty.
func (p Params) Require(name string) (string, error) {
	v := strings.TrimSpace(p[name])
	if v == "" {
		return "", herald.FieldErrorf(herald.ECodeInvalid, name, "%s is required", name)
	}
	return v, nil
}

// First returns the first non-empty of the named parameters: Twilio sends
// the same value under a current and a legacy name.
func (p Params) First(names ...string) string {
	for _, name := range names {
		if v := strings.TrimSpace(p[name]); v != "" {
			return v
		}
	}
	return ""
}

// Refusal is a webhook that failed verification. Its reason is logged,
// never answered: it would tell a forger what to fix.
type Refusal struct{ Reason string }

// Error implements error.
func (e *Refusal) Error() string { return "webhook refused: " + e.Reason }

// Refuse returns a *Refusal with a formatted reason.
func Refuse(format string, args ...any) error {
	return &Refusal{Reason: fmt.Sprintf(format, args...)}
}
