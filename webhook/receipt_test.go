package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/vonage"
	"herald/vonage/vonagetest"
	"herald/webhook"
)

// dlr is the delivery receipt Vonage sends for an accepted part, before
// signing. Its msisdn is the recipient, its to the sender.
func dlr(a vonagetest.Accepted, status, errCode string) map[string]string {
	return map[string]string{"msisdn": a.To, "to": a.From, "network-code": "23410", "messageId": a.MessageID,
		"price": "0.03330000", "status": status, "scts": "2001011400", "err-code": errCode,
		"client-ref": a.ClientRef, "message-timestamp": "2026-12-01 12:00:00"}
}

// lastAccepted is the latest SMS part the Vonage fake took.
func (b *bundle) lastAccepted(t *testing.T) vonagetest.Accepted {
	t.Helper()
	all := b.vonageFake.Accepted()
	if len(all) == 0 {
		t.Fatal("Vonage accepted nothing")
	}
	return all[len(all)-1]
}

func TestSignedReceiptMarksDelivered(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone, Email: "john@example.com"})
		rs := b.book(t, b.tenant.ID, lead.ID, start)
		for i, mode := range vonageModes {
			r := b.deliver(t, rs[[]string{"24h", "1h", "10m"}[i]])
			if r.Status != herald.ReminderSent || r.DeliveryStatus != herald.DeliveryAccepted {
				t.Fatalf("%s: reminder after send %s/%s", mode, r.Status, r.DeliveryStatus)
			}
			part := b.lastAccepted(t)
			if part.ClientRef != r.AttemptHistory[0].Reference {
				t.Fatalf("client-ref %q, want the attempt's reference %q", part.ClientRef, r.AttemptHistory[0].Reference)
			}
			receipt := b.sign(t, dlr(part, "delivered", "0"))
			if mode == viaForm {
				receipt["sig"] = strings.ToUpper(receipt["sig"]) // as in Vonage's own examples
			}
			if got := b.vonageCall(t, webhook.VonageReceiptPath, mode, receipt).result(t); got != herald.ReceiptApplied {
				t.Fatalf("%s: result %q", mode, got)
			}
			var shown herald.Reminder
			b.api(t, "GET", "/v1/reminders/"+r.ID, &shown)
			if shown.Status != herald.ReminderSent || shown.DeliveryStatus != herald.DeliveryDelivered {
				t.Fatalf("%s: reminder after the receipt %s/%s, want sent/delivered", mode, shown.Status, shown.DeliveryStatus)
			}
			// Vonage sends it again (a new nonce and timestamp): nothing more.
			again := b.vonageCall(t, webhook.VonageReceiptPath, mode, b.sign(t, dlr(part, "delivered", "0")))
			if got := again.result(t); got != herald.ReceiptDuplicate {
				t.Fatalf("%s: repeated receipt result %q", mode, got)
			}
			// A late "accepted" never moves it back.
			b.vonageCall(t, webhook.VonageReceiptPath, mode, b.sign(t, dlr(part, "accepted", "0"))).result(t)
			receipts := 0
			for _, a := range b.audit(t, b.tenant.ID, r.ID) {
				if a.Action == herald.ActionDeliveryReceipt {
					receipts++
				}
			}
			if got := b.reminder(t, b.tenant.ID, r.ID); got.DeliveryStatus != herald.DeliveryDelivered || receipts != 2 {
				t.Fatalf("%s: after a repeat and a late receipt: %s, %d receipts audited", mode, got.DeliveryStatus, receipts)
			}
		}
	})
}

