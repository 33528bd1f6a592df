package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"herald"
	"herald/internal/providerhttp"
)

// maxParams bounds how many parameters a webhook may carry; real ones
// carry about fifteen.
const maxParams = 100

func malformed(format string, args ...any) error {
	return herald.Errorf(herald.ECodeMalformedWebhook, format, args...)
}

// readBody reads a request body of at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, herald.Errorf(herald.ECodeTooLarge, "the body is larger than %d bytes", limit)
	}
	if err != nil {
		return nil, malformed("the body could not be read")
	}
	return body, nil
}

// isJSON reads a POST's Content-Type: JSON, or form-encoded (also when it
// is missing, as some proxies drop it). Anything else is refused.
func isJSON(contentType string) (bool, error) {
	if strings.TrimSpace(contentType) == "" {
		return false, nil
	}
	media, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
		return false, herald.Errorf(herald.ECodeMediaType, "Content-Type %q cannot be read", contentType)
	case media == "application/json" || strings.HasSuffix(media, "+json"):
		return true, nil
	case media == "application/x-www-form-urlencoded":
		return false, nil
	}
	return false, herald.Errorf(herald.ECodeMediaType, "Content-Type %s is not form-encoded or JSON", media)
}

// readVonageParams reads a Vonage webhook, which the account's settings
// make a GET with a query, a form POST or a JSON POST. A POST's query is
// not read: Vonage does not mix the two.
func readVonageParams(w http.ResponseWriter, r *http.Request, limit int64) (providerhttp.Params, error) {
	if r.Method == http.MethodGet {
		return parseForm(r.URL.RawQuery)
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		return nil, err
	}
	asJSON, err := isJSON(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	if asJSON {
		return parseJSONParams(body)
	}
	return parseForm(string(body))
}

// parseForm reads form-encoded parameters.
func parseForm(raw string) (providerhttp.Params, error) {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return nil, malformed("the parameters are not valid form encoding")
	}
	return fromValues(values)
}

// fromValues keeps one value per name. A repeated name is refused: the
// providers never repeat one, and which value was signed would be unclear.
func fromValues(values url.Values) (providerhttp.Params, error) {
	p := make(providerhttp.Params, len(values))
	for name, vs := range values {
		if len(vs) > 1 {
			return nil, malformed("parameter %q is repeated", name)
		}
		p[name] = vs[0]
	}
	return p, checkParams(p)
}

// parseJSONParams reads a JSON object of scalar fields. Vonage sends every
// value as a string; numbers and booleans are taken in their JSON spelling
// and null as absent, so that a sender that types them is still read.
func parseJSONParams(body []byte) (providerhttp.Params, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return nil, malformed("the body is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed("the body has data after its JSON object")
	}
	p := make(providerhttp.Params, len(fields))
	for name, v := range fields {
		switch v := v.(type) {
		case string:
			p[name] = v
		case json.Number:
			p[name] = v.String()
		case bool:
			p[name] = strconv.FormatBool(v)
		case nil:
		default:
			return nil, malformed("field %q is not a string", name)
		}
	}
	return p, checkParams(p)
}

// check refuses what no provider sends and no database stores: too many
// parameters, invalid UTF-8 and NUL characters.
func checkParams(p providerhttp.Params) error {
	if len(p) > maxParams {
		return malformed("more than %d parameters", maxParams)
	}
	for name, value := range p {
		if name == "" || !utf8.ValidString(name) || !utf8.ValidString(value) ||
			strings.ContainsRune(name, 0) || strings.ContainsRune(value, 0) {
			return malformed("parameter %q is not valid text", name)
		}
	}
	return nil
}

// readTwilioForm reads a Twilio webhook: the form of a POST, which the
// signature covers, or the query of a GET, which the signature covers as
// part of the URL.
func readTwilioForm(w http.ResponseWriter, r *http.Request, limit int64) (providerhttp.Params, url.Values, error) {
	if r.Method == http.MethodGet {
		p, err := parseForm(r.URL.RawQuery)
		return p, nil, err
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		return nil, nil, err
	}
	if asJSON, err := isJSON(r.Header.Get("Content-Type")); err != nil || asJSON {
		return nil, nil, herald.Errorf(herald.ECodeMediaType, "Twilio webhooks are form-encoded")
	}
	signed, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, nil, malformed("the body is not valid form encoding")
	}
	p, err := fromValues(signed)
	return p, signed, err
}

// writeJSONAs answers v as JSON of the given media type.
func writeJSONAs(w http.ResponseWriter, mediaType string, status int, v any) {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
