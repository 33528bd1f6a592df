package webui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"herald"
)

var (
	reminderLink = regexp.MustCompile(`href="/ui/reminders/(rem_[A-Z0-9]+)"`)
	nextPage     = regexp.MustCompile(`href="([^"]+)" rel="next"`)
)

// tenantPages are every tenant page of the fixture's data.
func tenantPages(f fixture) []string {
	return []string{
		"/ui/upcoming", "/ui/upcoming?hours=168", "/ui/messages", "/ui/messages?status=sent&channel=sms&provider=outbox&from=2026-03-01&to=2026-03-09&q=jane",
		"/ui/reminders/" + f.sent.ID, "/ui/reminders/" + f.retrying.ID, "/ui/meetings/" + f.soon.ID, "/ui/meetings/" + f.later.ID,
		"/ui/leads", "/ui/leads/" + f.jane.ID, "/ui/templates", "/ui/templates/sms/meeting_reminder_24h",
		"/ui/templates/sms/meeting_reminder_1h", "/ui/templates/email/meeting_reminder_24h", "/ui/templates/sms/brand_new",
		"/ui/settings", "/ui/outbox", "/ui/events", "/ui/events?type=meeting.booked", "/ui/endpoints", "/ui/audit", "/ui/audit?action=reminder.sent",
	}
}

func TestEveryPageRendersWithData(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		f := b.fullData(t)
		br := b.browser(t)
		br.signIn(t, f.key)
		for _, path := range tenantPages(f) {
			p := br.get(t, path).want(t, http.StatusOK, "Acme Sales")
			// The Content-Security-Policy would block inline script and
			// style; none may be needed.
			for _, inline := range []string{"<script>", " style=", " onclick=", " onload=", " onchange=", "javascript:"} {
				if strings.Contains(p.body, inline) {
					t.Errorf("%s has inline %q", path, inline)
				}
			}
		}
		admin := b.browser(t)
		admin.signIn(t, adminToken)
		admin.get(t, "/ui/admin/tenants").want(t, http.StatusOK, "Acme Sales", "Other Co")
		admin.get(t, "/ui/admin/providers").want(t, http.StatusOK, "vonage", "service unavailable")
		admin.get(t, "/ui/admin/workers").want(t, http.StatusOK, "Workers")
	})
}

func TestEveryPageRendersEmpty(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		_, key := b.tenant(t, "Empty Inc")
		br := b.browser(t)
		br.signIn(t, key)
		br.get(t, "/ui/upcoming").want(t, http.StatusOK, "Nothing goes out in the next 24 hours")
		br.get(t, "/ui/messages").want(t, http.StatusOK, "No reminders yet")
		br.get(t, "/ui/messages?q=nobody").want(t, http.StatusOK, "No reminder matches")
		br.get(t, "/ui/leads").want(t, http.StatusOK, "No leads yet")
		br.get(t, "/ui/outbox").want(t, http.StatusOK, "The outbox is empty")
		br.get(t, "/ui/events").want(t, http.StatusOK, "No events yet")
		br.get(t, "/ui/endpoints").want(t, http.StatusOK, "No endpoints")
		br.get(t, "/ui/audit").want(t, http.StatusOK, "Nothing yet")
		br.get(t, "/ui/audit?action=nonsense").want(t, http.StatusUnprocessableEntity)
		p := br.get(t, "/ui/settings").want(t, http.StatusOK, "<td>24h</td>", "<td>1h</td>", "<td>10m</td>")
		if strings.Contains(p.body, "86400") {
			t.Error("the settings show an offset in nanoseconds")
		}
		for _, path := range []string{"/ui/templates", "/ui/templates/sms/meeting_reminder_10m"} {
			br.get(t, path).want(t, http.StatusOK)
		}
		admin := b.browser(t)
		admin.signIn(t, adminToken)
		admin.get(t, "/ui/admin/providers").want(t, http.StatusOK, "No provider errors")
		if b.db.SingleProcess() {
			admin.get(t, "/ui/admin/workers").want(t, http.StatusOK, "Heartbeats are recorded on PostgreSQL")
		} else {
			admin.get(t, "/ui/admin/workers").want(t, http.StatusOK, "No worker process has a heartbeat")
		}
	})
}