func TestForgedReceiptsChangeNothing(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		part := b.lastAccepted(t)
		resign := func(p map[string]string, method, secret string) map[string]string {
			sig, err := vonage.Sign(method, secret, p)
			if err != nil {
				t.Fatal(err)
			}
			p["sig"] = sig
			return p
		}
		now := b.clock.Now().Unix()
		forgeries := map[string]map[string]string{
			"unsigned":        dlr(part, "delivered", "0"),
			"wrong secret":    resign(b.sign(t, dlr(part, "delivered", "0")), "sha256", "guessed"),
			"wrong method":    resign(b.sign(t, dlr(part, "delivered", "0")), "md5hash", vonageSecret),
			"empty sig":       func() map[string]string { p := b.sign(t, dlr(part, "delivered", "0")); p["sig"] = ""; return p }(),
			"stale":           resign(merge(b.sign(t, dlr(part, "delivered", "0")), "timestamp", strconv.FormatInt(now-6*60, 10)), "sha256", vonageSecret),
			"from the future": resign(merge(b.sign(t, dlr(part, "delivered", "0")), "timestamp", strconv.FormatInt(now+6*60, 10)), "sha256", vonageSecret),
			"no timestamp":    resign(without(b.sign(t, dlr(part, "delivered", "0")), "timestamp"), "sha256", vonageSecret),
			"no nonce":        resign(without(b.sign(t, dlr(part, "delivered", "0")), "nonce"), "sha256", vonageSecret),
			"tampered":        merge(b.sign(t, dlr(part, "failed", "0")), "status", "delivered"),
			"other message":   merge(b.sign(t, dlr(part, "failed", "0")), "client-ref", "att_SOMEONEELSE"),
		}
		before := b.counts(t)
		for name, p := range forgeries {
			for _, mode := range vonageModes {
				resp := b.vonageCall(t, webhook.VonageReceiptPath, mode, p)
				var prob struct{ Code string }
				resp.decode(t, &prob)
				if resp.status != http.StatusUnauthorized || prob.Code != "unauthorized" ||
					resp.header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s %s: answer %d %s", name, mode, resp.status, resp.body)
				}
			}
		}
		if got := b.reminder(t, b.tenant.ID, r.ID); got.DeliveryStatus != herald.DeliveryAccepted || b.counts(t) != before {
			t.Fatalf("forgeries changed state: delivery %s, rows %v → %v", got.DeliveryStatus, before, b.counts(t))
		}
	})
}

func TestReplayedReceiptIsRefused(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		receipt := b.sign(t, dlr(b.lastAccepted(t), "delivered", "0"))
		b.vonageCall(t, webhook.VonageReceiptPath, viaJSON, receipt).result(t)
		before := b.counts(t)
		if resp := b.vonageCall(t, webhook.VonageReceiptPath, viaGET, receipt); resp.status != http.StatusUnauthorized {
			t.Fatalf("replayed receipt: %d %s", resp.status, resp.body)
		}
		if b.counts(t) != before {
			t.Fatal("a replayed receipt wrote rows")
		}
	})
}

func TestReceiptForAMessageHeraldNeverSent(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		stranger := vonagetest.Accepted{MessageID: "0B00000127FDBC63", To: "447700900000", From: "AcmeInc", ClientRef: "evt-42"}
		audit := b.count(t, "assistant_actions")
		if got := b.vonageCall(t, webhook.VonageReceiptPath, viaJSON, b.sign(t, dlr(stranger, "delivered", "0"))).result(t); got != herald.ReceiptUnmatched {
			t.Fatalf("result %q, want unmatched", got)
		}
		var tenant, outcome string
		if err := b.db.QueryRowContext(context.Background(), "SELECT tenant_id, outcome FROM webhook_events WHERE event_key LIKE $1",
			stranger.MessageID+"%").Scan(&tenant, &outcome); err != nil || tenant != "" || outcome != string(herald.DeliveryDelivered) {
			t.Fatalf("unmatched receipt recorded as tenant %q outcome %q (%v), want a tenant-less record", tenant, outcome, err)
		}
		if got := b.reminder(t, b.tenant.ID, r.ID); got.DeliveryStatus != herald.DeliveryAccepted || b.count(t, "assistant_actions") != audit {
			t.Fatal("an unmatched receipt changed a reminder or the audit trail")
		}
	})
}

// receiptFirst hands the message to its provider, then lets the
// provider's receipt arrive before the send's outcome is recorded.
type receiptFirst struct {
	herald.Sender
	arrive func(herald.SendResult)
}

func (s receiptFirst) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	res, err := s.Sender.Send(ctx, msg)
	if err == nil {
		s.arrive(res)
	}
	return res, err
}

