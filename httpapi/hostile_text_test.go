package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"herald"
)

// hostileText are requests carrying text that no database should see:
// control characters (NUL above all, which PostgreSQL refuses and SQLite
// keeps) and bytes that are not UTF-8, in every kind of text the API reads,
// and times past the year 9999. Each must be a 4xx problem on both
// databases alike.
func hostileText() []badRequest {
	book := func(field, value string) string {
		fields := map[string]string{"lead_id": `"{lead}"`, "title": `"Demo"`, "starts_at": `"` + future + `"`}
		fields[field] = value
		parts := []string{}
		for _, k := range []string{"lead_id", "title", "starts_at", "timezone", "join_link", "source"} {
			if v, ok := fields[k]; ok {
				parts = append(parts, `"`+k+`": `+v)
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	rule := func(name, template string) string {
		return `{"reminder_rules": [{"name": "` + name + `", "offset": "1h", "template": "` + template + `"}]}`
	}
	const nul = `\u0000`
	out := []badRequest{
		{name: "tenant name with NUL", method: "POST", path: "/v1/admin/tenants", body: `{"name": "Acme` + nul + `"}`, admin: true,
			status: http.StatusUnprocessableEntity, code: herald.ECodeInvalid, field: "name"},
		{name: "tenant name not UTF-8", method: "POST", path: "/v1/admin/tenants", body: "{\"name\": \"Acme\xff\"}", admin: true,
			status: http.StatusBadRequest, code: herald.ECodeMalformedJSON},

		invalid("lead name with NUL", "POST", "/v1/leads", `{"name": "Ann`+nul+`", "email": "ann@example.com"}`, herald.ECodeInvalid, "name"),
		invalid("lead name with CR LF", "POST", "/v1/leads", `{"name": "Ann\r\nBcc: all@example.com", "email": "ann@example.com"}`, herald.ECodeInvalid, "name"),
		invalid("lead name with a tab", "POST", "/v1/leads", `{"name": "Ann\tLee", "email": "ann@example.com"}`, herald.ECodeInvalid, "name"),
		invalid("lead email with NUL", "POST", "/v1/leads", `{"name": "Ann", "email": "ann`+nul+`@example.com"}`, herald.ECodeInvalid, "email"),
		invalid("lead timezone with NUL", "POST", "/v1/leads", `{"name": "Ann", "email": "ann@example.com", "timezone": "UTC`+nul+`"}`, herald.ECodeInvalid, "timezone"),
		invalid("lead patch name with LF", "PATCH", "/v1/leads/{lead}", `{"name": "Ann\nLee"}`, herald.ECodeInvalid, "name"),
		{name: "lead name not UTF-8", method: "POST", path: "/v1/leads", body: "{\"name\": \"\xc3\x28\", \"email\": \"ann@example.com\"}",
			status: http.StatusBadRequest, code: herald.ECodeMalformedJSON},

		invalid("book title with NUL", "POST", "/v1/meetings", book("title", `"Demo`+nul+`"`), herald.ECodeInvalid, "title"),
		invalid("book lead id with NUL", "POST", "/v1/meetings", book("lead_id", `"lead_`+nul+`"`), herald.ECodeInvalid, "lead_id"),
		invalid("book source with NUL", "POST", "/v1/meetings", book("source", `"crm`+nul+`"`), herald.ECodeInvalid, "source"),
		invalid("book join link with NUL", "POST", "/v1/meetings", book("join_link", `"https://meet.example.com/`+nul+`"`), herald.ECodeInvalid, "join_link"),
		invalid("book timezone with NUL", "POST", "/v1/meetings", book("timezone", `"UTC`+nul+`"`), herald.ECodeInvalid, "timezone"),
		invalid("book start past the year 9999", "POST", "/v1/meetings", book("starts_at", `"9999-12-31T23:59:59-23:59"`),
			herald.ECodeInvalidTime, "starts_at"),
		invalid("book start in the year 10000 by its offset", "POST", "/v1/meetings", book("starts_at", `"9999-12-31T23:00:00-01:00"`),
			herald.ECodeInvalidTime, "starts_at"),
		{name: "book Idempotency-Key not UTF-8", method: "POST", path: "/v1/meetings", body: book("title", `"Demo"`),
			headers: []string{"Idempotency-Key", "key-\xff\xfe"},
			status:  http.StatusUnprocessableEntity, code: herald.ECodeInvalid, field: "Idempotency-Key"},
		invalid("patch title with NUL", "PATCH", "/v1/meetings/{meeting}", `{"title": "x`+nul+`"}`, herald.ECodeInvalid, "title"),
		invalid("move start past the year 9999", "PATCH", "/v1/meetings/{meeting}", `{"starts_at": "9999-12-31T23:59:59-23:59"}`,
			herald.ECodeInvalidTime, "starts_at"),

		invalid("settings rule name with NUL", "PUT", "/v1/settings", rule("a"+nul, "meeting_reminder_1h"), herald.ECodeInvalid, "reminder_rules[0].name"),
		invalid("settings rule template with NUL", "PUT", "/v1/settings", rule("a", "meeting_reminder_1h"+nul), herald.ECodeInvalid, "reminder_rules[0].template"),
		invalid("settings reply with NUL", "PUT", "/v1/settings", `{"replies": {"help": "Call us`+nul+`"}}`, herald.ECodeInvalid, "replies.help"),
		invalid("settings reply too long", "PUT", "/v1/settings", `{"replies": {"stop": "`+strings.Repeat("Bye. ", 400)+`"}}`,
			herald.ECodeInvalid, "replies.stop"),
		invalid("settings timezone with NUL", "PUT", "/v1/settings", `{"timezone": "UTC`+nul+`"}`, herald.ECodeInvalid, "timezone"),
		invalid("settings region with digits", "PUT", "/v1/settings", `{"default_region": "U1"}`, herald.ECodeInvalid, "default_region"),
		invalid("settings region with punctuation", "PUT", "/v1/settings", `{"default_region": "?!"}`, herald.ECodeInvalid, "default_region"),
		invalid("settings region not ASCII", "PUT", "/v1/settings", `{"default_region": "ÜS"}`, herald.ECodeInvalid, "default_region"),

		invalid("template text with NUL", "PUT", "/v1/templates/acme_note", `{"text": "Hi {name}`+nul+`"}`, herald.ECodeInvalid, "text"),
		invalid("template subject with LF", "PUT", "/v1/templates/acme_note", `{"channel": "email", "subject": "Hi\nBcc: x", "text": "Hi"}`,
			herald.ECodeInvalid, "subject"),
		invalid("template channel with NUL", "PUT", "/v1/templates/acme_note", `{"channel": "sms`+nul+`", "text": "Hi"}`, herald.ECodeInvalid, "channel"),
		invalid("preview title with NUL", "POST", "/v1/templates/meeting_reminder_1h/preview", `{"title": "x`+nul+`"}`, herald.ECodeInvalid, "title"),
		invalid("preview start past the year 9999", "POST", "/v1/templates/meeting_reminder_1h/preview", `{"starts_at": "9999-12-31T23:59:59-23:59"}`,
			herald.ECodeInvalidTime, "starts_at"),
		invalid("preview now before 1970", "POST", "/v1/templates/meeting_reminder_1h/preview", `{"now": "0001-01-01T00:00:00Z"}`,
			herald.ECodeInvalidTime, "now"),

		notFound("lead id not UTF-8", "GET", "/v1/leads/lead_%FF%FE", ""),
		notFound("lead id with NUL", "PATCH", "/v1/leads/lead_%00", `{"name": "Ann"}`),
		notFound("meeting id not UTF-8", "GET", "/v1/meetings/mtg_%C3%28", ""),
		notFound("meeting id with NUL", "POST", "/v1/meetings/mtg_%00/cancel", ""),
		notFound("reminder id with NUL", "GET", "/v1/reminders/rem_%00", ""),
		notFound("template name not UTF-8", "GET", "/v1/templates/t%FF", ""),
		notFound("template name with NUL", "DELETE", "/v1/templates/t%00", ""),
	}
	for _, list := range []string{"/v1/leads", "/v1/meetings", "/v1/reminders", "/v1/audit", "/v1/templates", "/v1/outbox"} {
		out = append(out,
			badQuery(list+" cursor not UTF-8", list+"?cursor=%FF%FE", herald.ECodeInvalidQuery, "cursor"),
			badQuery(list+" cursor with NUL", list+"?cursor=abc%00", herald.ECodeInvalidQuery, "cursor"),
			badQuery(list+" limit with NUL", list+"?limit=1%00", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" malformed escape", list+"?cursor=%zz", herald.ECodeInvalidQuery, ""),
		)
	}
	return append(out,
		badQuery("meetings status not UTF-8", "/v1/meetings?status=%FF", herald.ECodeInvalidQuery, "status"),
		badQuery("meetings from past the year 9999", "/v1/meetings?from=9999-12-31T23:59:59-23:59", herald.ECodeInvalidQuery, "from"),
		badQuery("meetings to before 1970", "/v1/meetings?to=0001-01-01T00:00:00Z", herald.ECodeInvalidQuery, "to"),
		badQuery("reminders meeting_id with NUL", "/v1/reminders?meeting_id=mtg_%00", herald.ECodeInvalidQuery, "meeting_id"),
		badQuery("reminders meeting_id not UTF-8", "/v1/reminders?meeting_id=%C3%28", herald.ECodeInvalidQuery, "meeting_id"),
		badQuery("audit entity_id not UTF-8", "/v1/audit?entity_id=%FF", herald.ECodeInvalidQuery, "entity_id"),
		badQuery("audit action with NUL", "/v1/audit?action=lead.created%00", herald.ECodeInvalidQuery, "action"),
	)
}

// TestAccentedEmailIsMaskedWhole creates a lead whose address starts with
// a letter of two bytes: the audit trail masks it after the whole letter,
// on both databases (PostgreSQL refused the half letter with a 500).
func TestAccentedEmailIsMaskedWhole(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		var lead herald.Lead
		b.do(t, "POST", "/v1/leads", key, map[string]string{"name": "Élodie", "email": "élodie@example.fr"}).
			want(t, http.StatusCreated, &lead)
		audit := list[herald.AuditAction](t, b, key, "/v1/audit?entity_id="+lead.ID)
		if len(audit.Items) == 0 || !strings.Contains(audit.Items[0].Detail, "é***@example.fr") {
			t.Fatalf("audit = %+v, want the email masked as é***@example.fr", audit.Items)
		}
	})
}
