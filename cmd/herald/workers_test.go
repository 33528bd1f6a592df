package main

import (
	"testing"

	"herald/schedule"
)

// TestWorkersFollowTheConfiguredChannels checks how many reminders a
// process works at once when REMINDER_BATCH_SIZE is not set: a channel
// without a pace gets the full default, paced SMS alone its pace times
// the time a reminder holds its worker, and REMINDER_BATCH_SIZE bounds
// both.
func TestWorkersFollowTheConfiguredChannels(t *testing.T) {
	t.Parallel()
	vonage := map[string]string{"VONAGE_API_KEY": "key", "VONAGE_API_SECRET": "secret",
		"VONAGE_FROM_NUMBER": "+15550100000", "VONAGE_BASE_URL": "http://127.0.0.1:1"}
	with := func(base map[string]string, extra ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			env[extra[i]] = extra[i+1]
		}
		return env
	}
	cases := []struct {
		name string
		env  map[string]string
		want int
	}{
		{"no provider: the outbox has no pace", nil, schedule.DefaultMaxWorkers},
		{"Vonage at its default 30/s, 10 s send timeout", vonage, 330},
		{"Vonage at 30/s with a 2 s send timeout", with(vonage, "HERALD_SEND_TIMEOUT", "2s"), 90},
		{"Vonage without a limit", with(vonage, "VONAGE_RATE_LIMIT", "0"), schedule.DefaultMaxWorkers},
		{"email beside paced SMS", with(vonage, "SMTP_HOST", "127.0.0.1", "SMTP_PORT", "2525",
			"SMTP_FROM", "herald@example.com", "SMTP_TLS", "none"), schedule.DefaultMaxWorkers},
		{"REMINDER_BATCH_SIZE bounds a paced process", with(vonage, "REMINDER_BATCH_SIZE", "100"), 100},
		{"REMINDER_BATCH_SIZE bounds an unpaced one", with(nil, "REMINDER_BATCH_SIZE", "2000"), 2000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app := openTestApp(t, "sqlite", tc.env)
			if app.workers != tc.want {
				t.Errorf("workers = %d, want %d", app.workers, tc.want)
			}
		})
	}
}