func TestReceiptBeforeTheSendsCommit(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		rs := b.book(t, b.tenant.ID, lead.ID, start)
		r := rs["1h"]
		b.deliverer.SMS = receiptFirst{Sender: b.vonage, arrive: func(herald.SendResult) {
			if got := b.reminder(t, b.tenant.ID, r.ID); got.Status != herald.ReminderSending {
				t.Errorf("at the receipt the reminder is %s, want sending", got.Status)
			}
			b.vonageCall(t, webhook.VonageReceiptPath, viaJSON, b.sign(t, dlr(b.lastAccepted(t), "delivered", "0"))).result(t)
		}}
		got := b.deliver(t, r)
		if got.Status != herald.ReminderSent || got.DeliveryStatus != herald.DeliveryDelivered ||
			got.AttemptHistory[0].ProviderMessageID != b.lastAccepted(t).MessageID {
			t.Fatalf("after an early receipt: %s/%s, attempt %+v", got.Status, got.DeliveryStatus, got.AttemptHistory[0])
		}

		// The process dies after the send; the receipt comes before the
		// job runs again, which then settles it instead of calling it lost.
		crashing := *b.deliverer
		crashing.Store = &failingOutcomes{DeliveryStore: b.store}
		crashing.OutcomeRetryFor = 200 * time.Millisecond
		r = rs["10m"]
		b.clock.Set(r.ScheduledAt)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if err := crashing.Deliver(ctx, b.tenant.ID, r.ID); err == nil {
			t.Fatal("the crashed run reported success")
		}
		b.vonageCall(t, webhook.VonageReceiptPath, viaGET, b.sign(t, dlr(b.lastAccepted(t), "delivered", "0"))).result(t)
		b.deliverer.SMS = b.vonage
		got = b.deliver(t, r)
		if got.Status != herald.ReminderSent || got.DeliveryStatus != herald.DeliveryDelivered || len(b.vonageFake.Accepted()) != 2 {
			t.Fatalf("after crash and receipt: %s/%s, %d SMS", got.Status, got.DeliveryStatus, len(b.vonageFake.Accepted()))
		}
	})
}

func TestReceiptSettlesUnknownReminder(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.book(t, b.tenant.ID, lead.ID, start)["1h"]
		crashing := *b.deliverer
		crashing.Store = &failingOutcomes{DeliveryStore: b.store}
		crashing.OutcomeRetryFor = 200 * time.Millisecond
		b.clock.Set(r.ScheduledAt)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_ = crashing.Deliver(ctx, b.tenant.ID, r.ID)
		b.clock.Set(r.ScheduledAt.Add(time.Minute))
		if got := b.deliver(t, r); got.Status != herald.ReminderUnknown {
			t.Fatalf("after a lost outcome the reminder is %s, want unknown", got.Status)
		}
		b.clock.Set(r.ScheduledAt.Add(2 * time.Minute))
		b.vonageCall(t, webhook.VonageReceiptPath, viaForm, b.sign(t, dlr(b.lastAccepted(t), "delivered", "0"))).result(t)
		got := b.reminder(t, b.tenant.ID, r.ID)
		if got.Status != herald.ReminderSent || got.DeliveryStatus != herald.DeliveryDelivered || got.Reason != "" ||
			got.AttemptHistory[0].Outcome != "sent" || got.ExternalMessageID != b.lastAccepted(t).MessageID {
			t.Fatalf("unknown reminder after its receipt: %+v", got)
		}
		if !hasAction(b.audit(t, b.tenant.ID, r.ID), "reminder.sent", string(herald.ReminderSent)) {
			t.Fatal("the settlement is not in the audit trail")
		}
	})
}

// failingOutcomes lets the claim through and fails every later update:
// the process "dies" between the provider's answer and the commit.
type failingOutcomes struct {
	herald.DeliveryStore
	calls int
}

func (f *failingOutcomes) UpdateDelivery(ctx context.Context, tenantID, id string, decide func(*herald.DeliveryState) error) error {
	f.calls++
	if f.calls > 1 {
		return errors.New("connection lost")
	}
	return f.DeliveryStore.UpdateDelivery(ctx, tenantID, id, decide)
}

func merge(p map[string]string, key, value string) map[string]string {
	p[key] = value
	return p
}

func without(p map[string]string, key string) map[string]string {
	delete(p, key)
	return p
}
