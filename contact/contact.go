// Package contact validates and normalises how a lead is reached: phone
// numbers to E.164 with libphonenumber's rules, email addresses, IANA
// timezones and locales.
package contact

import (
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"herald"
)

// NormalizePhone parses a phone number written in any common form and
// returns it in E.164. A number without a leading + is read in the
// numbering plan of region (ISO country code, such as "US").
func NormalizePhone(raw, region string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	bad := herald.FieldErrorf(herald.ECodeInvalidPhone, "phone", "phone %q is not a valid phone number", raw)
	if len(raw) > 40 {
		return "", bad
	}
	num, err := phonenumbers.Parse(raw, strings.ToUpper(region))
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", bad
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// NormalizeEmail checks a bare email address (no display name) and returns
// it trimmed, with the domain in lower case.
func NormalizeEmail(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	bad := herald.FieldErrorf(herald.ECodeInvalidEmail, "email", "email %q is not a valid address", raw)
	addr, err := mail.ParseAddress(raw)
	if err != nil || addr.Address != raw || addr.Name != "" || len(raw) > 254 {
		return "", bad
	}
	local, domain, _ := strings.Cut(raw, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", bad
	}
	return local + "@" + strings.ToLower(domain), nil
}

// CheckTimezone accepts "" (none) or an IANA zone name.
func CheckTimezone(field, name string) error {
	if name == "" {
		return nil
	}
	if _, err := herald.LoadZone(name); err != nil {
		return herald.FieldErrorf(herald.ECodeInvalidTimezone, field,
			"%s %q is not an IANA zone such as \"America/New_York\"", field, name)
	}
	return nil
}

// NormalizeLocale accepts "" or a BCP 47 tag of a language and an optional
// region ("en", "en-US", "de_DE"), returned as "en-US".
func NormalizeLocale(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	lang, region, hasRegion := strings.Cut(strings.ReplaceAll(raw, "_", "-"), "-")
	ok := len(lang) >= 2 && len(lang) <= 3 && isLetters(lang)
	if hasRegion {
		ok = ok && len(region) == 2 && isLetters(region)
	}
	if !ok {
		return "", herald.FieldErrorf(herald.ECodeInvalid, "locale", "locale %q is not a tag such as \"en-US\"", raw)
	}
	if hasRegion {
		return strings.ToLower(lang) + "-" + strings.ToUpper(region), nil
	}
	return strings.ToLower(lang), nil
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// NormalizeLead validates every field of a lead and normalises phone,
// email and locale in place. A lead needs a name and a phone or an email.
func NormalizeLead(l *herald.Lead, region string) error {
	l.Name = strings.TrimSpace(l.Name)
	if l.Name == "" || len(l.Name) > herald.MaxNameBytes {
		return herald.FieldErrorf(herald.ECodeInvalid, "name", "a lead needs a name of 1 to %d characters", herald.MaxNameBytes)
	}
	// A line break in a name would break the To header of every email.
	if err := herald.CheckLine("name", l.Name); err != nil {
		return err
	}
	var err error
	if l.Phone, err = NormalizePhone(l.Phone, region); err != nil {
		return err
	}
	if l.Email, err = NormalizeEmail(l.Email); err != nil {
		return err
	}
	if l.Phone == "" && l.Email == "" {
		return herald.FieldErrorf(herald.ECodeInvalid, "phone", "a lead needs a phone or an email")
	}
	if err := CheckTimezone("timezone", l.Timezone); err != nil {
		return err
	}
	l.Locale, err = NormalizeLocale(l.Locale)
	return err
}
