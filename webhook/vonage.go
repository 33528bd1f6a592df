package webhook

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"herald"
)

// Provider names, as the vonage and twilio packages write them.
const (
	providerVonage = "vonage"
	providerTwilio = "twilio"
)

// vonageStatuses maps the status of a Vonage delivery receipt to Herald's
// delivery status. Expired and failed messages reached the carrier and
// were not delivered; rejected ones were refused on the way.
var vonageStatuses = map[string]herald.DeliveryStatus{
	"delivered": herald.DeliveryDelivered,
	"accepted":  herald.DeliveryAccepted,
	"buffered":  herald.DeliveryAccepted,
	"expired":   herald.DeliveryUndelivered,
	"failed":    herald.DeliveryUndelivered,
	"rejected":  herald.DeliveryFailed,
	"unknown":   herald.DeliveryUnknown,
}

// vonageOptOutCode is the receipt err-code of a recipient who asked not to
// receive messages from the sender: Vonage's record of a STOP.
const vonageOptOutCode = "9"

// maxParts bounds a multi-part SMS: its header counts parts in one byte.
const maxParts = 255

// readSignedVonage reads a Vonage webhook's parameters and checks their
// signature, returning them with the time of receipt.
func (h *Handler) readSignedVonage(w http.ResponseWriter, r *http.Request) (params, time.Time, error) {
	p, err := readVonageParams(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := h.cfg.Clock.Now()
	signer, err := h.vonageSignerFor(r.Context(), p["api-key"])
	if err != nil {
		return nil, time.Time{}, err
	}
	if err := signer.verify(p, now); err != nil {
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
	rc, err := vonageReceiptOf(p)
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

// vonageReceiptOf reads the fields of a delivery receipt. In it msisdn is
// the recipient and to is Herald's sender, the reverse of a send request.
func vonageReceiptOf(p params) (herald.Receipt, error) {
	id, err := p.require("messageId")
	if err != nil {
		return herald.Receipt{}, err
	}
	status, err := p.require("status")
	if err != nil {
		return herald.Receipt{}, err
	}
	delivery, ok := vonageStatuses[strings.ToLower(status)]
	if !ok {
		return herald.Receipt{}, herald.FieldErrorf(herald.ECodeInvalid, "status", "status %q is not one Vonage reports", status)
	}
	errCode := strings.TrimSpace(p["err-code"])
	return herald.Receipt{
		Provider: providerVonage, Reference: strings.TrimSpace(p["client-ref"]), MessageID: id,
		Status: delivery, ProviderStatus: status, ErrorCode: errCode,
		Recipient: herald.NormalizeNumber(p["msisdn"]), Sender: herald.NormalizeNumber(p["to"]),
		OptedOut: errCode == vonageOptOutCode &&
			(delivery == herald.DeliveryUndelivered || delivery == herald.DeliveryFailed),
		Nonce: strings.TrimSpace(p["nonce"]),
	}, nil
}

// vonageInbound handles an SMS sent to a Vonage number.
func (h *Handler) vonageInbound(w http.ResponseWriter, r *http.Request) error {
	p, now, err := h.readSignedVonage(w, r)
	if err != nil {
		return err
	}
	msg, err := vonageInboundOf(p)
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

// vonageInboundOf reads the fields of an inbound SMS: msisdn is the
// sender's phone, to the Vonage number it wrote to.
func vonageInboundOf(p params) (herald.InboundSMS, error) {
	from, err := p.require("msisdn")
	if err != nil {
		return herald.InboundSMS{}, err
	}
	to, err := p.require("to")
	if err != nil {
		return herald.InboundSMS{}, err
	}
	id, err := p.require("messageId")
	if err != nil {
		return herald.InboundSMS{}, err
	}
	msg := herald.InboundSMS{Provider: providerVonage, MessageID: id, From: herald.NormalizeNumber(from),
		To: herald.NormalizeNumber(to), Text: p["text"], Nonce: strings.TrimSpace(p["nonce"])}
	if strings.EqualFold(strings.TrimSpace(p["concat"]), "true") {
		if msg.Part, err = concatPart(p); err != nil {
			return herald.InboundSMS{}, err
		}
	}
	return msg, nil
}

// concatPart reads where a part of a multi-part SMS belongs; nil for a
// message of one part, which needs no reassembly.
func concatPart(p params) (*herald.MessagePart, error) {
	ref, err := p.require("concat-ref")
	if err != nil {
		return nil, err
	}
	total, err := strconv.Atoi(strings.TrimSpace(p["concat-total"]))
	if err != nil || total < 1 || total > maxParts {
		return nil, herald.FieldErrorf(herald.ECodeInvalid, "concat-total", "concat-total must be a number of parts from 1 to %d", maxParts)
	}
	number, err := strconv.Atoi(strings.TrimSpace(p["concat-part"]))
	if err != nil || number < 1 || number > total {
		return nil, herald.FieldErrorf(herald.ECodeInvalid, "concat-part", "concat-part must be a part number from 1 to %d", total)
	}
	if total == 1 {
		return nil, nil
	}
	return &herald.MessagePart{Ref: ref, Number: number, Total: total}, nil
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
