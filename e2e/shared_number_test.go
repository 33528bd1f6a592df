package e2e

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/vonage"
	"herald/vonage/vonagetest"
	"herald/webhook"
)

// sharedNumber is the Vonage number every tenant of the test sends from.
const sharedNumber = "15550009999"

// signatureSecret signs the fake's inbound webhooks.
const signatureSecret = "e2e-signature-secret"

// TestRepliesDoNotCrossTenantsOnASharedNumber runs `herald serve` with
// two tenants sending from one number. An attacker creates a lead with
// the victim's phone and books a meeting, so that the latest SMS to that
// phone from that number is the attacker's. The victim's CONFIRM and free
// text must not land in the attacker's tenant, nor confirm anything there:
// with a meeting within 48 hours in both tenants, the text belongs to
// neither and gets a neutral answer. STOP still applies to both.
func TestRepliesDoNotCrossTenantsOnASharedNumber(t *testing.T) {
	skipShort(t)
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testSharedNumber(t, dbtest.PostgresSchema(t))
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testSharedNumber(t, "sqlite:"+filepath.Join(t.TempDir(), "herald.db"))
	})
}

func testSharedNumber(t *testing.T, dbURL string) {
	migrate(t, dbURL)
	ctx := context.Background()
	f := newFixture(t, openDB(t, dbURL), nil)
	victim := f.tenant
	attacker, _, err := f.store.CreateTenant(ctx, "Mallory Ltd")
	if err != nil {
		t.Fatal(err)
	}
	settings, _ := f.store.Settings(ctx, victim.ID)
	if _, err := f.store.UpdateSettings(ctx, attacker.ID, settings); err != nil {
		t.Fatal(err)
	}
	const phone = "+14155552671"
	due := time.Now().Add(3 * time.Second)
	book := func(tenantID string, due time.Time) herald.Meeting {
		lead, err := f.store.CreateLead(ctx, tenantID, herald.LeadInput{Name: "Sam", Phone: phone})
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := f.store.BookMeeting(ctx, tenantID, herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo",
			StartsAt: due.Add(reminderOffset)}, herald.Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	mine := book(victim.ID, due)
	theirs := book(attacker.ID, due.Add(time.Second))

	fake := vonagetest.NewServer(t)
	env := append(workerEnv(dbURL, fake, sharedNumber), "HERALD_ADDR=127.0.0.1:0",
		"VONAGE_SIGNATURE_SECRET="+signatureSecret, "VONAGE_SIGNATURE_METHOD=sha256")
	base := startServe(t, env)
	waitSettled(t, f.db, 2, 30*time.Second)

	text := func(body string) {
		t.Helper()
		p := map[string]string{"msisdn": strings.TrimPrefix(phone, "+"), "to": sharedNumber,
			"messageId": "0A00000" + strconv.FormatInt(time.Now().UnixNano(), 16), "text": body, "type": "text",
			"message-timestamp": time.Now().UTC().Format("2006-01-02 15:04:05"),
			"api-key":           vonagetest.APIKey, "timestamp": strconv.FormatInt(time.Now().Unix(), 10),
			"nonce": strconv.FormatInt(time.Now().UnixNano(), 36)}
		sig, err := vonage.Sign("sha256", signatureSecret, p)
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"sig": {sig}}
		for k, v := range p {
			form.Set(k, v)
		}
		resp, err := http.PostForm(base+webhook.VonageInboundPath, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("inbound %q: HTTP %d", body, resp.StatusCode)
		}
	}
	text("CONFIRM")
	text("I'll be there")

	for _, m := range []herald.Meeting{mine, theirs} {
		got, err := f.store.Meeting(ctx, m.TenantID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != herald.MeetingScheduled || got.ConfirmedAt != nil {
			t.Errorf("CONFIRM on a shared number confirmed %s's meeting", m.TenantID)
		}
	}
	audit, err := f.store.ListAudit(ctx, attacker.ID, herald.AuditFilter{Action: herald.ActionInboundSMS})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Items) != 0 {
		t.Errorf("the victim's texts landed in the attacker's audit trail: %+v", audit.Items)
	}
	var neutral int
	waitFor(t, 10*time.Second, 50*time.Millisecond, func() (bool, string) {
		neutral = 0
		for _, r := range fake.Requests() {
			if r.Form.Get("text") == herald.NeutralReply {
				neutral++
			}
		}
		return neutral == 2, strconv.Itoa(neutral) + " neutral replies"
	})

	text("STOP")
	for _, tenantID := range []string{victim.ID, attacker.ID} {
		leads, err := f.store.ListLeads(ctx, tenantID, herald.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(leads.Items) != 1 || !leads.Items[0].SMSOptedOut {
			t.Errorf("STOP on the shared number did not opt out the phone in tenant %s: %+v", tenantID, leads.Items)
		}
	}
}

// serveAddr finds the address in `herald serve`'s start-up line.
var serveAddr = regexp.MustCompile(`herald serving.*addr=(\S+)`)

// startServe starts `herald serve` with env and returns its base URL once
// it answers. The process is killed at the end of the test.
func startServe(t *testing.T, env []string) string {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(heraldBin, "serve")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			t.Logf("last lines of serve:\n%s", tailOf(logPath, 40))
		}
	})
	var addr string
	waitFor(t, 15*time.Second, 20*time.Millisecond, func() (bool, string) {
		file, err := os.Open(logPath)
		if err != nil {
			return false, err.Error()
		}
		defer file.Close()
		for s := bufio.NewScanner(file); s.Scan(); {
			if m := serveAddr.FindStringSubmatch(s.Text()); m != nil {
				addr = strings.Trim(m[1], `"`)
				return true, ""
			}
		}
		return false, "serve has not said where it listens"
	})
	return "http://" + addr
}
