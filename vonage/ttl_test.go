package vonage_test

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/vonage"
	"herald/vonage/vonagetest"
)

// TestTTLEndsAtTheMeeting: a message for a meeting less than 72 hours
// ahead asks Vonage to give up at the start rather than deliver it late
// (the least ttl Vonage takes when the start is closer than 20 s); one
// further ahead keeps Vonage's default. The fake refuses a ttl out of
// Vonage's range, as the API does, so every ttl sent here is one it takes.
func TestTTLEndsAtTheMeeting(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cfg := fake.Config()
	cfg.Now = func() time.Time { return now }
	client := newClient(t, cfg)
	cases := []struct {
		name  string
		ahead time.Duration
		want  string
	}{
		{"an hour ahead", time.Hour, "3600000"},
		{"ten seconds ahead", 10 * time.Second, "20000"},
		{"already started", -time.Minute, "20000"},
		{"71 hours ahead", 71 * time.Hour, "255600000"},
		{"four days ahead", 96 * time.Hour, ""},
	}
	for _, tc := range cases {
		msg := smsTo("+14155550100", tc.name)
		msg.NotAfter = now.Add(tc.ahead)
		if _, err := client.Send(context.Background(), msg); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	for i, req := range fake.Requests() {
		if got := req.Form.Get("ttl"); got != cases[i].want {
			t.Errorf("%s: ttl = %q, want %q", cases[i].name, got, cases[i].want)
		}
	}
}

// TestExpiredReceiptSaysTheMessageExpired: a receipt with status
// "expired" says Vonage gave up on the message when its ttl ran out.
func TestExpiredReceiptSaysTheMessageExpired(t *testing.T) {
	t.Parallel()
	for status, want := range map[string]bool{"expired": true, "failed": false, "delivered": false} {
		rc, err := vonage.ReceiptOf(map[string]string{"messageId": "0A00000012345678", "status": status,
			"msisdn": "14155550100", "to": "14155550199"})
		if err != nil {
			t.Fatal(err)
		}
		if rc.Expired != want || (status == "expired" && rc.Status != herald.DeliveryUndelivered) {
			t.Errorf("status %q: Expired %v, delivery %q; want Expired %v", status, rc.Expired, rc.Status, want)
		}
	}
}
