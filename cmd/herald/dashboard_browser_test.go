package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"herald"
)

// The browser tests drive the dashboard in headless Chromium. They skip
// when no Chromium is installed, unless HERALD_REQUIRE_BROWSER=1 (CI sets
// it) makes that a failure. HERALD_UPDATE_SCREENSHOTS=1 writes the
// screenshots of docs/screenshots/ again.

// chromiumPath finds the browser: HERALD_CHROMIUM, else Debian's chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HERALD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const why = "no Chromium found: install Debian's chromium (apt-get install -y chromium) or set HERALD_CHROMIUM to run the dashboard's browser tests"
	if os.Getenv("HERALD_REQUIRE_BROWSER") == "1" {
		t.Fatal(why + " (HERALD_REQUIRE_BROWSER=1)")
	}
	t.Skip(why)
	return ""
}

// browserSession is one headless browser on one Herald.
type browserSession struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string // where screenshots go; empty: nowhere
}

func newBrowser(t *testing.T, base string) *browserSession {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 860),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// The dashboard asks before cancelling a meeting; the user agrees.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	b := &browserSession{t: t, ctx: ctx, base: base}
	if os.Getenv("HERALD_UPDATE_SCREENSHOTS") == "1" {
		b.shots = filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *browserSession) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a dashboard page and waits for sel.
