package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"herald"
)

// TestScenarioMatchesOpenAPI walks every route the way a booking system
// would, with requests that must match openapi.json, and checks each real
// answer against it (see specChecker.check), errors included.
func TestScenarioMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		b.strictRequests = true
		b.do(t, "GET", "/healthz", "", nil).want(t, http.StatusOK, nil)
		b.do(t, "GET", "/readyz", "", nil).want(t, http.StatusOK, nil)
		b.do(t, "GET", "/openapi.json", "", nil).want(t, http.StatusOK, nil)
		tn := b.newTenant(t, "Acme")
		key := tn.APIKey

		settingsScenario(t, b, key)
		lead := leadScenario(t, b, key)
		meetingScenario(t, b, tn, lead)

		b.strictRequests = false // the requests below break the document on purpose
		errorScenario(t, b, key, lead)
	})
}

func settingsScenario(t *testing.T, b *testBundle, key string) {
	var got herald.Settings
	b.do(t, "GET", "/v1/settings", key, nil).want(t, http.StatusOK, &got)
	if got.Timezone != "UTC" || len(got.ReminderRules) != 3 || !got.Channels.SMS || !got.Channels.Email {
		t.Fatalf("default settings = %+v", got)
	}
	b.do(t, "PUT", "/v1/settings", key, map[string]any{"timezone": "Europe/Paris", "channels": map[string]bool{"sms": false},
		"replies": map[string]string{"help": "Call us."}}).want(t, http.StatusOK, &got)
	b.do(t, "GET", "/v1/settings", key, nil).want(t, http.StatusOK, &got)
	if got.Timezone != "Europe/Paris" || got.Channels.SMS || !got.Channels.Email || len(got.ReminderRules) != 3 ||
		got.Replies.Help != "Call us." || got.Replies.Stop == "" || got.LateBooking != "skip" || got.DefaultRegion != "US" {
		t.Fatalf("saved settings = %+v; fields left out must keep their defaults", got)
	}
}

func leadScenario(t *testing.T, b *testBundle, key string) herald.Lead {
	r := b.do(t, "POST", "/v1/leads", key, johnInput)
	var lead herald.Lead
	r.want(t, http.StatusCreated, &lead)
	if lead.Phone != "+14155552671" || lead.Email != "john@example.com" || lead.Locale != "en-US" ||
		lead.SMSOptedOut || lead.SMSOptedOutAt != nil || !lead.CreatedAt.Equal(epoch) {
		t.Fatalf("created lead = %+v", lead)
	}
	if loc := r.header.Get("Location"); loc != "/v1/leads/"+lead.ID {
		t.Fatalf("Location = %q", loc)
	}
	var read herald.Lead
	b.do(t, "GET", "/v1/leads/"+lead.ID, key, nil).want(t, http.StatusOK, &read)
	if read != lead {
		t.Fatalf("read lead = %+v, want %+v", read, lead)
	}
	b.clock.Advance(time.Second)
	b.do(t, "PATCH", "/v1/leads/"+lead.ID, key, map[string]string{"name": "John Smith", "phone": "+44 20 7946 0958"}).
		want(t, http.StatusOK, &read)
	if read.Name != "John Smith" || read.Phone != "+442079460958" || read.Email != lead.Email ||
		!read.UpdatedAt.Equal(epoch.Add(time.Second)) {
		t.Fatalf("patched lead = %+v", read)
	}
	leads := list[herald.Lead](t, b, key, "/v1/leads?limit=10")
	if len(leads.Items) != 1 || leads.Items[0].ID != lead.ID || leads.NextCursor != "" {
		t.Fatalf("leads = %+v", leads)
	}
	return read
}

