package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/client"
	"herald/smtpmail/smtptest"
	"herald/vonage/vonagetest"
)

// A tenant's own Vonage account, beside no SMS provider of the operator's.
const (
	ownVonageKey    = "tenantkey1"
	ownVonageSecret = "Tenant-secret-1"
	ownVonageFrom   = "+14155550177"
)

// putOwnVonage gives a tenant its own Vonage account through the admin API.
func putOwnVonage(t *testing.T, base, tenantID string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"vonage": map[string]any{"api_key": ownVonageKey,
		"api_secret": ownVonageSecret, "from_number": ownVonageFrom, "rate_limit": 0}})
	req, _ := http.NewRequest(http.MethodPut, base+"/v1/admin/tenants/"+tenantID+"/providers", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+eventsAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT providers: %d", resp.StatusCode)
	}
}

// tenantIDNamed returns the id of the tenant called name.
func tenantIDNamed(t *testing.T, base, name string) string {
	t.Helper()
	for _, tn := range collect(t, client.New(base, eventsAdminToken).Tenants(context.Background(), client.ListOptions{})) {
		if tn.Name == name {
			return tn.ID
		}
	}
	t.Fatalf("no tenant %s", name)
	return ""
}

// TestTenantsOwnAccountSendsWithoutOperatorSMS: on a process whose
// operator has email only, a tenant with its own Vonage account gets its
// reminders by SMS through that account, from its number, while a tenant
// without one gets them by email.
func TestTenantsOwnAccountSendsWithoutOperatorSMS(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url, _ := eventsDB(t, dbName)
			fake := vonagetest.NewServer(t, vonagetest.WithAccount(ownVonageKey, ownVonageSecret, 0))
			mail := smtptest.NewServer(t)
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			s := startEventsServer(t, map[string]string{
				"HERALD_DATABASE_URL":    url,
				"HERALD_ADMIN_TOKEN":     eventsAdminToken,
				"HERALD_SECRET_KEY":      base64.StdEncoding.EncodeToString(key),
				"VONAGE_BASE_URL":        fake.URL,
				"SMTP_HOST":              mail.Host,
				"SMTP_PORT":              strconv.Itoa(mail.Port),
				"SMTP_TLS":               "none",
				"SMTP_FROM":              "reminders@example.com",
				"REMINDER_POLL_INTERVAL": "50ms",
			})
			own := newTenantClient(t, s, "Own")
			putOwnVonage(t, s.url, tenantIDNamed(t, s.url, "Own"))
			plain := newTenantClient(t, s, "Plain")

			startsAt := time.Now().Add(time.Hour + 2*time.Second).UTC().Truncate(time.Second)
			book := func(c *client.Client, email string) string {
				lead, err := c.CreateLead(ctx, herald.LeadInput{Name: "Jane", Phone: eventsLeadPhone, Email: email})
				if err != nil {
					t.Fatal(err)
				}
				m, err := c.BookMeeting(ctx, herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo", StartsAt: startsAt, Timezone: "UTC"})
				if err != nil {
					t.Fatal(err)
				}
				return m.Reminders[0].ID
			}
			ownReminder := book(own, "jane@own.example")
			plainReminder := book(plain, "jane@plain.example")
			for _, r := range []struct {
				c  *client.Client
				id string
			}{{own, ownReminder}, {plain, plainReminder}} {
				waitUntil(t, "the reminder is sent", func() bool {
					got, err := r.c.Reminder(ctx, r.id)
					return err == nil && got.Status == herald.ReminderSent
				})
			}
			if got, _ := own.Reminder(ctx, ownReminder); got.Channel != string(herald.ChannelSMS) {
				t.Errorf("the tenant with its own account: reminder went by %q, want sms", got.Channel)
			}
			if got, _ := plain.Reminder(ctx, plainReminder); got.Channel != string(herald.ChannelEmail) {
				t.Errorf("the tenant without an account: reminder went by %q, want email", got.Channel)
			}
			accepted := fake.Accepted()
			if len(accepted) != 1 || accepted[0].APIKey != ownVonageKey || accepted[0].From != strings.TrimPrefix(ownVonageFrom, "+") {
				t.Errorf("Vonage accepted %+v, want one SMS with the tenant's key from its number", accepted)
			}
			var to []string
			for _, m := range mail.Messages() {
				to = append(to, m.To...)
			}
			if len(to) != 1 || to[0] != "jane@plain.example" {
				t.Errorf("SMTP got emails to %v, want one to the other tenant's lead", to)
			}
		})
	}
}
