package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"herald"
	"herald/smtpmail/smtptest"
	"herald/twilio/twiliotest"
)

// twilioEnv returns the settings that add the fake Twilio as the second
// SMS provider.
func twilioEnv(fake *twiliotest.Server) []string {
	return []string{
		"TWILIO_ACCOUNT_SID=" + twiliotest.AccountSID,
		"TWILIO_AUTH_TOKEN=" + twiliotest.AuthToken,
		"TWILIO_FROM_NUMBER=" + twiliotest.From,
		"TWILIO_BASE_URL=" + fake.URL,
	}
}

// smtpEnv returns the settings that send email to the fake mail server.
func smtpEnv(mail *smtptest.Server) []string {
	return []string{
		"SMTP_HOST=" + mail.Host,
		"SMTP_PORT=" + strconv.Itoa(mail.Port),
		"SMTP_FROM=reminders@herald.test",
		"SMTP_TLS=none",
	}
}

// bookWithEmail books n meetings like bookDue, each lead with a phone and
// an email address, emailOf(i).
func (f *fixture) bookWithEmail(t *testing.T, n int, due time.Time) []herald.Reminder {
	t.Helper()
	ctx := context.Background()
	out := make([]herald.Reminder, n)
	for i := range n {
		lead, err := f.store.CreateLead(ctx, f.tenant.ID, herald.LeadInput{Name: "Lead " + strconv.Itoa(i),
			Phone: phoneOf(i), Email: emailOf(i), Timezone: "UTC", Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := f.store.BookMeeting(ctx, f.tenant.ID, herald.BookMeetingInput{LeadID: lead.ID,
			Title: "Product Demo", StartsAt: due.Add(reminderOffset), Timezone: "UTC", Source: "e2e"}, herald.Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = m.Reminders[0]
	}
	return out
}

func emailOf(i int) string { return "lead" + strconv.Itoa(i) + "@example.org" }
