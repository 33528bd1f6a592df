package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/httpapi"
)

// batchAnswer is the answer of POST /v1/meetings/batch.
type batchAnswer struct {
	Items []struct {
		Status  int              `json:"status"`
		Meeting *herald.Meeting  `json:"meeting"`
		Problem *httpapi.Problem `json:"problem"`
	} `json:"items"`
}

// TestBatchBooksTheGoodItems books a calendar of 500 with a few bad
// items: the good ones are booked, each bad one is named by its place and
// its problem, and sending the batch again books nothing more.
func TestBatchBooksTheGoodItems(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		items := make([]any, httpapi.MaxBatchItems)
		for i := range items {
			items[i] = map[string]string{"idempotency_key": fmt.Sprintf("import-%d", i), "lead_id": lead.ID,
				"title": fmt.Sprintf("Call %d", i), "starts_at": epoch.Add(time.Duration(48*60+i) * time.Minute).Format(time.RFC3339)}
		}
		bad := map[int]string{
			7:   herald.ECodeUnknownLead,
			42:  herald.ECodeInvalidTime,
			99:  herald.ECodeInvalid,
			123: herald.ECodeMalformedJSON,
			300: herald.ECodeIdemMismatch,
			499: herald.ECodeInvalid,
		}
		items[7].(map[string]string)["lead_id"] = "lead_nobody"
		items[42].(map[string]string)["starts_at"] = epoch.Add(-time.Hour).Format(time.RFC3339)
		delete(items[99].(map[string]string), "idempotency_key")
		items[123] = 42
		items[300].(map[string]string)["idempotency_key"] = "import-299" // another body under 299's key
		items[499].(map[string]string)["title"] = ""

		var got batchAnswer
		b.do(t, "POST", "/v1/meetings/batch", key, map[string]any{"items": items}).want(t, http.StatusOK, &got)
		if len(got.Items) != len(items) {
			t.Fatalf("%d answers for %d items", len(got.Items), len(items))
		}
		ids := map[string]int{}
		for i, it := range got.Items {
			if code, isBad := bad[i]; isBad {
				if it.Problem == nil || it.Meeting != nil || it.Problem.Code != code || it.Status != it.Problem.Status {
					t.Fatalf("item %d = %+v, want problem %s", i, it, code)
				}
				continue
			}
			if it.Status != http.StatusCreated || it.Meeting == nil || it.Problem != nil || it.Meeting.Title != fmt.Sprintf("Call %d", i) ||
				len(it.Meeting.Reminders) != 3 {
				t.Fatalf("item %d = %+v, want its meeting", i, it)
			}
			ids[it.Meeting.ID] = i
		}
		want := len(items) - len(bad)
		if len(ids) != want {
			t.Fatalf("%d distinct meetings in the answers, want %d", len(ids), want)
		}
		if n := countMeetings(t, b, key); n != want {
			t.Fatalf("%d meetings booked, want %d", n, want)
		}

		// The import is sent again: it books nothing new, answers the same
		// meetings, and a single booking with an item's key replays it.
		var again batchAnswer
		b.do(t, "POST", "/v1/meetings/batch", key, map[string]any{"items": items}).want(t, http.StatusOK, &again)
		for i, it := range again.Items {
			if _, isBad := bad[i]; !isBad && (it.Meeting == nil || ids[it.Meeting.ID] != i) {
				t.Fatalf("resent item %d = %+v, want the meeting of the first answer", i, it)
			}
		}
		single := items[5].(map[string]string)
		body := map[string]string{"lead_id": single["lead_id"], "title": single["title"], "starts_at": single["starts_at"]}
		var m herald.Meeting
		r := b.do(t, "POST", "/v1/meetings", key, body, "Idempotency-Key", "import-5")
		r.want(t, http.StatusCreated, &m)
		if ids[m.ID] != 5 || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("single booking with item 5's key = %s, want the batch's meeting", m.ID)
		}
		if n := countMeetings(t, b, key); n != want {
			t.Fatalf("%d meetings after sending the batch again, want %d", n, want)
		}
	})
}

// TestBatchRefusesBadBatches checks what is refused as a whole.
func TestBatchRefusesBadBatches(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		tooMany := make([]map[string]string, httpapi.MaxBatchItems+1)
		for i := range tooMany {
			tooMany[i] = map[string]string{"idempotency_key": fmt.Sprint(i)}
		}
		for name, body := range map[string]any{
			"no items":    `{}`,
			"empty":       `{"items": []}`,
			"too many":    map[string]any{"items": tooMany},
			"not a list":  `{"items": {}}`,
			"other field": `{"items": [], "dry_run": true}`,
		} {
			r := b.do(t, "POST", "/v1/meetings/batch", key, body)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"field":"`) {
				t.Errorf("%s: %d %s, want 422 naming the field", name, r.status, r.body)
			}
		}
		b.do(t, "POST", "/v1/meetings/batch", key, `[`).wantProblem(t, http.StatusBadRequest, herald.ECodeMalformedJSON)
		if n := countMeetings(t, b, key); n != 0 {
			t.Fatalf("%d meetings booked by refused batches", n)
		}
	})
}

func countMeetings(t *testing.T, b *testBundle, key string) int {
	t.Helper()
	n := 0
	cursor := ""
	for {
		var p page[json.RawMessage]
		b.do(t, "GET", "/v1/meetings?limit=200&cursor="+cursor, key, nil).want(t, http.StatusOK, &p)
		n += len(p.Items)
		if p.NextCursor == "" {
			return n
		}
		cursor = p.NextCursor
	}
}
