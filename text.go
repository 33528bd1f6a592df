package herald

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Length limits of the texts Herald stores, in bytes. They are the caps a
// rendered message is bounded by, so previews apply them too.
const (
	MaxNameBytes     = 200  // a lead's or a tenant's name
	MaxTitleBytes    = 200  // a meeting's title
	MaxJoinLinkBytes = 2000 // a meeting's join link
	MaxSourceBytes   = 64   // a meeting's source
	MaxRuleNameBytes = 64   // a reminder rule's name
	// MaxReplyBytes bounds an automatic reply: ten SMS parts of UCS-2
	// text, so a tenant cannot make Herald send a book for each STOP.
	MaxReplyBytes = 1600
)

// The range of times Herald accepts. Both databases and JSON hold every
// time in it; a time outside it (the year 10000, say) is refused with
// ECodeInvalidTime rather than stored and then failing to show.
var (
	MinTime = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, time.December, 31, 23, 59, 59, 0, time.UTC)
)

// CheckTimeRange refuses a time outside [MinTime, MaxTime] with
// ECodeInvalidTime naming field.
func CheckTimeRange(field string, t time.Time) error {
	if t.Before(MinTime) || t.After(MaxTime) {
		return FieldErrorf(ECodeInvalidTime, field, "%s must be between %s and %s",
			field, MinTime.Format(time.RFC3339), MaxTime.Format(time.RFC3339))
	}
	return nil
}

// CheckLine refuses text that is not valid UTF-8 or that holds a control
// character (NUL, CR, LF, tab …): names, titles and identifiers are one
// line, and a line break in a name would break the email headers it goes
// into.
func CheckLine(field, s string) error {
	return checkText(field, s, false)
}

// CheckMultiline is CheckLine for texts that may span lines: line feeds,
// carriage returns and tabs are allowed, other control characters are not.
func CheckMultiline(field, s string) error {
	return checkText(field, s, true)
}

func checkText(field, s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(ECodeInvalid, field, "%s is not valid UTF-8", field)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return isControl(r, multiline) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return FieldErrorf(ECodeInvalid, field, "%s holds the control character U+%04X at byte %d", field, r, i)
	}
	return nil
}

// isControl reports whether r is a control character that text fields
// refuse: C0 and C1 controls, DEL, and the Unicode line and paragraph
// separators. With multiline, LF, CR and tab are allowed.
func isControl(r rune, multiline bool) bool {
	if multiline && (r == '\n' || r == '\r' || r == '\t') {
		return false
	}
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x2028 || r == 0x2029
}
