package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"herald/catalog"
	"herald/clocktest"
	"herald/render"
	"herald/schedule"
	"herald/sqlstore"
	"herald/webhook"
	"herald/webui"
)

// TestHostileInputOnEveryRoute walks every operation of openapi.json,
// routes added later included, and sends each the same corpus of bad input
// in its path parameters, documented query parameters and headers, and
// body: wrong types, NUL, bytes that are not UTF-8, huge values, deep
// nesting, bodies over 64 KiB and over 1 MiB, bad cursors and limits. On
// both databases, none may answer 5xx, every 4xx must be a problem with a
// code, and the tenant's data must be as it was.
func TestHostileInputOnEveryRoute(t *testing.T) {
	t.Parallel()
	dbtestEach(t, func(t *testing.T, db *sqlstore.DB) {
		b := setupWithWebhooks(t, db)
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		m := b.book(t, key, lead.ID, epoch.Add(48*time.Hour))
		ids := map[string]string{"leads": lead.ID, "meetings": m.ID, "reminders": m.Reminders[0].ID,
			"templates": "meeting_reminder_1h"}

		requests, statuses := 0, map[int]int{}
		t.Cleanup(func() { t.Logf("%d bad requests, answered %v", requests, statuses) })
		doc := b.spec.doc
		paths := doc.Paths.InMatchingOrder()
		sort.Strings(paths)
		for _, path := range paths {
			item := doc.Paths.Value(path)
			for method, op := range item.Operations() {
				route := method + " " + path
				before := b.snapshot(t, key) + tableCounts(t, b.db)
				auth := key
				if strings.HasPrefix(path, "/v1/admin/") {
					auth = testAdminToken
				}
				params := append(openapi3.Parameters{}, item.Parameters...)
				params = append(params, op.Parameters...)
				for _, c := range hostileCases(method, path, params, op, ids) {
					req := b.request(t, method, c.path, auth, c.body, c.headers...)
					if c.contentType != "" {
						req.Header.Set("Content-Type", c.contentType)
					}
					r, err := b.send(req)
					if err != nil {
						t.Fatalf("%s, %s: %v", route, c.name, err)
					}
					requests++
					statuses[r.status]++
					checkHostileAnswer(t, route+", "+c.name, r)
				}
				if after := b.snapshot(t, key) + tableCounts(t, b.db); after != before {
					t.Fatalf("%s with bad input changed the state:\nbefore:\n%s\nafter:\n%s", route, before, after)
				}
			}
		}
	})
}

// tableCounts counts the rows of every table of the database, those that
// routes added later write to included.
func tableCounts(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	query := "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
	if db.Name() == "postgres" {
		query = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
	}
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var sb strings.Builder
	for _, table := range tables {
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "%s=%d\n", table, n)
	}
	return sb.String()
}

// TestDashboardRefusesControlCharactersAtTheEdge: the dashboard's ids and
// filters go to the same queries as the API's, so they are held to the same
// rule before any page runs.
func TestDashboardRefusesControlCharactersAtTheEdge(t *testing.T) {
	t.Parallel()
	dbtestEach(t, func(t *testing.T, db *sqlstore.DB) {
		b := setupWithWebhooks(t, db)
		for path, status := range map[string]int{
			"/ui/meetings/mtg_%00": http.StatusNotFound, "/ui/leads/%FF%FE": http.StatusNotFound,
			"/ui/events?type=%00": http.StatusBadRequest, "/ui/leads?cursor=%FF": http.StatusBadRequest,
		} {
			r, err := b.send(b.request(t, "GET", path, "", nil))
			if err != nil {
				t.Fatal(err)
			}
			if r.status != status {
				t.Errorf("GET %s = %d, want %d: %s", path, r.status, status, r.body)
			}
			checkHostileAnswer(t, "GET "+path, r)
		}
	})
}

// dbtestEach is eachDB for a bundle built by the test itself.
func dbtestEach(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	eachDB(t, func(t *testing.T, b *testBundle) { fn(t, b.db) })
}

