package render

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Codes of a *TemplateError. They are stable strings that API clients can
// branch on, so they are never renamed.
const (
	// CodeEmptyTemplate: a required part (SMS text, email subject or email
	// text) is empty or only white space.
	CodeEmptyTemplate = "empty_template"
	// CodeTooLarge: a part is longer than its channel allows (see MaxSMSRunes,
	// MaxEmailBytes, MaxSubjectBytes).
	CodeTooLarge = "template_too_large"
	// CodeUnknownPlaceholder: a {name} that Herald does not know, including
	// {} and names with spaces; a literal brace is written {{ or }}.
	CodeUnknownPlaceholder = "unknown_placeholder"
	// CodeUnbalancedBrace: a { without its }, or a } without its {.
	CodeUnbalancedBrace = "unbalanced_brace"
	// CodeUnbalancedBracket: a [ without its ], or a ] without its [.
	CodeUnbalancedBracket = "unbalanced_bracket"
	// CodeNestedOptional: an optional part inside another one.
	CodeNestedOptional = "nested_optional"
	// CodeInvalidUTF8: the source is not valid UTF-8.
	CodeInvalidUTF8 = "invalid_utf8"
	// CodeUnknownChannel: the channel is neither sms nor email.
	CodeUnknownChannel = "unknown_channel"
	// CodeInvalidName: a template name with characters other than letters,
	// digits, '_', '-' and '.', or longer than 64 bytes.
	CodeInvalidName = "invalid_name"
	// CodeUnknownTemplate: no template of that name (and channel). It equals
	// the domain's unknown_template code on purpose.
	CodeUnknownTemplate = "unknown_template"
)

// TemplateError is a fault in a template, or a template that does not exist.
// Its Detail is written for the tenant who edits the template, so the API may
// show it as is.
type TemplateError struct {
	// Code is one of the Code* constants.
	Code string
	// Detail says what is wrong and where, such as
	// "unknown placeholder {foo} at offset 12".
	Detail string
	// Part names the part at fault: "text", "subject" or "html"; empty when
	// the fault is not in a part.
	Part string
	// Offset is the byte offset of the fault within Part, or -1.
	Offset int
}

// Error implements error. It returns Detail alone, so that a message such as
// `unknown template "foo"` reaches the user unchanged.
func (e *TemplateError) Error() string { return e.Detail }

// ErrorCode returns the code of the *TemplateError in err's chain, or "" when
// there is none.
func ErrorCode(err error) string {
	var te *TemplateError
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

// partError builds a positioned error; the part's name prefixes the detail
// for email parts so that a tenant knows which of the three to fix.
func partError(code string, p part, offset int, detail string) *TemplateError {
	if p != partSMS {
		detail = p.String() + ": " + detail
	}
	return &TemplateError{Code: code, Detail: detail, Part: p.String(), Offset: offset}
}

// displayName shortens and cleans text taken from a faulty source before it
// goes into an error message: a stray "{" can swallow kilobytes of CSS, and
// control characters would garble logs.
func displayName(s string) string {
	const maxBytes = 32
	if len(s) > maxBytes {
		cut := maxBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
