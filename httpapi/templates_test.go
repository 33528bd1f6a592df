package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
)

// apiTemplate is a template as the API answers it.
type apiTemplate struct {
	Name             string
	Channel          herald.Channel
	Origin           string
	OverridesBuiltin bool `json:"overrides_builtin"`
	Text             string
	Subject          string
	HTML             string
	Placeholders     []string
	Encoding         string
	Segments         int
	Units            int
	CreatedAt        *time.Time `json:"created_at"`
	UpdatedAt        *time.Time `json:"updated_at"`
}

func templateKey(t apiTemplate) string { return t.Name + "/" + string(t.Channel) }

// apiPreview is the answer of a preview.
type apiPreview struct {
	Name     string
	Channel  herald.Channel
	Origin   string
	Text     string
	Subject  string
	HTML     string
	Encoding string
	Segments int
	Units    int
}

// builtinKeys are the built-in templates, in the order the list gives them.
var builtinKeys = []string{"meeting_reminder_10m/email", "meeting_reminder_10m/sms", "meeting_reminder_1h/email",
	"meeting_reminder_1h/sms", "meeting_reminder_24h/email", "meeting_reminder_24h/sms"}

// TestTemplateScenario reads, previews, overrides, adds and reverts
// templates the way a tenant's dashboard would, with requests and answers
// checked against openapi.json.
func TestTemplateScenario(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		b.strictRequests = true
		key := b.newTenant(t, "Acme").APIKey

		// The built-ins, each described with a sample render.
		all := list[apiTemplate](t, b, key, "/v1/templates")
		if got := idsOf(all.Items, templateKey); !slices.Equal(got, builtinKeys) || all.NextCursor != "" {
			t.Fatalf("templates = %v (next %q), want %v", got, all.NextCursor, builtinKeys)
		}
		var sms apiTemplate
		b.do(t, "GET", "/v1/templates/meeting_reminder_24h", key, nil).want(t, http.StatusOK, &sms)
		if sms.Origin != "builtin" || sms.Channel != herald.ChannelSMS || sms.OverridesBuiltin || sms.CreatedAt != nil ||
			sms.Text != `Hi {name}, reminder: You have "{title}" scheduled for {day} at {time}. Reply CONFIRM to confirm.` ||
			!slices.Equal(sms.Placeholders, []string{"name", "title", "day", "time"}) || sms.Encoding != "GSM-7" || sms.Segments != 1 {
			t.Fatalf("built-in 24h SMS = %+v", sms)
		}
		var email apiTemplate
		b.do(t, "GET", "/v1/templates/meeting_reminder_1h?channel=email", key, nil).want(t, http.StatusOK, &email)
		if email.Channel != herald.ChannelEmail || email.Subject != "Starting in 1 hour: {title}" || email.HTML == "" ||
			email.Encoding != "" || email.Segments != 0 {
			t.Fatalf("built-in 1h email = %+v", email)
		}

		// Previews render as docs/RULES.md, "Templates" shows, with the SMS cost.
		p := preview(t, b, key, "/v1/templates/meeting_reminder_1h/preview", nil)
		want := `Hi John, your meeting "Product Demo" starts in 1 hour at 2:00 PM.`
		if p.Text != want || p.Origin != "builtin" || p.Encoding != "GSM-7" || p.Segments != 1 || p.Units != len(want) {
			t.Fatalf("preview = %+v", p)
		}
		p = preview(t, b, key, "/v1/templates/meeting_reminder_10m/preview", map[string]string{"join_link": ""})
		if p.Text != `Hi John, "Product Demo" starts in 10 min!` {
			t.Fatalf("preview without a join link = %q", p.Text)
		}
		p = preview(t, b, key, "/v1/templates/meeting_reminder_24h/preview", map[string]string{"name": "Zoë 李",
			"starts_at": "2026-03-29T14:00:00+02:00", "timezone": "Europe/Berlin", "locale": "de-DE", "now": "2026-03-29T09:00:00Z"})
		if p.Text != `Hi Zoë 李, reminder: You have "Product Demo" scheduled for today at 14:00. Reply CONFIRM to confirm.` ||
			p.Encoding != "UCS-2" || p.Segments != 2 {
			t.Fatalf("preview with values = %+v", p)
		}
		p = preview(t, b, key, "/v1/templates/meeting_reminder_1h/preview", map[string]string{"channel": "email", "title": "<Demo>"})
		if p.Subject != "Starting in 1 hour: <Demo>" || !strings.Contains(p.HTML, "<strong>&lt;Demo&gt;</strong>") || p.Encoding != "" {
			t.Fatalf("email preview = %+v", p)
		}

		// An override replaces the built-in; saving it again replaces it.
		var saved apiTemplate
		b.do(t, "PUT", "/v1/templates/meeting_reminder_1h", key, map[string]string{"text": "{name}: {title} at {time}."}).
			want(t, http.StatusCreated, &saved)
		if saved.Origin != "tenant" || !saved.OverridesBuiltin || saved.CreatedAt == nil || !saved.CreatedAt.Equal(epoch) ||
			!slices.Equal(saved.Placeholders, []string{"name", "title", "time"}) {
			t.Fatalf("saved override = %+v", saved)
		}
		b.do(t, "PUT", "/v1/templates/meeting_reminder_1h?channel=sms", key,
			map[string]string{"channel": "sms", "text": "{name}, {title} starts at {time}."}).want(t, http.StatusOK, nil)
		p = preview(t, b, key, "/v1/templates/meeting_reminder_1h/preview", nil)
		if p.Text != "John, Product Demo starts at 2:00 PM." || p.Origin != "tenant" {
			t.Fatalf("preview of the override = %+v", p)
		}

		// A name of the tenant's own, for email.
		var own apiTemplate
		b.do(t, "PUT", "/v1/templates/acme.follow-up", key, map[string]string{"channel": "email", "subject": "About {title}",
			"text": "Hi {name},\nthanks for your time.[\n{tenant}]"}).want(t, http.StatusCreated, &own)
		if own.Origin != "tenant" || own.OverridesBuiltin || own.HTML != "" {
			t.Fatalf("own template = %+v", own)
		}
		p = preview(t, b, key, "/v1/templates/acme.follow-up/preview?channel=email", map[string]string{"tenant": ""})
		if p.Subject != "About Product Demo" || p.Text != "Hi John,\nthanks for your time." || !strings.Contains(p.HTML, "Hi John,<br>") {
			t.Fatalf("preview of the own template = %+v", p)
		}
		other := b.do(t, "GET", "/v1/templates/acme.follow-up", key, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		if other.Detail != `unknown template "acme.follow-up" for channel "sms"` {
			t.Fatalf("the SMS version of an email-only template: %+v", other)
		}
		all = list[apiTemplate](t, b, key, "/v1/templates")
		wantKeys := append([]string{"acme.follow-up/email"}, builtinKeys...)
		if got := idsOf(all.Items, templateKey); !slices.Equal(got, wantKeys) {
			t.Fatalf("templates = %v, want %v", got, wantKeys)
		}
		if i := slices.Index(wantKeys, "meeting_reminder_1h/sms"); all.Items[i].Origin != "tenant" {
			t.Fatalf("the list shows the built-in instead of the override: %+v", all.Items[i])
		}
		wantPages(t, b, key, wantKeys)

		// Reminder rules may use the tenant's names, not unknown ones.
		rules := func(template string) map[string]any {
			return map[string]any{"reminder_rules": []map[string]string{{"name": "2h", "offset": "2h", "template": template}}}
		}
		b.do(t, "PUT", "/v1/settings", key, rules("acme.follow-up")).want(t, http.StatusOK, nil)
		problem := b.do(t, "PUT", "/v1/settings", key, rules("acme.folow-up")).
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeUnknownTemplate)
		if problem.Field != "reminder_rules[0].template" || !strings.Contains(problem.Detail, `"acme.folow-up"`) {
			t.Fatalf("unknown template in a rule: %+v", problem)
		}

		// Deleting the override brings the built-in back; once only.
		b.do(t, "DELETE", "/v1/templates/meeting_reminder_1h", key, nil).want(t, http.StatusNoContent, nil)
		var reverted apiTemplate
		b.do(t, "GET", "/v1/templates/meeting_reminder_1h", key, nil).want(t, http.StatusOK, &reverted)
		if reverted.Origin != "builtin" || reverted.Text != `Hi {name}, your meeting "{title}" starts in 1 hour at {time}.` {
			t.Fatalf("after revert = %+v", reverted)
		}
		again := b.do(t, "DELETE", "/v1/templates/meeting_reminder_1h", key, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		if !strings.Contains(again.Detail, "built-in") {
			t.Fatalf("second delete: %+v", again)
		}
		b.do(t, "DELETE", "/v1/templates/acme.follow-up?channel=email", key, nil).want(t, http.StatusNoContent, nil)

		// Unknown templates are errors that name them.
		for _, r := range []reply{
			b.do(t, "GET", "/v1/templates/acme.follow-up?channel=email", key, nil),
			b.do(t, "POST", "/v1/templates/acme.follow-up/preview", key, map[string]string{"channel": "email"}),
			b.do(t, "DELETE", "/v1/templates/acme.follow-up?channel=email", key, nil),
		} {
			if p := r.wantProblem(t, http.StatusNotFound, herald.ECodeNotFound); !strings.Contains(p.Detail, `unknown template "acme.follow-up"`) {
				t.Fatalf("unknown template: %+v", p)
			}
		}

		audit := list[herald.AuditAction](t, b, key, "/v1/audit?limit=200")
		var actions []string
		for _, a := range audit.Items {
			if a.EntityType == "template" {
				actions = append(actions, string(a.Action)+" "+a.EntityID+"/"+a.Channel)
			}
		}
		slices.Sort(actions) // the frozen clock gives them all one time
		if !slices.Equal(actions, []string{"template.deleted acme.follow-up/email", "template.deleted meeting_reminder_1h/sms",
			"template.saved acme.follow-up/email", "template.saved meeting_reminder_1h/sms", "template.saved meeting_reminder_1h/sms"}) {
			t.Fatalf("template audit = %v", actions)
		}
	})
}

// preview renders a template; body may be nil.
func preview(t *testing.T, b *testBundle, key, path string, body any) apiPreview {
	t.Helper()
	var p apiPreview
	b.do(t, "POST", path, key, body).want(t, http.StatusOK, &p)
	return p
}

// wantPages walks the template list two at a time and wants keys.
func wantPages(t *testing.T, b *testBundle, key string, keys []string) {
	t.Helper()
	var got []string
	path := "/v1/templates?limit=2"
	for range len(keys) {
		page := list[apiTemplate](t, b, key, path)
		got = append(got, idsOf(page.Items, templateKey)...)
		if page.NextCursor == "" {
			break
		}
		path = "/v1/templates?limit=2&cursor=" + page.NextCursor
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("paged templates = %v, want %v", got, keys)
	}
}