func meetingScenario(t *testing.T, b *testBundle, tn tenant, lead herald.Lead) {
	key := tn.APIKey
	start := b.clock.Now().Add(48 * time.Hour)
	plain := b.book(t, key, lead.ID, start)

	r := b.do(t, "POST", "/v1/meetings", key, bookInput(lead.ID, start.Add(time.Hour)), "Idempotency-Key", "scenario-1")
	var keyed, replay herald.Meeting
	r.want(t, http.StatusCreated, &keyed)
	if r.header.Get("Idempotent-Replayed") != "" || r.header.Get("Location") != "/v1/meetings/"+keyed.ID {
		t.Fatalf("first keyed booking headers = %v", r.header)
	}
	r = b.do(t, "POST", "/v1/meetings", key, bookInput(lead.ID, start.Add(time.Hour)), "Idempotency-Key", "scenario-1")
	r.want(t, http.StatusCreated, &replay)
	if r.header.Get("Idempotent-Replayed") != "true" || replay.ID != keyed.ID {
		t.Fatalf("replay = %s (header %q), want %s", replay.ID, r.header.Get("Idempotent-Replayed"), keyed.ID)
	}

	var m herald.Meeting
	b.do(t, "GET", "/v1/meetings/"+plain.ID, key, nil).want(t, http.StatusOK, &m)
	if m.ID != plain.ID || len(m.Reminders) != 3 || m.ConfirmedAt != nil || m.Status != herald.MeetingScheduled {
		t.Fatalf("read meeting = %+v", m)
	}
	b.do(t, "PATCH", "/v1/meetings/"+plain.ID, key, map[string]string{"title": "Demo v2", "join_link": ""}).
		want(t, http.StatusOK, &m)
	if m.Title != "Demo v2" || m.JoinLink != "" || m.Sequence != 0 {
		t.Fatalf("retitled meeting = %+v", m)
	}
	moved := start.Add(24 * time.Hour)
	b.do(t, "PATCH", "/v1/meetings/"+plain.ID, key, map[string]string{"starts_at": moved.Format(time.RFC3339)}).
		want(t, http.StatusOK, &m)
	if !m.StartsAt.Equal(moved) || m.Sequence != 1 || len(m.Reminders) != 6 ||
		countReminders(m.Reminders, herald.ReminderCancelled, herald.ReasonRescheduled) != 3 ||
		countReminders(m.Reminders, herald.ReminderPending, "") != 3 {
		t.Fatalf("moved meeting = %+v", m)
	}
	b.do(t, "POST", "/v1/meetings/"+keyed.ID+"/cancel", key, nil).want(t, http.StatusOK, &m)
	if m.Status != herald.MeetingCancelled || m.CancelledAt == nil ||
		countReminders(m.Reminders, herald.ReminderCancelled, herald.ReasonCancelled) != 3 {
		t.Fatalf("cancelled meeting = %+v", m)
	}

	only := func(path, wantID string) {
		t.Helper()
		got := list[herald.Meeting](t, b, key, path)
		if len(got.Items) != 1 || got.Items[0].ID != wantID || got.NextCursor != "" {
			t.Fatalf("%s = %+v, want only %s", path, got, wantID)
		}
	}
	only("/v1/meetings?status=cancelled", keyed.ID)
	only("/v1/meetings?status=scheduled&limit=5", plain.ID)
	only("/v1/meetings?from="+moved.Format(time.RFC3339), plain.ID)
	only("/v1/meetings?to="+moved.Format(time.RFC3339), keyed.ID)
	only("/v1/meetings?from="+start.Format(time.RFC3339)+"&to="+moved.Format(time.RFC3339), keyed.ID)

	reminderScenario(t, b, tn, plain.ID)
	audit := list[herald.AuditAction](t, b, key, "/v1/audit?entity_id="+plain.ID)
	if len(audit.Items) != 3 { // booked, updated, rescheduled
		t.Fatalf("audit of the meeting = %+v", audit.Items)
	}
	audit = list[herald.AuditAction](t, b, key, "/v1/audit?action=meeting.cancelled&limit=1")
	if len(audit.Items) != 1 || audit.Items[0].EntityID != keyed.ID || !audit.Items[0].At.Equal(epoch.Add(time.Second)) {
		t.Fatalf("cancel audit = %+v", audit.Items)
	}
}

