package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
)

// TestTenantIsolation checks that tenant B cannot see, change or use
// tenant A's objects on any route, and cannot even tell them from missing
// ones.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		a := b.newTenant(t, "Tenant A")
		aLead := b.newLead(t, a.APIKey)
		aMeeting := b.book(t, a.APIKey, aLead.ID, epoch.Add(48*time.Hour))
		aReminder := aMeeting.Reminders[0]

		bee := b.newTenant(t, "Tenant B")
		bLead := b.newLead(t, bee.APIKey)
		bMeeting := b.book(t, bee.APIKey, bLead.ID, epoch.Add(72*time.Hour))
		aBefore := b.snapshot(t, a.APIKey)

		// Each of A's objects answers B exactly as a missing id does.
		for _, c := range []struct{ method, path, missing, body string }{
			{"GET", "/v1/leads/" + aLead.ID, "/v1/leads/lead_MISSING", ""},
			{"PATCH", "/v1/leads/" + aLead.ID, "/v1/leads/lead_MISSING", `{"name": "Mallory"}`},
			{"GET", "/v1/meetings/" + aMeeting.ID, "/v1/meetings/mtg_MISSING", ""},
			{"PATCH", "/v1/meetings/" + aMeeting.ID, "/v1/meetings/mtg_MISSING", `{"title": "Hijacked"}`},
			{"PATCH", "/v1/meetings/" + aMeeting.ID, "/v1/meetings/mtg_MISSING", `{"starts_at": "2026-03-10T15:00:00Z"}`},
			{"POST", "/v1/meetings/" + aMeeting.ID + "/cancel", "/v1/meetings/mtg_MISSING/cancel", ""},
			{"GET", "/v1/reminders/" + aReminder.ID, "/v1/reminders/rem_MISSING", ""},
		} {
			var body any
			if c.body != "" {
				body = c.body
			}
			foreign := b.do(t, c.method, c.path, bee.APIKey, body).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
			missing := b.do(t, c.method, c.missing, bee.APIKey, body).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
			if foreign != missing {
				t.Errorf("%s %s as B = %+v; a missing id gives %+v", c.method, c.path, foreign, missing)
			}
		}

		// Booking with A's lead is refused like booking with no lead.
		foreign := b.do(t, "POST", "/v1/meetings", bee.APIKey, bookInput(aLead.ID, epoch.Add(48*time.Hour))).
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeUnknownLead)
		missing := b.do(t, "POST", "/v1/meetings", bee.APIKey, bookInput("lead_MISSING", epoch.Add(48*time.Hour))).
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeUnknownLead)
		if foreign.Field != "lead_id" || missing.Field != "lead_id" || foreign.Title != missing.Title {
			t.Errorf("booking with A's lead = %+v; with a missing lead = %+v", foreign, missing)
		}

		// B's lists, filtered on A's ids or not, hold only B's objects.
		aIDs := []string{a.ID, aLead.ID, aMeeting.ID}
		for _, r := range aMeeting.Reminders {
			aIDs = append(aIDs, r.ID)
		}
		for _, path := range []string{"/v1/leads", "/v1/meetings", "/v1/reminders", "/v1/audit",
			"/v1/reminders?meeting_id=" + aMeeting.ID, "/v1/audit?entity_id=" + aLead.ID,
			"/v1/audit?entity_id=" + aMeeting.ID, "/v1/audit?entity_id=" + a.ID} {
			body := string(b.do(t, "GET", path, bee.APIKey, nil).body)
			for _, id := range aIDs {
				if strings.Contains(body, id) {
					t.Errorf("B's %s shows A's %s: %s", path, id, body)
				}
			}
		}
		if got := idsOf(list[herald.Lead](t, b, bee.APIKey, "/v1/leads").Items, leadID); !slices.Equal(got, []string{bLead.ID}) {
			t.Errorf("B's leads = %v, want only %s", got, bLead.ID)
		}
		if got := idsOf(list[herald.Meeting](t, b, bee.APIKey, "/v1/meetings").Items, meetingID); !slices.Equal(got, []string{bMeeting.ID}) {
			t.Errorf("B's meetings = %v, want only %s", got, bMeeting.ID)
		}
		if n := len(list[herald.Reminder](t, b, bee.APIKey, "/v1/reminders").Items); n != 3 {
			t.Errorf("B sees %d reminders, want its own 3", n)
		}

		b.wantUnchanged(t, a.APIKey, aBefore, "tenant B's requests")
		// A still reads its own objects as they were.
		var m herald.Meeting
		b.do(t, "GET", "/v1/meetings/"+aMeeting.ID, a.APIKey, nil).want(t, http.StatusOK, &m)
		if m.Status != herald.MeetingScheduled || m.Title != aMeeting.Title || len(m.Reminders) != 3 {
			t.Errorf("A's meeting after B's requests = %+v", m)
		}
	})
}
