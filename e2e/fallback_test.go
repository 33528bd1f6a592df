package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/smtpmail/smtptest"
	"herald/twilio/twiliotest"
	"herald/vonage/vonagetest"
)

// TestSMSThatCannotGoGoesByEmail runs `herald worker` with SMS that
// cannot go for reasons that are not the lead's: both providers refusing
// the account, or Vonage failing until the retries are used up. Each lead
// has an email address, and must get the reminder by email, once, before
// the meeting, instead of a failed reminder.
func TestSMSThatCannotGoGoesByEmail(t *testing.T) {
	skipShort(t)
	t.Parallel()
	t.Run("account refused by every provider", func(t *testing.T) {
		t.Parallel()
		url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
		migrate(t, url)
		f := newFixture(t, openDB(t, url), nil)
		fake := vonagetest.NewServer(t)
		fake.Script(func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{Status: "8"} }) // partner account barred
		second := twiliotest.NewServer(t)
		second.Script(func(twiliotest.Request) twiliotest.Reply { return twiliotest.Reply{Code: 20003} }) // authentication / suspended account
		mail := smtptest.NewServer(t)
		env := append(append(workerEnv(url, fake, "Herald"), twilioEnv(second)...), smtpEnv(mail)...)
		rs := f.bookWithEmail(t, 3, time.Now().Add(2*time.Second))
		startWorker(t, "worker", env)
		waitSettled(t, f.db, len(rs), 30*time.Second)
		checkEmailed(t, f, rs, mail, 1)
	})
	t.Run("retries used up", func(t *testing.T) {
		t.Parallel()
		url := dbtest.PostgresSchema(t)
		migrate(t, url)
		f := newFixture(t, openDB(t, url), nil)
		fake := vonagetest.NewServer(t)
		fake.Script(func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{Status: "5"} }) // internal error
		mail := smtptest.NewServer(t)
		// The reminders are booked with the default three retries: four
		// SMS attempts, retried after 1, 2 and 4 s.
		env := append(workerEnv(url, fake, "Herald", "REMINDER_INITIAL_RETRY_DELAY=1s",
			"HERALD_DATABASE_MAX_CONNS=10"), smtpEnv(mail)...)
		rs := f.bookWithEmail(t, 3, time.Now().Add(2*time.Second))
		startWorker(t, "worker", env)
		waitSettled(t, f.db, len(rs), 60*time.Second)
		checkEmailed(t, f, rs, mail, 4)
	})
}

// checkEmailed checks that each reminder was sent by email once, to its
// lead, after smsAttempts SMS attempts.
func checkEmailed(t *testing.T, f *fixture, rs []herald.Reminder, mail *smtptest.Server, smsAttempts int) {
	t.Helper()
	perAddress := map[string]int{}
	for _, m := range mail.Messages() {
		for _, to := range m.To {
			perAddress[to]++
		}
	}
	for i, r := range rs {
		got := f.reminder(t, r.ID)
		if got.Status != herald.ReminderSent || got.Channel != string(herald.ChannelEmail) || got.Attempts != smsAttempts+1 {
			t.Errorf("reminder %s: %s (%s) via %s after %d attempts: %s; want sent by email after %d SMS attempts",
				r.ID, got.Status, got.Reason, got.Channel, got.Attempts, got.LastError, smsAttempts)
		}
		if n := perAddress[emailOf(i)]; n != 1 {
			t.Errorf("%s got %d emails, want 1", emailOf(i), n)
		}
		if got.SentAt != nil && !got.SentAt.Before(r.ScheduledAt.Add(reminderOffset)) {
			t.Errorf("reminder %s went by email at %v, after its meeting's start", r.ID, got.SentAt)
		}
	}
	if len(mail.Messages()) != len(rs) {
		var to []string
		for _, m := range mail.Messages() {
			to = append(to, strings.Join(m.To, ","))
		}
		t.Errorf("the mail server got %d messages (%v), want %d", len(mail.Messages()), to, len(rs))
	}
}
