package herald

import (
	"errors"
	"fmt"
)

// Error codes are stable strings that API clients can branch on. The HTTP
// layer maps each to a status code.
const (
	ECodeInvalid         = "invalid"      // a field is missing or malformed
	ECodeNotFound        = "not_found"    // no such object in the caller's tenant
	ECodeConflict        = "conflict"     // the object's state forbids the change
	ECodeUnauthorized    = "unauthorized" // missing or wrong credentials
	ECodeUnknownLead     = "unknown_lead" // lead_id is not a lead of the caller's tenant
	ECodeIdemMismatch    = "idempotency_key_reused"
	ECodeIdemInProgress  = "idempotency_in_progress" // the first request with the key is still running
	ECodeRateLimited     = "rate_limited"            // the API key's request budget is spent
	ECodeInternal        = "internal"
	ECodeUnavailable     = "unavailable"
	ECodeTooLarge        = "request_too_large"
	ECodeMalformedJSON   = "malformed_json"
	ECodeMethod          = "method_not_allowed"
	ECodeInvalidPhone    = "invalid_phone"
	ECodeInvalidEmail    = "invalid_email"
	ECodeInvalidTimezone = "invalid_timezone"
	ECodeInvalidTime     = "invalid_time"
	ECodeInvalidCursor   = "invalid_cursor"
	ECodeInvalidQuery    = "invalid_query" // a query parameter is malformed
	ECodeUnknownTemplate = "unknown_template"
	// ECodeMalformedWebhook is a provider webhook whose body cannot be read
	// as the provider's format.
	ECodeMalformedWebhook = "malformed_webhook"
	// ECodeMediaType is a body of a type the route does not read.
	ECodeMediaType = "unsupported_media_type"
)

// Error is a failure the user can act on: its Code is stable and its
// Message is safe to show. Any other error is internal and is logged, not
// shown.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when there is one.
	Field string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("herald error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one input field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, ECodeInternal for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if IsUnavailable(err) {
		return ECodeUnavailable
	}
	return ECodeInternal
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic text so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if IsUnavailable(err) {
		return "The database does not answer at the moment; try again shortly."
	}
	return "Internal error."
}