// The workers page lists the processes that heartbeat, aged by the
// database's clock, and marks stale one that other processes would take
// for stopped.
func TestWorkersPageMarksStaleProcesses(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		ctx := context.Background()
		admin := b.browser(t)
		admin.signIn(t, adminToken)
		if b.db.SingleProcess() {
			// Heartbeat records nothing on SQLite.
			if _, err := b.db.Heartbeat(ctx, "proc_LOCAL", true); err != nil {
				t.Fatal(err)
			}
			p := admin.get(t, "/ui/admin/workers").want(t, http.StatusOK, "Heartbeats are recorded on PostgreSQL")
			if strings.Contains(p.body, "proc_LOCAL") {
				t.Error("the workers page lists a process on SQLite")
			}
			return
		}
		if _, err := b.db.Heartbeat(ctx, "proc_ALIVE", true); err != nil {
			t.Fatal(err)
		}
		if _, err := b.db.ExecContext(ctx, `INSERT INTO herald_processes (id, started_at, heartbeat_at)
			VALUES ('proc_GONE', now() - interval '2 hours', now() - interval '5 minutes')`); err != nil {
			t.Fatal(err)
		}
		p := admin.get(t, "/ui/admin/workers").want(t, http.StatusOK, "proc_ALIVE", "proc_GONE")
		if !regexp.MustCompile(`5m \d\ds ago`).MatchString(p.body) {
			t.Errorf("the workers page does not say the stale heartbeat is 5 minutes old:\n%s", p.body)
		}
		alive := regexp.MustCompile(`proc_ALIVE</td>.*?badge good">alive<`)
		gone := regexp.MustCompile(`proc_GONE</td>.*?badge bad">stale<`)
		for _, re := range []*regexp.Regexp{alive, gone} {
			if !re.MatchString(strings.ReplaceAll(p.body, "\n", " ")) {
				t.Errorf("the workers page does not match %s:\n%s", re, p.body)
			}
		}
	})
}

func TestUpcomingSaysWhyRemindersWait(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		f := b.fullData(t)
		br := b.browser(t)
		br.signIn(t, f.key)
		p := br.get(t, "/ui/upcoming?hours=72").want(t, http.StatusOK, "Product Demo", "Contract Review",
			"Waiting for its time", "the lead has no phone number, so it goes by email", "Retry at 16:30", "1********23")
		if strings.Contains(p.body, "jane@example.com") || strings.Contains(p.body, "+14155550123") {
			t.Error("Upcoming shows a lead's contact data unmasked")
		}
		if strings.Contains(p.body, f.sent.ID) {
			t.Error("Upcoming lists a reminder already sent")
		}
	})
}

func TestMessageLogFiltersAndSearches(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		f := b.fullData(t)
		br := b.browser(t)
		br.signIn(t, f.key)
		all := br.get(t, "/ui/messages").want(t, http.StatusOK, "Product Demo", "Contract Review", "Onboarding")
		if strings.Contains(all.body, "jane@example.com") || strings.Contains(all.body, "+14155550123") {
			t.Error("the message log shows contact data unmasked")
		}
		sent := br.get(t, "/ui/messages?status=sent").want(t, http.StatusOK, f.sent.ID)
		if strings.Contains(sent.body, "Contract Review") {
			t.Error("status=sent lists a pending reminder")
		}
		for _, q := range []string{"jane", "JANE", "0123", "jane@example"} {
			p := br.get(t, "/ui/messages?q="+url.QueryEscape(q)).want(t, http.StatusOK, "Product Demo")
			if strings.Contains(p.body, "Contract Review") {
				t.Errorf("search %q lists another lead's reminders", q)
			}
		}
		br.get(t, "/ui/messages?q=olga").want(t, http.StatusOK, "No reminder matches")
		byDate := br.get(t, "/ui/messages?from=2026-03-04&to=2026-03-04").want(t, http.StatusOK, "Contract Review")
		if strings.Contains(byDate.body, "Product Demo") {
			t.Error("the date range lists a reminder outside it")
		}
		br.get(t, "/ui/messages?status=bogus").want(t, http.StatusUnprocessableEntity)
		br.get(t, "/ui/messages?from=yesterday").want(t, http.StatusUnprocessableEntity)
		br.get(t, "/ui/messages?cursor=garbage").want(t, http.StatusUnprocessableEntity)
	})
}

