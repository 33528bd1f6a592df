package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"herald"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 64 << 10

// decodeJSON reads one JSON object from the body into dst, refusing
// unknown fields, trailing data and bodies over MaxBodyBytes. The body is
// read whole first, so an oversized body is always reported as too large,
// whatever part of it breaks the limit.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeBody(w, r, dst, bodyRules{limit: MaxBodyBytes})
}

// bodyRules are what a route accepts as its body.
type bodyRules struct {
	// limit is the largest body in bytes.
	limit int64
	// optional lets an empty body stand for {}.
	optional bool
}

// decodeBody is decodeJSON with the route's own rules.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any, rules bodyRules) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rules.limit))
	if err != nil {
		return jsonError(err, rules.limit)
	}
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 {
		if rules.optional {
			return nil
		}
		return jsonError(io.EOF, rules.limit)
	}
	// JSON is UTF-8; the decoder would quietly turn other bytes into
	// U+FFFD, storing something the client never sent.
	if !utf8.Valid(raw) {
		return herald.Errorf(herald.ECodeMalformedJSON, "the body is not valid UTF-8")
	}
	if hasLoneSurrogate(raw) {
		return herald.Errorf(herald.ECodeMalformedJSON, "the body escapes half of a UTF-16 surrogate pair (\\uD800 to \\uDFFF alone), which is no character")
	}
	// null or an array would decode into an empty struct and pass for {}.
	if trimmed[0] != '{' {
		return herald.Errorf(herald.ECodeMalformedJSON, "the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, rules.limit)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return herald.Errorf(herald.ECodeMalformedJSON, "the body must hold a single JSON object")
	}
	return checkStrings(dst)
}

func jsonError(err error, limit int64) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return herald.Errorf(herald.ECodeTooLarge, "the body is larger than %d bytes", limit)
	case errors.Is(err, io.EOF):
		return herald.Errorf(herald.ECodeMalformedJSON, "the body is empty; a JSON object is expected")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return herald.Errorf(herald.ECodeMalformedJSON, "the body is not valid JSON: %v", err)
	case errors.As(err, &typeErr):
		return herald.FieldErrorf(herald.ECodeInvalid, typeErr.Field, "field %q must be %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return herald.FieldErrorf(herald.ECodeInvalid, field, "unknown field %q", field)
	}
	// Errors of our own UnmarshalJSON methods (durations, times) are
	// input errors too.
	return herald.Errorf(herald.ECodeInvalid, "%v", err)
}

func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// parseTime reads an RFC 3339 time of a field.
func parseTime(field, raw string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, herald.FieldErrorf(herald.ECodeInvalidTime, field,
			"%s %q is not an RFC 3339 time such as \"2026-12-01T14:00:00-05:00\"", field, raw)
	}
	if err := herald.CheckTimeRange(field, t); err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// pageRequest reads the limit and cursor query parameters.
func pageRequest(r *http.Request) (herald.PageRequest, error) {
	q := r.URL.Query()
	p := herald.PageRequest{Cursor: q.Get("cursor")}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > herald.MaxPageLimit {
			return p, herald.FieldErrorf(herald.ECodeInvalidQuery, "limit",
				"limit must be a number from 1 to %d", herald.MaxPageLimit)
		}
		p.Limit = n
	}
	return p, nil
}

// optionalTime reads an optional RFC 3339 query parameter.
func optionalTime(r *http.Request, name string) (*time.Time, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return nil, herald.FieldErrorf(herald.ECodeInvalidQuery, name, "%s %q is not an RFC 3339 time", name, raw)
	}
	if herald.CheckTimeRange(name, t) != nil {
		return nil, herald.FieldErrorf(herald.ECodeInvalidQuery, name, "%s %q is outside the years %d to %d",
			name, raw, herald.MinTime.Year(), herald.MaxTime.Year())
	}
	t = t.UTC()
	return &t, nil
}

// oneOf checks an optional query parameter against the allowed values.
func oneOf[T ~string](r *http.Request, name string, allowed ...T) (T, error) {
	v := T(r.URL.Query().Get(name))
	if v == "" {
		return "", nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if v == a {
			return v, nil
		}
		names[i] = string(a)
	}
	return "", herald.FieldErrorf(herald.ECodeInvalidQuery, name, "%s must be one of %s", name, strings.Join(names, ", "))
}

// hasLoneSurrogate reports whether a JSON text escapes a UTF-16 surrogate
// that is not half of a pair, which the decoder would quietly turn into
// U+FFFD. Backslashes occur only inside strings, each starting an escape.
func hasLoneSurrogate(raw []byte) bool {
	surrogate := func(i int) (rune, bool) {
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		return rune(n), err == nil && n >= 0xd800 && n <= 0xdfff
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r, ok := surrogate(i)
		if !ok {
			i++ // skip the escaped character, a backslash included
			continue
		}
		low, ok := surrogate(i + 6)
		if r >= 0xdc00 || !ok || low < 0xdc00 {
			return true
		}
		i += 11
	}
	return false
}
