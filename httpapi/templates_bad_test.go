package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"herald"
	"herald/render"
)

// badTemplate is a template request the API must refuse without writing.
type badTemplate struct {
	name, method, path, body string
	status                   int
	code, field              string
	// detail is a text the problem's detail must hold: the fault, its
	// offset, the part at fault.
	detail string
}

// badTemplates are the ways a template can be refused when saved or read.
func badTemplates() []badTemplate {
	const put, path = "PUT", "/v1/templates/meeting_reminder_1h"
	unprocessable := func(name, body, code, field, detail string) badTemplate {
		return badTemplate{name: name, method: put, path: path, body: body, status: http.StatusUnprocessableEntity,
			code: code, field: field, detail: detail}
	}
	bigHTML := strings.Repeat("<p>x</p>", render.MaxEmailBytes/8+1)
	return []badTemplate{
		unprocessable("unknown placeholder", `{"text": "Hi {nam}!"}`, render.CodeUnknownPlaceholder, "text",
			"unknown placeholder {nam} at offset 3"),
		unprocessable("placeholder with spaces", `{"text": "Hi { name }!"}`, render.CodeUnknownPlaceholder, "text", "offset 3"),
		unprocessable("unclosed brace", `{"text": "Hi {name, see you"}`, render.CodeUnbalancedBrace, "text", "{ at offset 3 is never closed"),
		unprocessable("lone closing brace", `{"text": "Hi name}"}`, render.CodeUnbalancedBrace, "text", "unexpected } at offset 7"),
		unprocessable("unclosed bracket", `{"text": "Hi {name}[ Join: {join_link}"}`, render.CodeUnbalancedBracket, "text",
			"[ at offset 9 is never closed"),
		unprocessable("nested optional", `{"text": "[a [b {name}]]"}`, render.CodeNestedOptional, "text", "offset 3"),
		unprocessable("empty text", `{"text": "  "}`, render.CodeEmptyTemplate, "text", "empty"),
		unprocessable("no text", `{}`, render.CodeEmptyTemplate, "text", "empty"),
		unprocessable("SMS over 1600 characters", `{"text": "`+strings.Repeat("a", render.MaxSMSRunes+1)+`"}`,
			render.CodeTooLarge, "text", "1600"),
		unprocessable("email HTML over 64 KiB", `{"channel": "email", "subject": "s", "text": "t", "html": "`+bigHTML+`"}`,
			render.CodeTooLarge, "html", "html: template is larger than 65536 bytes"),
		unprocessable("email without subject", `{"channel": "email", "text": "Hi {name}"}`, render.CodeEmptyTemplate, "subject", "subject"),
		unprocessable("email subject with unknown placeholder", `{"channel": "email", "subject": "{when}", "text": "Hi"}`,
			render.CodeUnknownPlaceholder, "subject", "subject: unknown placeholder {when} at offset 0"),
		unprocessable("SMS with subject", `{"text": "Hi", "subject": "s"}`, herald.ECodeInvalid, "subject", "no subject"),
		unprocessable("SMS with HTML", `{"text": "Hi", "html": "<p>Hi</p>"}`, herald.ECodeInvalid, "html", "no HTML"),
		unprocessable("unknown channel", `{"channel": "fax", "text": "Hi"}`, render.CodeUnknownChannel, "channel", `"fax"`),
		unprocessable("unknown field", `{"text": "Hi", "body": "Hi"}`, herald.ECodeInvalid, "body", "body"),
		{name: "channels disagree", method: put, path: path + "?channel=email", body: `{"channel": "sms", "text": "Hi"}`,
			status: http.StatusUnprocessableEntity, code: herald.ECodeInvalid, field: "channel", detail: "differ"},
		{name: "bad name", method: put, path: "/v1/templates/hi%20there", body: `{"text": "Hi"}`,
			status: http.StatusUnprocessableEntity, code: render.CodeInvalidName, field: "name", detail: `"hi there"`},
		{name: "name over 64 bytes", method: put, path: "/v1/templates/" + strings.Repeat("n", 65), body: `{"text": "Hi"}`,
			status: http.StatusUnprocessableEntity, code: render.CodeInvalidName, field: "name", detail: "at most 64"},
		{name: "malformed", method: put, path: path, body: `{"text": "Hi`, status: http.StatusBadRequest,
			code: herald.ECodeMalformedJSON, detail: "JSON"},
		{name: "body over 1 MiB", method: put, path: path, body: `{"text": "` + strings.Repeat("a", 1<<20) + `"}`,
			status: http.StatusRequestEntityTooLarge, code: herald.ECodeTooLarge, detail: "1048576"},

		{name: "GET unknown channel", method: "GET", path: path + "?channel=fax", status: http.StatusUnprocessableEntity,
			code: render.CodeUnknownChannel, field: "channel", detail: `"fax"`},
		{name: "DELETE unknown channel", method: "DELETE", path: path + "?channel=pigeon", status: http.StatusUnprocessableEntity,
			code: render.CodeUnknownChannel, field: "channel", detail: `"pigeon"`},
		{name: "DELETE without override", method: "DELETE", path: path, status: http.StatusNotFound, code: herald.ECodeNotFound,
			detail: "built-in"},
		{name: "preview unknown template", method: "POST", path: "/v1/templates/nope/preview", status: http.StatusNotFound,
			code: herald.ECodeNotFound, detail: `unknown template "nope"`},
		{name: "preview bad timezone", method: "POST", path: path + "/preview", body: `{"timezone": "Mars/Olympus"}`,
			status: http.StatusUnprocessableEntity, code: herald.ECodeInvalidTimezone, field: "timezone", detail: "Mars/Olympus"},
		{name: "preview bad start", method: "POST", path: path + "/preview", body: `{"starts_at": "tomorrow"}`,
			status: http.StatusUnprocessableEntity, code: herald.ECodeInvalidTime, field: "starts_at", detail: "RFC 3339"},
		{name: "preview bad now", method: "POST", path: path + "/preview", body: `{"now": "2026-03-02"}`,
			status: http.StatusUnprocessableEntity, code: herald.ECodeInvalidTime, field: "now", detail: "RFC 3339"},
		{name: "preview unknown field", method: "POST", path: path + "/preview", body: `{"text": "Hi {name}"}`,
			status: http.StatusUnprocessableEntity, code: herald.ECodeInvalid, field: "text", detail: "unknown field"},
		{name: "preview not an object", method: "POST", path: path + "/preview", body: `[]`,
			status: http.StatusBadRequest, code: herald.ECodeMalformedJSON, detail: "object"},
	}
}

// TestBadTemplatesRefused sends each bad template request and checks that
// it gets a problem naming the fault, and that nothing was written: the
// tenant still sees the built-ins only.
func TestBadTemplatesRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		before := b.snapshot(t, key)
		for _, c := range badTemplates() {
			var body any
			if c.body != "" {
				body = c.body
			}
			r := b.do(t, c.method, c.path, key, body)
			t.Run(c.name, func(t *testing.T) {
				p := r.wantProblem(t, c.status, c.code)
				if p.Field != c.field {
					t.Errorf("problem field = %q, want %q (%s)", p.Field, c.field, p.Detail)
				}
				if !strings.Contains(p.Detail, c.detail) {
					t.Errorf("problem detail = %q, want it to hold %q", p.Detail, c.detail)
				}
			})
			b.wantUnchanged(t, key, before, c.name)
		}
	})
}
