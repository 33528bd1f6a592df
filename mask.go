package herald

import (
	"strings"
	"unicode/utf8"
)

// MaskPhone hides all but the country prefix and the last two digits of a
// phone number, for logs and audit details: "+1*******71".
func MaskPhone(phone string) string {
	if len(phone) <= 4 {
		return strings.Repeat("*", len(phone))
	}
	head := 2
	if !strings.HasPrefix(phone, "+") {
		head = 0
	}
	return phone[:head] + strings.Repeat("*", len(phone)-head-2) + phone[len(phone)-2:]
}

// MaskEmail hides the local part of an address but its first character:
// "j***@example.com", "é***@example.fr". The cut falls after a whole
// character, never inside one, so the result is valid UTF-8 whenever the
// address is.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return strings.Repeat("*", utf8.RuneCountInString(email))
	}
	_, size := utf8.DecodeRuneInString(local)
	return local[:size] + "***@" + domain
}