func TestMessageLogPages(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		tenant, key := b.tenant(t, "Busy")
		l := b.lead(t, tenant.ID, herald.LeadInput{Name: "Many", Email: "many@example.com"})
		for i := range 20 {
			b.book(t, tenant.ID, l.ID, "Meeting", epoch.Add(48*time.Hour+time.Duration(i)*time.Hour))
		}
		br := b.browser(t)
		br.signIn(t, key)
		seen := map[string]bool{}
		path := "/ui/messages"
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			p := br.get(t, path).want(t, http.StatusOK)
			for _, m := range reminderLink.FindAllStringSubmatch(p.body, -1) {
				if seen[m[1]] {
					t.Fatalf("reminder %s on two pages", m[1])
				}
				seen[m[1]] = true
			}
			path = ""
			if m := nextPage.FindStringSubmatch(p.body); m != nil {
				path = html.UnescapeString(m[1])
			}
		}
		if len(seen) != 60 {
			t.Errorf("the pages listed %d reminders, want 60", len(seen))
		}
	})
}

func TestTimelineShowsAttemptsAndText(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		f := b.fullData(t)
		br := b.browser(t)
		br.signIn(t, f.key)
		br.get(t, "/ui/reminders/"+f.sent.ID).want(t, http.StatusOK, "Planned", "Attempt 1", "vonage", "Sent",
			"Delivery receipt", "delivered", "Text from the lead", "Confirmed by the lead",
			"Text sent", "Hi Jane Doe, your meeting &#34;Product Demo&#34; starts in 1 hour at 12:00 PM.")
		br.get(t, "/ui/audit?action=reminder.sent").want(t, http.StatusOK, "/ui/reminders/"+f.sent.ID)
		br.get(t, "/ui/reminders/"+f.retrying.ID).want(t, http.StatusOK, "Retry planned", "HTTP 503", "Retry at 16:30")
		br.get(t, "/ui/meetings/"+f.soon.ID).want(t, http.StatusOK, "Meeting booked", "1h reminder", "Cancel meeting",
			"Text from the lead", "Confirmed by the lead",
			"Skipped")
	})
}

func TestOtherTenantsObjectsAreNotFound(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		f := b.fullData(t)
		br := b.browser(t)
		br.signIn(t, f.key)
		for _, path := range []string{"/ui/reminders/" + f.otherReminder, "/ui/meetings/" + f.otherMeeting.ID,
			"/ui/leads/" + f.otherLead.ID, "/ui/reminders/rem_missing", "/ui/nowhere"} {
			br.get(t, path).want(t, http.StatusNotFound)
		}
		br.get(t, "/ui/upcoming")
		br.post(t, "/ui/meetings/"+f.otherMeeting.ID+"/cancel", url.Values{}).want(t, http.StatusNotFound)
		br.post(t, "/ui/events/"+f.otherEvent+"/redeliver", url.Values{}).want(t, http.StatusNotFound)
		br.post(t, "/ui/meetings/"+f.otherMeeting.ID+"/move", url.Values{"starts_at": {"2026-03-05T10:00"}}).want(t, http.StatusNotFound)
		m, err := b.store.Meeting(context.Background(), f.other.ID, f.otherMeeting.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != herald.MeetingScheduled || !m.StartsAt.Equal(f.otherMeeting.StartsAt) {
			t.Errorf("another tenant's meeting changed: %+v", m)
		}
		// A tenant's session does not open the admin pages, nor the reverse.
		for _, path := range []string{"/ui/admin/tenants", "/ui/admin/providers", "/ui/admin/workers"} {
			br.get(t, path).want(t, http.StatusForbidden)
		}
		admin := b.browser(t)
		admin.signIn(t, adminToken)
		admin.get(t, "/ui/upcoming").want(t, http.StatusForbidden)
	})
}

func TestFormsWithoutCSRFTokenChangeNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		f := b.fullData(t)
		br := b.browser(t)
		br.signIn(t, f.key)
		for _, token := range []string{"", "wrong"} {
			forms := map[string]url.Values{
				"/ui/meetings/" + f.later.ID + "/cancel":        {},
				"/ui/meetings/" + f.later.ID + "/move":          {"starts_at": {"2026-03-05T10:00"}},
				"/ui/templates/sms/meeting_reminder_24h":        {"text": {"Changed {name}"}, "action": {"save"}},
				"/ui/templates/sms/meeting_reminder_1h/revert":  {},
				"/ui/templates/sms/meeting_reminder_1h/preview": {"text": {"Hi"}},
				"/ui/logout": {},
				"/ui/events/" + f.otherEvent + "/redeliver": {},
			}
			for path, form := range forms {
				form.Set("csrf", token)
				br.post(t, path, form).want(t, http.StatusForbidden)
			}
		}
		m, err := b.store.Meeting(context.Background(), f.tenant.ID, f.later.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != herald.MeetingScheduled || !m.StartsAt.Equal(f.later.StartsAt) {
			t.Errorf("a form without its token changed the meeting: %+v", m)
		}
		overrides, err := b.store.TemplateOverrides(context.Background(), f.tenant.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(overrides) != 1 || overrides[0].Name != "meeting_reminder_1h" {
			t.Errorf("a form without its token changed the templates: %+v", overrides)
		}
		br.get(t, "/ui/upcoming").want(t, http.StatusOK) // still signed in

		admin := b.browser(t)
		admin.signIn(t, adminToken)
		admin.post(t, "/ui/admin/tenants", url.Values{"name": {"Sneaky"}, "csrf": {""}}).want(t, http.StatusForbidden)
		admin.post(t, "/ui/admin/tenants/"+f.tenant.ID+"/disable", url.Values{"csrf": {"wrong"}}).want(t, http.StatusForbidden)
		if p := admin.get(t, "/ui/admin/tenants"); strings.Contains(p.body, "Sneaky") || strings.Contains(p.body, ">disabled<") {
			t.Error("a form without its token created or disabled a tenant")
		}
		// The sign-in form needs its token too.
		anon := b.browser(t)
		anon.post(t, "/ui/login", url.Values{"key": {f.key}}).want(t, http.StatusForbidden)
	})
}

func TestEventsShowDeliveries(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		f := b.fullData(t)
		br := b.browser(t)
		br.signIn(t, f.key)
		p := br.get(t, "/ui/events?type=meeting.booked").want(t, http.StatusOK, "meeting.booked", f.soon.ID)
		if _, table, _ := strings.Cut(p.body, `<table class="list" id="events">`); strings.Contains(table, "reminder.sent") {
			t.Error("the type filter lists other types")
		}
		br.get(t, "/ui/endpoints").want(t, http.StatusOK, "https://hooks.example.com/herald", "CRM", "all")
		br.get(t, "/ui/events?type=nonsense").want(t, http.StatusUnprocessableEntity)
		events, err := b.store.ListEvents(context.Background(), f.tenant.ID, herald.EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		br.post(t, "/ui/events/"+events.Items[0].ID+"/redeliver", url.Values{}).want(t, http.StatusSeeOther)
	})
}
