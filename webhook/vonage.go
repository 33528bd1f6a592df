package webhook

import (
	"net/http"
	"time"

	"herald/internal/providerhttp"
	"herald/vonage"
)

// readSignedVonage reads a Vonage webhook's parameters and checks their
// signature, returning them with the time of receipt.
func (h *Handler) readSignedVonage(w http.ResponseWriter, r *http.Request) (providerhttp.Params, time.Time, error) {
	p, err := readVonageParams(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := h.cfg.Clock.Now()
	signer, err := h.vonageSignerFor(r.Context(), p["api-key"])
	if err != nil {
		return nil, time.Time{}, err
	}
	if err := signer.Verify(p, now); err != nil {
		return nil, time.Time{}, err
	}
	return p, now, nil
}

// vonageReceipt handles a Vonage delivery receipt.
func (h *Handler) vonageReceipt(w http.ResponseWriter, r *http.Request) error {
	p, now, err := h.readSignedVonage(w, r)
	if err != nil {
		return err
	}
	rc, err := vonage.ReceiptOf(p)
	if err != nil {
		return err
	}
	rc.ReceivedAt = now
	result, err := h.applyReceipt(r.Context(), rc)
	if err != nil {
		return err
	}
	writeJSONAs(w, "application/json", http.StatusOK, answer{Result: result})
	return nil
}

// vonageInbound handles an SMS sent to a Vonage number.
func (h *Handler) vonageInbound(w http.ResponseWriter, r *http.Request) error {
	p, now, err := h.readSignedVonage(w, r)
	if err != nil {
		return err
	}
	msg, err := vonage.InboundOf(p)
	if err != nil {
		return err
	}
	msg.ReceivedAt = now
	out, err := h.receive(r.Context(), msg)
	if err != nil {
		return err
	}
	writeJSONAs(w, "application/json", http.StatusOK, answer{Result: out.Result, Kind: string(out.Kind)})
	return nil
}

// answer is the body of a webhook's 200 answer. Providers ignore it; it
// tells an operator replaying a webhook by hand what happened.
type answer struct {
	// Result is applied, duplicate, unmatched (a receipt for nothing
	// Herald sent) or waiting (a part of a longer SMS).
	Result string `json:"result"`
	// Kind is what an inbound SMS asked for: stop, start, help, confirm
	// or other.
	Kind string `json:"kind,omitempty"`
}