func (b *browserSession) open(path, sel string) {
	b.t.Helper()
	b.run("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// text returns the text of the first element sel matches.
func (b *browserSession) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// waitText waits until sel's text contains want.
func (b *browserSession) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil && strings.Contains(s, want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s never showed %q; it shows %q (error %v)", sel, want, s, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shot saves a screenshot of the whole page as docs/screenshots/NAME.png
// when screenshots are being updated.
func (b *browserSession) shot(name string) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestDashboardInABrowser signs in, sees a booked meeting's reminders on
// Upcoming, opens a meeting's timeline once its reminder is sent, cancels
// another meeting from its page and sees its reminders cancelled through
// the API, edits a template and sees the preview change while typing, and
// signs out.
func TestDashboardInABrowser(t *testing.T) {
	t.Parallel()
	app := openTestApp(t, "sqlite", map[string]string{"REMINDER_POLL_INTERVAL": "50ms"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := app.StartWorker(ctx); err != nil {
		t.Fatal(err)
	}
	defer app.StopWorker()
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	b.open("/ui/login", "#key") // starts the browser before anything is due

	var tenant struct {
		APIKey string `json:"api_key"`
	}
	call(t, srv.URL, "admin", "POST", "/v1/admin/tenants", `{"name":"Acme Sales"}`, 201, &tenant)
	key := tenant.APIKey
	call(t, srv.URL, key, "PUT", "/v1/settings", `{"timezone":"America/New_York","reminder_rules":[
		{"name":"24h","offset":"24h","template":"meeting_reminder_24h"},
		{"name":"1h","offset":"1h","template":"meeting_reminder_1h"},
		{"name":"soon","offset":"50s","template":"meeting_reminder_10m"}]}`, 200, nil)
	lead := func(body string) herald.Lead {
		var l herald.Lead
		call(t, srv.URL, key, "POST", "/v1/leads", body, 201, &l)
		return l
	}
	book := func(l herald.Lead, title string, in time.Duration) herald.Meeting {
		var m herald.Meeting
		call(t, srv.URL, key, "POST", "/v1/meetings", fmt.Sprintf(`{"lead_id":%q,"title":%q,"starts_at":%q,"join_link":"https://meet.example.com/%s"}`,
			l.ID, title, time.Now().Add(in).UTC().Format(time.RFC3339), strings.ToLower(strings.ReplaceAll(title, " ", "-"))), 201, &m)
		return m
	}
	jane := lead(`{"name":"Jane Doe","phone":"+14155550123","email":"jane@example.com","timezone":"America/New_York"}`)
	bob := lead(`{"name":"Bob Martin","email":"bob@example.com","timezone":"Europe/London"}`)
	carla := lead(`{"name":"Carla Gómez","phone":"+34612345678","email":"carla@example.es","timezone":"Europe/Madrid"}`)
	demo := book(jane, "Product Demo", 70*time.Second) // its "soon" reminder goes out in about 20 s
	review := book(bob, "Contract Review", 3*time.Hour)
	book(carla, "Onboarding Call", 26*time.Hour)

	// Sign in and see the booked meetings' reminders on Upcoming.
	b.run("sign in", chromedp.SendKeys(chromedp.CSS("#key"), key), chromedp.Submit(chromedp.CSS("#key")),
		chromedp.WaitVisible(chromedp.CSS("#upcoming")))
	upcoming := b.text("#upcoming")
	for _, want := range []string{"Contract Review", "Bob Martin", "Onboarding Call", "Waiting for its time",
		"the lead has no phone number, so it goes by email"} {
		if !strings.Contains(upcoming, want) {
			t.Errorf("Upcoming does not show %q:\n%s", want, upcoming)
		}
	}
	b.shot("upcoming")

	// Once the demo's reminder is sent, its meeting's timeline shows the
	// attempt, the provider's answer and the text.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var m herald.Meeting
		call(t, srv.URL, key, "GET", "/v1/meetings/"+demo.ID, "", 200, &m)
		if soon := ruleReminder(m, "soon"); soon != nil && soon.Status == herald.ReminderSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo's reminder was not sent within a minute: %+v", m.Reminders)
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.open("/ui/meetings/"+demo.ID, ".timeline")
	b.waitText(".timeline", "Text sent")
	timeline := b.text(".timeline")
	for _, want := range []string{"Meeting booked", "soon reminder · Planned", "Attempt 1 · sms", "outbox answered sent",
		`Hi Jane Doe, "Product Demo" starts in 10 min! Join: https://meet.example.com/product-demo`} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the meeting's timeline does not show %q:\n%s", want, timeline)
		}
	}
	b.shot("meeting")
	b.run("open the reminder", chromedp.Click(chromedp.CSS(`#reminders tbody tr:last-child a`)), chromedp.WaitVisible(chromedp.CSS(".facts")))
	b.waitText(".timeline", "Text sent")
	b.shot("reminder")
	b.open("/ui/messages", "#messages")
	b.shot("messages")

	// Cancel a meeting from its page; the API shows its reminders cancelled.
	b.open("/ui/meetings/"+review.ID, "#cancel-meeting")
	b.run("cancel", chromedp.Click(chromedp.CSS("#cancel-meeting")))
	b.waitText(".notice", "The meeting is cancelled")
	var cancelled herald.Meeting
	call(t, srv.URL, key, "GET", "/v1/meetings/"+review.ID, "", 200, &cancelled)
	if cancelled.Status != herald.MeetingCancelled {
		t.Errorf("after cancelling in the dashboard the API shows the meeting %s", cancelled.Status)
	}
	for _, r := range cancelled.Reminders {
		if want := herald.ReminderCancelled; r.Status != want && r.Reason != herald.ReasonTooLate {
			t.Errorf("reminder %s is %s after the meeting was cancelled in the dashboard, want %s", r.Rule, r.Status, want)
		}
	}

	// Edit a template: the preview follows the typing, and a character
	// outside GSM-7 turns it into UCS-2, highlighted.
	b.open("/ui/templates/sms/meeting_reminder_1h", "#text")
	if got := b.text("#preview-encoding"); got != "GSM-7" {
		t.Errorf("the built-in template's preview says %q, want GSM-7", got)
	}
	b.run("type", chromedp.Clear(chromedp.CSS("#text")),
		chromedp.SendKeys(chromedp.CSS("#text"), "Hi {name}, see you at {time} ✓"))
	b.waitText("#preview-text", "Hi John, see you at 2:00 PM ✓")
	b.waitText("#preview-encoding", "UCS-2")
	b.waitText("#preview-text mark.ucs2", "✓")
	b.waitText("#preview-forcing", "✓")
	b.shot("template")
	b.open("/ui/leads", "#leads")
	b.shot("leads")

	// Sign out; the pages ask for a sign-in again.
	b.run("sign out", chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#key")))
	b.waitText(".notice", "You are signed out")
	b.open("/ui/upcoming", "#key")
	b.shot("login")

	// The operator's pages.
	b.run("admin sign in", chromedp.SendKeys(chromedp.CSS("#key"), "admin"), chromedp.Submit(chromedp.CSS("#key")),
		chromedp.WaitVisible(chromedp.CSS("#tenants")))
	if !strings.Contains(b.text("#tenants"), "Acme Sales") {
		t.Error("the admin's tenant list does not show Acme Sales")
	}
	b.shot("admin-tenants")
	b.open("/ui/admin/providers", "#providers")
	b.shot("admin-providers")
}

func ruleReminder(m herald.Meeting, rule string) *herald.Reminder {
	for i := range m.Reminders {
		if m.Reminders[i].Rule == rule {
			return &m.Reminders[i]
		}
	}
	return nil
}
