package herald

import "strings"

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

// MaskEmail hides the local part of an address but its first letter:
// "j***@example.com".
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return strings.Repeat("*", len(email))
	}
	return local[:1] + "***@" + domain
}
