package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"herald"
)

// badRequest is a request the API must refuse without writing anything.
type badRequest struct {
	name   string
	method string
	// path and body may hold {lead}, {meeting}, {reminder} (objects of the
	// caller's tenant) and {other_lead} (a lead of another tenant).
	path    string
	body    string
	noBody  bool
	headers []string
	// admin sends the admin token instead of the tenant's key.
	admin bool

	status int
	code   string
	// field is the problem's field, when one is expected.
	field string
	// allow lists methods the Allow header of a 405 must name.
	allow []string
}

// bodyRoutes are the routes that read a JSON body, with a field of each
// that must be a string.
var bodyRoutes = []struct {
	method, path, stringField string
	admin                     bool
}{
	{"POST", "/v1/admin/tenants", "name", true},
	{"PUT", "/v1/settings", "timezone", false},
	{"POST", "/v1/leads", "name", false},
	{"PATCH", "/v1/leads/{lead}", "email", false},
	{"POST", "/v1/meetings", "title", false},
	{"PATCH", "/v1/meetings/{meeting}", "join_link", false},
}

// malformedBodies are the ways a body can fail to be one JSON object of
// known fields, for every route that reads one.
func malformedBodies() []badRequest {
	huge := `{"name": "` + strings.Repeat("a", 65<<10) + `"}`
	var out []badRequest
	for _, r := range bodyRoutes {
		add := func(name, body string, status int, code, field string) {
			out = append(out, badRequest{name: r.method + " " + r.path + " " + name, method: r.method, path: r.path,
				body: body, admin: r.admin, status: status, code: code, field: field})
		}
		add("malformed", `{"name": "a",`, http.StatusBadRequest, herald.ECodeMalformedJSON, "")
		add("not json", `name=a`, http.StatusBadRequest, herald.ECodeMalformedJSON, "")
		add("empty", ``, http.StatusBadRequest, herald.ECodeMalformedJSON, "")
		add("blank", " \n ", http.StatusBadRequest, herald.ECodeMalformedJSON, "")
		add("trailing garbage", `{} garbage`, http.StatusBadRequest, herald.ECodeMalformedJSON, "")
		add("two objects", `{}{}`, http.StatusBadRequest, herald.ECodeMalformedJSON, "")
		add("null", `null`, http.StatusBadRequest, herald.ECodeMalformedJSON, "")
		add("array", `[{}]`, http.StatusBadRequest, herald.ECodeMalformedJSON, "")
		add("unknown field", `{"color": "red"}`, http.StatusUnprocessableEntity, herald.ECodeInvalid, "color")
		add("wrong type", `{"`+r.stringField+`": 42}`, http.StatusUnprocessableEntity, herald.ECodeInvalid, r.stringField)
		add("over 64 KiB", huge, http.StatusRequestEntityTooLarge, herald.ECodeTooLarge, "")
		add("over 64 KiB after the object", `{}`+strings.Repeat(" ", 65<<10),
			http.StatusRequestEntityTooLarge, herald.ECodeTooLarge, "")
	}
	return out
}

// TestBadInputChangesNothing sends every kind of bad request to every
// route and checks that each gets the right problem and writes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		m := b.book(t, key, lead.ID, epoch.Add(48*time.Hour))
		other := b.newLead(t, b.newTenant(t, "Other").APIKey)
		ids := strings.NewReplacer("{lead}", lead.ID, "{meeting}", m.ID, "{reminder}", m.Reminders[0].ID,
			"{other_lead}", other.ID)

		cases := append(malformedBodies(), invalidFields()...)
		cases = append(cases, badQueries()...)
		cases = append(cases, hostileText()...)
		cases = append(cases, badRoutes()...)
		before := b.snapshot(t, key)
		for _, c := range cases {
			var body any
			if !c.noBody {
				body = ids.Replace(c.body)
			}
			auth := key
			if c.admin {
				auth = testAdminToken
			}
			r := b.do(t, c.method, ids.Replace(c.path), auth, body, c.headers...)
			t.Run(c.name, func(t *testing.T) {
				p := r.wantProblem(t, c.status, c.code)
				if c.field != "" && p.Field != c.field {
					t.Errorf("problem field = %q, want %q (%s)", p.Field, c.field, p.Detail)
				}
				for _, m := range c.allow {
					if !strings.Contains(r.header.Get("Allow"), m) {
						t.Errorf("Allow = %q, want it to name %s", r.header.Get("Allow"), m)
					}
				}
			})
			b.wantUnchanged(t, key, before, c.name)
		}
	})
}