func reminderScenario(t *testing.T, b *testBundle, tn tenant, meetingID string) {
	key := tn.APIKey
	pending := list[herald.Reminder](t, b, key, "/v1/reminders?status=pending&meeting_id="+meetingID)
	if len(pending.Items) != 3 {
		t.Fatalf("pending reminders of the meeting = %+v", pending.Items)
	}
	all := list[herald.Reminder](t, b, key, "/v1/reminders?limit=200")
	if len(all.Items) != 9 {
		t.Fatalf("reminders = %d, want 9", len(all.Items))
	}
	rem := pending.Items[0]
	var got herald.Reminder
	r := b.do(t, "GET", "/v1/reminders/"+rem.ID, key, nil)
	r.want(t, http.StatusOK, &got)
	if got.ID != rem.ID || len(got.AttemptHistory) != 0 || !strings.Contains(string(r.body), `"attempt_history":[]`) {
		t.Fatalf("reminder without attempts = %s", r.body)
	}
	b.deliver(t, tn.ID, rem.ID, true)
	b.do(t, "GET", "/v1/reminders/"+rem.ID, key, nil).want(t, http.StatusOK, &got)
	now := b.clock.Now()
	if got.Status != herald.ReminderSent || got.SentAt == nil || !got.SentAt.Equal(now) || len(got.AttemptHistory) != 1 ||
		len(got.AttemptHistory[0].Calls) != 2 || got.AttemptHistory[0].FinishedAt == nil {
		t.Fatalf("sent reminder = %+v", got)
	}
	retried := pending.Items[1].ID
	b.deliver(t, tn.ID, retried, false)
	b.do(t, "GET", "/v1/reminders/"+retried, key, nil).want(t, http.StatusOK, &got)
	if got.Status != herald.ReminderPending || got.NextRetryAt == nil || !got.NextRetryAt.Equal(now.Add(time.Minute)) ||
		got.LastError == "" || len(got.AttemptHistory) != 1 {
		t.Fatalf("reminder to retry = %+v", got)
	}
	var m herald.Meeting
	b.do(t, "GET", "/v1/meetings/"+meetingID, key, nil).want(t, http.StatusOK, &m)
	if countReminders(m.Reminders, herald.ReminderSent, "") != 1 {
		t.Fatalf("the meeting does not show its sent reminder: %+v", m.Reminders)
	}
}

func countReminders(rs []herald.Reminder, status herald.ReminderStatus, reason herald.Reason) int {
	n := 0
	for _, r := range rs {
		if r.Status == status && r.Reason == reason {
			n++
		}
	}
	return n
}

// errorScenario gets one answer of each error status the API has and lets
// the spec check them; the scenario's state is left as it was, and the
// database is closed last to see the server's answers without it.
func errorScenario(t *testing.T, b *testBundle, key string, lead herald.Lead) {
	before := b.snapshot(t, key)

	b.do(t, "GET", "/v1/leads", "", nil).wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
	b.do(t, "POST", "/v1/admin/tenants", key, map[string]string{"name": "x"}).
		wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)
	b.do(t, "GET", "/v1/leads/lead_MISSING", key, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
	b.do(t, "GET", "/v1/nothing", key, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)

	r := b.do(t, "PUT", "/v1/leads/"+lead.ID, key, nil)
	r.wantProblem(t, http.StatusMethodNotAllowed, herald.ECodeMethod)
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
		t.Fatalf("Allow = %q, want GET and PATCH", allow)
	}

	cancelled := list[herald.Meeting](t, b, key, "/v1/meetings?status=cancelled").Items[0]
	b.do(t, "PATCH", "/v1/meetings/"+cancelled.ID, key, map[string]string{"title": "Back"}).
		wantProblem(t, http.StatusConflict, herald.ECodeConflict)

	huge := `{"name": "` + strings.Repeat("a", 70<<10) + `"}`
	b.do(t, "POST", "/v1/leads", key, huge).wantProblem(t, http.StatusRequestEntityTooLarge, herald.ECodeTooLarge)
	p := b.do(t, "POST", "/v1/leads", key, map[string]string{"name": "Bad", "phone": "12"}).
		wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalidPhone)
	if p.Field != "phone" {
		t.Fatalf("problem field = %q, want phone", p.Field)
	}
	b.do(t, "GET", "/v1/meetings?limit=0", key, nil).wantProblem(t, http.StatusBadRequest, herald.ECodeInvalidQuery)
	b.do(t, "POST", "/v1/meetings", key, `{"lead_id":`).wantProblem(t, http.StatusBadRequest, herald.ECodeMalformedJSON)
	b.do(t, "POST", "/v1/meetings", key, bookInput("lead_NOPE", epoch.Add(time.Hour))).
		wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeUnknownLead)

	b.wantUnchanged(t, key, before, "the refused requests")

	// Without its database the server says it is not ready, and hides
	// the internal error behind a generic problem.
	if err := b.db.Close(); err != nil {
		t.Fatal(err)
	}
	b.do(t, "GET", "/readyz", "", nil).wantProblem(t, http.StatusServiceUnavailable, herald.ECodeUnavailable)
	p = b.do(t, "GET", "/v1/leads", key, nil).wantProblem(t, http.StatusInternalServerError, herald.ECodeInternal)
	if p.Detail != "Internal error." {
		t.Fatalf("internal problem detail = %q, want the generic text", p.Detail)
	}
}
