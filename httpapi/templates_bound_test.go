package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"herald"
	"herald/render"
)

// TestPreviewAnswerIsBounded is the attack of one tenant on the process: a
// template of many {title} previewed with a huge title. The preview's
// values are capped as a meeting's are, a template that could render past
// render's bound is refused when saved, and what a preview answers stays
// within a bound whatever the tenant sends.
func TestPreviewAnswerIsBounded(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		many := map[string]string{"channel": "email", "subject": "{title}", "text": strings.Repeat("{title} ", 400)}
		b.do(t, "PUT", "/v1/templates/many_titles", key, many).want(t, http.StatusCreated, nil)

		huge := strings.Repeat("T", 8<<10)
		p := b.do(t, "POST", "/v1/templates/many_titles/preview", key, map[string]string{"channel": "email", "title": huge}).
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
		if p.Field != "title" {
			t.Errorf("problem field = %q, want title", p.Field)
		}
		for _, field := range []string{"name", "tenant", "join_link"} {
			b.do(t, "POST", "/v1/templates/many_titles/preview", key, map[string]string{"channel": "email", field: huge}).
				wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
		}

		longest := strings.Repeat(`"`, herald.MaxTitleBytes)
		r := b.do(t, "POST", "/v1/templates/many_titles/preview", key, map[string]string{"channel": "email", "title": longest})
		r.want(t, http.StatusOK, nil)
		// Text, subject and escaped HTML, each within its bound, and JSON's
		// escaping of HTML's ampersands at most six bytes for one.
		if limit := 6 * 3 * render.MaxRenderedEmailBytes; len(r.body) > limit {
			t.Errorf("the preview answered %d bytes, more than %d", len(r.body), limit)
		}

		before := b.snapshot(t, key)
		tooMany := map[string]string{"channel": "email", "subject": "Hi", "text": strings.Repeat("{title}", 9000)}
		p = b.do(t, "PUT", "/v1/templates/too_many_titles", key, tooMany).
			wantProblem(t, http.StatusUnprocessableEntity, render.CodeTooLarge)
		if p.Field != "text" {
			t.Errorf("problem field = %q, want text", p.Field)
		}
		sms := map[string]string{"text": strings.Repeat("{join_link}", 140)}
		b.do(t, "PUT", "/v1/templates/too_many_links", key, sms).wantProblem(t, http.StatusUnprocessableEntity, render.CodeTooLarge)
		b.wantUnchanged(t, key, before, "templates that render too large")
	})
}