// setupWithWebhooks is setup with the provider webhooks (with secrets set),
// the dashboard and a metrics endpoint mounted as serve mounts them, so that their routes of
// openapi.json are walked too.
func setupWithWebhooks(t *testing.T, db *sqlstore.DB) *testBundle {
	t.Helper()
	return setupWithExtra(t, db, testAdminToken, func(store *sqlstore.Store, clock *clocktest.Clock) map[string]http.Handler {
		hooks, err := webhook.New(webhook.Config{Store: store, Decide: schedule.ReceiptDecider(true), Inbound: schedule.InboundDecider(),
			PublicURL:    "http://herald.test",
			VonageSecret: "vonage-secret", TwilioAuthToken: "twilio-token", Clock: clock, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		routes := hooks.Routes()
		ui := &webui.Server{Store: store, Dashboard: store, Events: store, Templates: catalog.New(store, render.NewRegistry()),
			AdminToken: testAdminToken, Clock: clock, Logger: slog.New(slog.DiscardHandler)}
		routes[webui.Prefix] = ui.Handler()
		routes["GET /metrics"] = promhttp.HandlerFor(prometheus.NewRegistry(), promhttp.HandlerOpts{})
		return routes
	})
}

// checkHostileAnswer fails unless r is below 500 and, when it refuses, a
// problem document with a code.
func checkHostileAnswer(t *testing.T, what string, r reply) {
	t.Helper()
	if r.status >= 500 {
		t.Errorf("%s: answered %d: %.300s", what, r.status, r.body)
		return
	}
	if r.status < 400 {
		return
	}
	if ct := mediaType(r.header); ct != "application/problem+json" {
		t.Errorf("%s: the %d answer is %q, not a problem: %.300s", what, r.status, ct, r.body)
		return
	}
	var p struct {
		Code   string `json:"code"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil || p.Code == "" || p.Status != r.status {
		t.Errorf("%s: the %d problem has no code or another status (%v): %.300s", what, r.status, err, r.body)
	}
}

// hostileCase is one bad request of a route.
type hostileCase struct {
	name        string
	path        string
	headers     []string
	body        []byte
	contentType string
}

// badTexts are values no text field should take as they are. (A line
// break is no such value: template and reply texts may span lines.)
var badTexts = map[string]string{
	"NUL":            "a\x00b",
	"control":        "a\x01\x1b[31mb",
	"invalid UTF-8":  "a\xff\xfeb",
	"overlong UTF-8": "\xc0\xaf",
	"surrogate":      "\xed\xa0\x80",
	"huge":           strings.Repeat("h", 40<<10),
}

// badQueryValues are what a query parameter must survive: texts, and
// numbers and cursors out of any range.
var badQueryValues = map[string]string{
	"NUL": "%00", "invalid UTF-8": "%FF%FE", "malformed escape": "%zz", "CR LF": "a%0D%0Ab",
	"huge": strings.Repeat("q", 10<<10), "negative": "-1", "zero": "0", "overflow": "99999999999999999999999",
	"float": "1.5", "array": "[1]", "object": "%7B%22a%22%3A1%7D", "repeated": "1&{name}=2",
	"forged cursor": "eyJhIjoxfQ", "base64 junk": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	"year 10000": "9999-12-31T23:59:59-23:59", "year 0": "0000-01-01T00:00:00Z",
}

// badJSONValues are what replace one field of a JSON body: every type but
// the schema's, and for texts the bad texts. None is valid for the field,
// whatever it means.
func badJSONValues(schema *openapi3.Schema) map[string]string {
	out := map[string]string{"deep array": strings.Repeat("[", 10000) + strings.Repeat("]", 10000), "float overflow": "1e999"}
	typ := "string"
	if schema.Type != nil && len(schema.Type.Slice()) == 1 {
		typ = schema.Type.Slice()[0]
	}
	if typ != "string" {
		out["string"] = `"x"`
	}
	if typ != "boolean" {
		out["bool"] = "true"
	}
	if typ != "array" {
		out["array"] = `["a"]`
	}
	if typ != "object" {
		out["object"] = `{"a": "b"}`
	}
	switch typ {
	case "string":
		out["number"] = "42"
		out["escaped NUL"] = `"a\u0000b"`
		out["lone surrogate"] = `"a\ud800b"`
		for name, s := range badTexts {
			raw, _ := json.Marshal(s)
			if strings.Contains(name, "UTF-8") || name == "surrogate" {
				// json.Marshal would make the bytes valid; send them raw.
				raw = []byte(`"` + s + `"`)
			}
			out["text "+name] = string(raw)
		}
		if schema.Format == "date-time" {
			out["year 10000"] = `"9999-12-31T23:59:59-23:59"`
			out["year 0"] = `"0000-01-01T00:00:00Z"`
		}
	case "integer", "number":
		out["overflow"] = "99999999999999999999999999"
		out["fraction"] = "1.5e-400"
	}
	return out
}

// wholeBodies are bodies that are not one JSON object of known fields.
func wholeBodies() map[string]string {
	return map[string]string{
		"empty": "", "null": "null", "array": "[{}]", "string": `"x"`, "number": "7", "truncated": `{"a":`,
		"two objects": "{}{}", "not UTF-8": "{\"a\": \"\xff\"}", "BOM": "\xef\xbb\xbf{}",
		"deep nesting":     strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000),
		"over 64 KiB":      `{"a": "` + strings.Repeat("x", 65<<10) + `"}`,
		"over 1 MiB":       `{"a": "` + strings.Repeat("x", 1<<20+1) + `"}`,
		"padded to 64 KiB": "{}" + strings.Repeat(" ", 65<<10),
		"unknown field":    `{"no_such_field": 1}`,
		"duplicate keys":   `{"a": 1, "a": 2}`,
	}
}

// hostileCases are the bad requests of one operation.
func hostileCases(method, path string, params openapi3.Parameters, op *openapi3.Operation, ids map[string]string) []hostileCase {
	// validPath fills path parameters with objects of the tenant, or with
	// an id no object has when the collection is not known here.
	validPath := func(except string, value string) string {
		segments := strings.Split(path, "/")
		for i, s := range segments {
			if !strings.HasPrefix(s, "{") {
				continue
			}
			name := strings.Trim(s, "{}")
			switch {
			case name == except:
				segments[i] = value
			case i > 0 && ids[segments[i-1]] != "":
				segments[i] = ids[segments[i-1]]
			default:
				segments[i] = "x_unknown"
			}
		}
		return strings.Join(segments, "/")
	}
	var out []hostileCase
	add := func(c hostileCase) { out = append(out, c) }
	for _, ref := range params {
		p := ref.Value
		switch p.In {
		case "path":
			for name, v := range badTexts {
				add(hostileCase{name: "path " + p.Name + " " + name, path: validPath(p.Name, url.PathEscape(v))})
			}
			add(hostileCase{name: "path " + p.Name + " traversal", path: validPath(p.Name, "..%2F..%2Fetc%2Fpasswd")})
		case "query":
			for name, v := range badQueryValues {
				add(hostileCase{name: "query " + p.Name + " " + name,
					path: validPath("", "") + "?" + url.QueryEscape(p.Name) + "=" + strings.ReplaceAll(v, "{name}", url.QueryEscape(p.Name))})
			}
		case "header":
			for _, name := range []string{"invalid UTF-8", "huge"} {
				add(hostileCase{name: "header " + p.Name + " " + name, path: validPath("", ""), headers: []string{p.Name, badTexts[name]}})
			}
		}
	}
	// Whatever the route documents, a query parameter with NUL or bytes
	// that are not UTF-8 is refused or ignored, never stored.
	add(hostileCase{name: "undocumented query NUL", path: validPath("", "") + "?x=%00"})
	add(hostileCase{name: "undocumented query invalid UTF-8", path: validPath("", "") + "?%FF=%FE"})

	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return out
	}
	for contentType, media := range op.RequestBody.Value.Content {
		for name, body := range wholeBodies() {
			if body == "" && !op.RequestBody.Value.Required {
				continue // an optional body may be left out
			}
			add(hostileCase{name: contentType + " body " + name, path: validPath("", ""), body: []byte(body), contentType: contentType})
		}
		if contentType != "application/json" {
			for name, v := range badTexts {
				form := "text=" + url.QueryEscape(v) + "&Body=" + url.QueryEscape(v) + "&msisdn=" + url.QueryEscape(v)
				add(hostileCase{name: contentType + " form " + name, path: validPath("", ""), body: []byte(form), contentType: contentType})
			}
			continue
		}
		for _, field := range jsonFields(media.Schema, "", 0) {
			for name, v := range badJSONValues(field.schema) {
				add(hostileCase{name: "field " + field.path + " " + name, path: validPath("", ""),
					body: []byte(field.wrap(v)), contentType: contentType})
			}
		}
	}
	return out
}

// jsonField is a field of a body schema and how to build a body that
// holds a value there and nothing else.
type jsonField struct {
	path   string
	schema *openapi3.Schema
	wrap   func(value string) string
}

// jsonFields lists the fields of an object schema, nested objects and
// arrays of objects included, to a small depth.
func jsonFields(ref *openapi3.SchemaRef, prefix string, depth int) []jsonField {
	if ref == nil || ref.Value == nil || depth > 3 {
		return nil
	}
	var out []jsonField
	for name, sub := range properties(ref.Value) {
		name := name
		key, _ := json.Marshal(name)
		here := func(v string) string { return "{" + string(key) + ": " + v + "}" }
		out = append(out, jsonField{path: prefix + name, schema: sub, wrap: here})
		for _, f := range jsonFields(&openapi3.SchemaRef{Value: sub}, prefix+name+".", depth+1) {
			inner := f
			out = append(out, jsonField{path: inner.path, schema: inner.schema, wrap: func(v string) string { return here(inner.wrap(v)) }})
		}
		if sub.Items != nil {
			for _, f := range jsonFields(sub.Items, prefix+name+"[0].", depth+1) {
				inner := f
				out = append(out, jsonField{path: inner.path, schema: inner.schema, wrap: func(v string) string { return here("[" + inner.wrap(v) + "]") }})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}