func badQuery(name, path, code, field string) badRequest {
	return badRequest{name: name, method: "GET", path: path, noBody: true,
		status: http.StatusBadRequest, code: code, field: field}
}

// badQueries are list requests with malformed query parameters.
func badQueries() []badRequest {
	forged := base64.RawURLEncoding.EncodeToString([]byte("yesterday|lead_X"))
	var out []badRequest
	for _, list := range []string{"/v1/leads", "/v1/meetings", "/v1/reminders", "/v1/audit", "/v1/templates"} {
		out = append(out,
			badQuery(list+" limit 0", list+"?limit=0", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" limit over the maximum", list+"?limit=201", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" negative limit", list+"?limit=-5", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" limit not a number", list+"?limit=ten", herald.ECodeInvalidQuery, "limit"),
			badQuery(list+" cursor not base64", list+"?cursor=%21%21%21", herald.ECodeInvalidCursor, "cursor"),
			badQuery(list+" forged cursor", list+"?cursor="+forged, herald.ECodeInvalidCursor, "cursor"),
		)
	}
	return append(out,
		badQuery("meetings unknown status", "/v1/meetings?status=done", herald.ECodeInvalidQuery, "status"),
		badQuery("meetings from not RFC 3339", "/v1/meetings?from=yesterday", herald.ECodeInvalidQuery, "from"),
		badQuery("meetings from a date only", "/v1/meetings?from=2026-03-02", herald.ECodeInvalidQuery, "from"),
		badQuery("meetings to out of range", "/v1/meetings?to=2026-13-01T00:00:00Z", herald.ECodeInvalidQuery, "to"),
		badQuery("reminders unknown status", "/v1/reminders?status=queued", herald.ECodeInvalidQuery, "status"),
	)
}

func wrongMethod(method, path string, allow ...string) badRequest {
	return badRequest{name: method + " " + path, method: method, path: path, noBody: true,
		status: http.StatusMethodNotAllowed, code: herald.ECodeMethod, allow: allow}
}

func noRoute(method, path string) badRequest {
	return badRequest{name: "no route " + method + " " + path, method: method, path: path, noBody: true,
		status: http.StatusNotFound, code: herald.ECodeNotFound}
}

// badRoutes are requests for methods a path does not have, and for paths
// the API does not have.
func badRoutes() []badRequest {
	return []badRequest{
		wrongMethod("DELETE", "/v1/admin/tenants", "GET", "POST"),
		wrongMethod("DELETE", "/v1/settings", "GET", "PUT"),
		wrongMethod("POST", "/v1/settings", "GET", "PUT"),
		wrongMethod("PUT", "/v1/leads", "GET", "POST"),
		wrongMethod("PUT", "/v1/leads/{lead}", "DELETE", "GET", "PATCH"),
		wrongMethod("DELETE", "/v1/meetings", "GET", "POST"),
		wrongMethod("DELETE", "/v1/meetings/{meeting}", "GET", "PATCH"),
		wrongMethod("GET", "/v1/meetings/{meeting}/cancel", "POST"),
		wrongMethod("POST", "/v1/reminders", "GET"),
		wrongMethod("PATCH", "/v1/reminders/{reminder}", "GET"),
		wrongMethod("DELETE", "/v1/audit", "GET"),
		wrongMethod("POST", "/v1/templates", "GET"),
		wrongMethod("PATCH", "/v1/templates/meeting_reminder_1h", "GET", "PUT", "DELETE"),
		wrongMethod("GET", "/v1/templates/meeting_reminder_1h/preview", "POST"),
		wrongMethod("POST", "/healthz", "GET"),
		wrongMethod("PUT", "/readyz", "GET"),
		wrongMethod("POST", "/openapi.json", "GET"),
		noRoute("GET", "/"),
		noRoute("GET", "/v1"),
		noRoute("GET", "/v1/unknown"),
		noRoute("GET", "/v2/leads"),
		noRoute("GET", "/v1/leads/{lead}/history"),
		noRoute("POST", "/v1/meetings/{meeting}/confirm"),
		noRoute("DELETE", "/v1/tenants"),
	}
}
