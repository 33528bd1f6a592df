package httpapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
)

// walk follows next_cursor through a list with the given page size and
// returns the ids of all items in the order they came. Every page but the
// last must be full, and only the last may have an empty next_cursor.
func walk[T any](t *testing.T, b *testBundle, key, path string, limit int, id func(T) string) []string {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("%s: next_cursor never ends", path)
		}
		q := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		p := list[T](t, b, key, q)
		ids = append(ids, idsOf(p.Items, id)...)
		if p.NextCursor == "" {
			if len(p.Items) > limit {
				t.Fatalf("%s: last page has %d items, over the limit %d", q, len(p.Items), limit)
			}
			return ids
		}
		if len(p.Items) != limit {
			t.Fatalf("%s: a page with a next_cursor has %d items, want %d", q, len(p.Items), limit)
		}
		cursor = p.NextCursor
	}
}

// wantSameOnce fails unless got holds each of want exactly once.
func wantSameOnce(t *testing.T, what string, got, want []string) {
	t.Helper()
	sortedGot, sortedWant := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(sortedGot, sortedWant) {
		t.Fatalf("%s: walked %d items %v, want each of %d %v once", what, len(got), got, len(want), want)
	}
}

// TestPaginationWalksEveryItemOnce pages through every list with several
// page sizes. Half the objects share a creation time (the clock is frozen
// between them), so the cursor's tie-break on id is exercised too.
func TestPaginationWalksEveryItemOnce(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		other := b.newTenant(t, "Other").APIKey
		var leads, meetings, reminders []string
		for i := range 7 {
			if i%2 == 0 {
				b.clock.Advance(time.Second)
			}
			lead := b.newLead(t, key)
			m := b.book(t, key, lead.ID, epoch.Add(72*time.Hour+time.Duration(i)*time.Minute))
			leads = append(leads, lead.ID)
			meetings = append(meetings, m.ID)
			reminders = append(reminders, idsOf(m.Reminders, reminderID)...)
			b.book(t, other, b.newLead(t, other).ID, epoch.Add(72*time.Hour)) // never in key's lists
		}
		all := list[herald.AuditAction](t, b, key, "/v1/audit?limit=200")
		audit := idsOf(all.Items, auditID)
		if len(audit) != 7*5 || all.NextCursor != "" { // per lead: created; per meeting: booked + 3 planned
			t.Fatalf("%d audit actions (next_cursor %q), want 35", len(audit), all.NextCursor)
		}

		for i := 1; i < len(all.Items); i++ {
			if all.Items[i].At.After(all.Items[i-1].At) {
				t.Fatalf("audit is not newest first: %s after %s", all.Items[i].At, all.Items[i-1].At)
			}
		}
		oldestFirst := list[herald.Lead](t, b, key, "/v1/leads").Items
		for i := 1; i < len(oldestFirst); i++ {
			if oldestFirst[i].CreatedAt.Before(oldestFirst[i-1].CreatedAt) {
				t.Fatalf("leads are not oldest first: %s before %s", oldestFirst[i].CreatedAt, oldestFirst[i-1].CreatedAt)
			}
		}

		for _, limit := range []int{1, 3, 7, 50} {
			wantSameOnce(t, "leads", walk(t, b, key, "/v1/leads", limit, leadID), leads)
			wantSameOnce(t, "meetings", walk(t, b, key, "/v1/meetings", limit, meetingID), meetings)
			wantSameOnce(t, "reminders", walk(t, b, key, "/v1/reminders", limit, reminderID), reminders)
			wantSameOnce(t, "audit", walk(t, b, key, "/v1/audit", limit, auditID), audit)
			// The order is stable: oldest first, audit newest first.
			if got := walk(t, b, key, "/v1/leads", limit, leadID); !slices.Equal(got, walk(t, b, key, "/v1/leads", 200, leadID)) {
				t.Fatalf("leads by %d come in another order than in one page: %v", limit, got)
			}
			if got := walk(t, b, key, "/v1/audit", limit, auditID); !slices.Equal(got, audit) {
				t.Fatalf("audit by %d comes in another order than in one page", limit)
			}
		}
		// Filters and cursors combine.
		wantSameOnce(t, "one meeting's reminders",
			walk(t, b, key, "/v1/reminders?meeting_id="+meetings[2], 2, reminderID), reminders[6:9])
		wantSameOnce(t, "scheduled meetings", walk(t, b, key, "/v1/meetings?status=scheduled", 2, meetingID), meetings)
	})
}
