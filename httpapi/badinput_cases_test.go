package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"

	"herald"
)

// future is a valid start time for the bad-input tests: two days after
// epoch.
const future = "2026-03-04T15:00:00Z"

func invalid(name, method, path, body, code, field string) badRequest {
	return badRequest{name: name, method: method, path: path, body: body,
		status: http.StatusUnprocessableEntity, code: code, field: field}
}

func notFound(name, method, path, body string) badRequest {
	return badRequest{name: name, method: method, path: path, body: body, noBody: body == "",
		status: http.StatusNotFound, code: herald.ECodeNotFound}
}

// invalidFields are well-formed bodies with a missing or invalid field.
func invalidFields() []badRequest {
	rules := make([]string, herald.MaxReminderRules+1)
	for i := range rules {
		rules[i] = fmt.Sprintf(`{"name": "r%d", "offset": "%dh", "template": "t"}`, i, i+1)
	}
	book := func(fields string) string {
		return `{"lead_id": "{lead}", "title": "Demo", "starts_at": "` + future + `"` + fields + `}`
	}
	long := strings.Repeat("x", 201)
	out := []badRequest{
		{name: "tenant without name", method: "POST", path: "/v1/admin/tenants", body: `{}`, admin: true,
			status: http.StatusUnprocessableEntity, code: herald.ECodeInvalid, field: "name"},
		{name: "tenant name too long", method: "POST", path: "/v1/admin/tenants", body: `{"name": "` + long + `"}`, admin: true,
			status: http.StatusUnprocessableEntity, code: herald.ECodeInvalid, field: "name"},

		invalid("settings unknown timezone", "PUT", "/v1/settings", `{"timezone": "Mars/Olympus"}`, herald.ECodeInvalidTimezone, "timezone"),
		invalid("settings Local timezone", "PUT", "/v1/settings", `{"timezone": "Local"}`, herald.ECodeInvalidTimezone, "timezone"),
		invalid("settings late booking", "PUT", "/v1/settings", `{"late_booking": "send"}`, herald.ECodeInvalid, "late_booking"),
		invalid("settings region", "PUT", "/v1/settings", `{"default_region": "USA"}`, herald.ECodeInvalid, "default_region"),
		invalid("settings negative offset", "PUT", "/v1/settings", `{"reminder_rules": [{"name": "a", "offset": "-1h", "template": "t"}]}`,
			herald.ECodeInvalid, "reminder_rules[0].offset"),
		invalid("settings offset over 90 days", "PUT", "/v1/settings", `{"reminder_rules": [{"name": "a", "offset": "2161h", "template": "t"}]}`,
			herald.ECodeInvalid, "reminder_rules[0].offset"),
		invalid("settings offset not a duration", "PUT", "/v1/settings", `{"reminder_rules": [{"name": "a", "offset": "soon", "template": "t"}]}`,
			herald.ECodeInvalid, ""),
		invalid("settings rule without name", "PUT", "/v1/settings", `{"reminder_rules": [{"offset": "1h", "template": "t"}]}`,
			herald.ECodeInvalid, "reminder_rules[0].name"),
		invalid("settings rule without template", "PUT", "/v1/settings", `{"reminder_rules": [{"name": "a", "offset": "1h"}]}`,
			herald.ECodeInvalid, "reminder_rules[0].template"),
		invalid("settings unknown template", "PUT", "/v1/settings",
			`{"reminder_rules": [{"name": "a", "offset": "1h", "template": "meeting_reminder_1h"}, {"name": "b", "offset": "2h", "template": "t"}]}`,
			herald.ECodeUnknownTemplate, "reminder_rules[1].template"),
		invalid("settings duplicate rule", "PUT", "/v1/settings",
			`{"reminder_rules": [{"name": "a", "offset": "1h", "template": "t"}, {"name": "a", "offset": "2h", "template": "t"}]}`,
			herald.ECodeInvalid, "reminder_rules[1].name"),
		invalid("settings too many rules", "PUT", "/v1/settings", `{"reminder_rules": [`+strings.Join(rules, ",")+`]}`,
			herald.ECodeInvalid, "reminder_rules"),
		invalid("settings unknown channel", "PUT", "/v1/settings", `{"channels": {"fax": true}}`, herald.ECodeInvalid, "fax"),
		invalid("settings channel not a bool", "PUT", "/v1/settings", `{"channels": {"sms": "yes"}}`, herald.ECodeInvalid, "channels.sms"),

		invalid("lead without name", "POST", "/v1/leads", `{"phone": "+14155552671"}`, herald.ECodeInvalid, "name"),
		invalid("lead blank name", "POST", "/v1/leads", `{"name": "  ", "phone": "+14155552671"}`, herald.ECodeInvalid, "name"),
		invalid("lead without contact", "POST", "/v1/leads", `{"name": "Ann"}`, herald.ECodeInvalid, "phone"),
		invalid("lead bad phone", "POST", "/v1/leads", `{"name": "Ann", "phone": "555-0100-99"}`, herald.ECodeInvalidPhone, "phone"),
		invalid("lead letters as phone", "POST", "/v1/leads", `{"name": "Ann", "phone": "call me"}`, herald.ECodeInvalidPhone, "phone"),
		invalid("lead bad email", "POST", "/v1/leads", `{"name": "Ann", "email": "ann@"}`, herald.ECodeInvalidEmail, "email"),
		invalid("lead email with name", "POST", "/v1/leads", `{"name": "Ann", "email": "Ann <ann@example.com>"}`, herald.ECodeInvalidEmail, "email"),
		invalid("lead unknown timezone", "POST", "/v1/leads", `{"name": "Ann", "email": "ann@example.com", "timezone": "Europe/Atlantis"}`,
			herald.ECodeInvalidTimezone, "timezone"),
		invalid("lead bad locale", "POST", "/v1/leads", `{"name": "Ann", "email": "ann@example.com", "locale": "english"}`,
			herald.ECodeInvalid, "locale"),

		invalid("lead patch bad phone", "PATCH", "/v1/leads/{lead}", `{"phone": "12"}`, herald.ECodeInvalidPhone, "phone"),
		invalid("lead patch bad email", "PATCH", "/v1/leads/{lead}", `{"email": "not-an-address"}`, herald.ECodeInvalidEmail, "email"),
		invalid("lead patch unknown timezone", "PATCH", "/v1/leads/{lead}", `{"timezone": "Nowhere/Town"}`, herald.ECodeInvalidTimezone, "timezone"),
		invalid("lead patch drops all contact", "PATCH", "/v1/leads/{lead}", `{"phone": "", "email": ""}`, herald.ECodeInvalid, "phone"),
		invalid("lead patch empty name", "PATCH", "/v1/leads/{lead}", `{"name": ""}`, herald.ECodeInvalid, "name"),
		notFound("lead patch unknown lead", "PATCH", "/v1/leads/lead_UNKNOWN", `{"name": "Ann"}`),
		notFound("lead patch other tenant's lead", "PATCH", "/v1/leads/{other_lead}", `{"name": "Ann"}`),

		invalid("book without lead", "POST", "/v1/meetings", `{"title": "Demo", "starts_at": "`+future+`"}`, herald.ECodeInvalid, "lead_id"),
		invalid("book without title", "POST", "/v1/meetings", `{"lead_id": "{lead}", "starts_at": "`+future+`"}`, herald.ECodeInvalid, "title"),
		invalid("book title too long", "POST", "/v1/meetings", `{"lead_id": "{lead}", "title": "`+long+`", "starts_at": "`+future+`"}`,
			herald.ECodeInvalid, "title"),
		invalid("book without start", "POST", "/v1/meetings", `{"lead_id": "{lead}", "title": "Demo"}`, herald.ECodeInvalidTime, "starts_at"),
		invalid("book start not RFC 3339", "POST", "/v1/meetings", `{"lead_id": "{lead}", "title": "Demo", "starts_at": "2026-03-04 15:00"}`,
			herald.ECodeInvalidTime, "starts_at"),
		invalid("book start without zone", "POST", "/v1/meetings", `{"lead_id": "{lead}", "title": "Demo", "starts_at": "2026-03-04T15:00:00"}`,
			herald.ECodeInvalidTime, "starts_at"),
		invalid("book start in the past", "POST", "/v1/meetings", `{"lead_id": "{lead}", "title": "Demo", "starts_at": "2026-03-02T14:59:59Z"}`,
			herald.ECodeInvalidTime, "starts_at"),
		invalid("book start now", "POST", "/v1/meetings", `{"lead_id": "{lead}", "title": "Demo", "starts_at": "2026-03-02T10:00:00-05:00"}`,
			herald.ECodeInvalidTime, "starts_at"),
		invalid("book unknown lead", "POST", "/v1/meetings", strings.Replace(book(""), "{lead}", "lead_UNKNOWN", 1),
			herald.ECodeUnknownLead, "lead_id"),
		invalid("book other tenant's lead", "POST", "/v1/meetings", strings.Replace(book(""), "{lead}", "{other_lead}", 1),
			herald.ECodeUnknownLead, "lead_id"),
		invalid("book unknown timezone", "POST", "/v1/meetings", book(`, "timezone": "Moon/Base"`), herald.ECodeInvalidTimezone, "timezone"),
		invalid("book join link not http", "POST", "/v1/meetings", book(`, "join_link": "ftp://files.example.com/x"`), herald.ECodeInvalid, "join_link"),
		invalid("book join link not a URL", "POST", "/v1/meetings", book(`, "join_link": "join us"`), herald.ECodeInvalid, "join_link"),
		invalid("book source too long", "POST", "/v1/meetings", book(`, "source": "`+strings.Repeat("s", 65)+`"`), herald.ECodeInvalid, "source"),
		{name: "book idempotency key too long", method: "POST", path: "/v1/meetings", body: book(""),
			headers: []string{"Idempotency-Key", strings.Repeat("k", 256)},
			status:  http.StatusUnprocessableEntity, code: herald.ECodeInvalid, field: "Idempotency-Key"},

		invalid("move start not RFC 3339", "PATCH", "/v1/meetings/{meeting}", `{"starts_at": "next week"}`, herald.ECodeInvalidTime, "starts_at"),
		invalid("move start in the past", "PATCH", "/v1/meetings/{meeting}", `{"starts_at": "2026-03-01T15:00:00Z"}`, herald.ECodeInvalidTime, "starts_at"),
		invalid("patch empty title", "PATCH", "/v1/meetings/{meeting}", `{"title": " "}`, herald.ECodeInvalid, "title"),
		invalid("patch bad join link", "PATCH", "/v1/meetings/{meeting}", `{"join_link": "javascript:alert(1)"}`, herald.ECodeInvalid, "join_link"),
		notFound("patch unknown meeting", "PATCH", "/v1/meetings/mtg_UNKNOWN", `{"title": "x"}`),
		notFound("cancel unknown meeting", "POST", "/v1/meetings/mtg_UNKNOWN/cancel", ""),
		notFound("read unknown lead", "GET", "/v1/leads/lead_UNKNOWN", ""),
		notFound("read unknown meeting", "GET", "/v1/meetings/mtg_UNKNOWN", ""),
		notFound("read unknown reminder", "GET", "/v1/reminders/rem_UNKNOWN", ""),
	}
	return out
}
