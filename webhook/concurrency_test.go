package webhook_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"herald"
	"herald/webhook"
)

// burst posts each form to path at once and returns the results, as a
// provider retrying, or sending parts together, would.
func (b *bundle) burst(t *testing.T, path string, forms []map[string]string) []string {
	t.Helper()
	results := make([]string, len(forms))
	errs := make([]error, len(forms))
	var wg sync.WaitGroup
	for i, p := range forms {
		values := url.Values{}
		for k, v := range p {
			values.Set(k, v)
		}
		wg.Go(func() {
			resp, err := b.server.Client().Post(b.server.URL+path, "application/x-www-form-urlencoded",
				strings.NewReader(values.Encode()))
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var a struct{ Result string }
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &a) != nil {
				results[i] = resp.Status + " " + string(body)
				return
			}
			results[i] = a.Result
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return results
}

func tally(results []string) map[string]int {
	out := map[string]int{}
	for _, r := range results {
		out[r]++
	}
	return out
}

func TestCopiesArrivingTogetherActOnce(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["24h"])
		part := b.lastAccepted(t)
		copies := make([]map[string]string, 6)
		for i := range copies {
			copies[i] = b.sign(t, dlr(part, "delivered", "0"))
		}
		got := tally(b.burst(t, webhook.VonageReceiptPath, copies))
		if got[herald.ReceiptApplied] != 1 || got[herald.ReceiptDuplicate] != len(copies)-1 {
			t.Fatalf("copies of one receipt: %v, want one applied", got)
		}
		receipts := 0
		for _, a := range b.audit(t, b.tenant.ID, r.ID) {
			if a.Action == herald.ActionDeliveryReceipt {
				receipts++
			}
		}
		if receipts != 1 {
			t.Fatalf("%d receipts in the audit trail, want 1", receipts)
		}

		// The three parts of a CONFIRM arrive at once.
		var parts []map[string]string
		for i, text := range []string{"CON", "FI", "RM"} {
			p := inbound(leadPhone, text)
			p["concat"], p["concat-ref"], p["concat-total"], p["concat-part"] = "true", "42", "3", string(rune('1'+i))
			parts = append(parts, b.sign(t, p))
		}
		got = tally(b.burst(t, webhook.VonageInboundPath, parts))
		if got[herald.InboundApplied] != 1 || got[herald.InboundWaiting] != 2 {
			t.Fatalf("parts arriving together: %v, want one applied", got)
		}
		var m herald.Meeting
		b.api(t, "GET", "/v1/meetings/"+r.MeetingID, &m)
		if m.ConfirmedAt == nil || len(b.replies()) != 1 {
			t.Fatalf("after the parts: confirmed at %v, %d replies", m.ConfirmedAt, len(b.replies()))
		}
	})
}
