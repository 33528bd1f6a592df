package webhook

import (
	"net/http"
	"net/url"
	"strings"

	"herald"
)

// twilioRefParam is the query parameter of the status callback URL that
// carries the message's reference, as twilio.StatusCallbackRefParam.
const twilioRefParam = "ref"

// twilioStatuses maps a Twilio MessageStatus to Herald's delivery status.
// Every state before delivery counts as accepted; a message Twilio could
// not hand to the carrier has failed, one the carrier could not deliver is
// undelivered.
var twilioStatuses = map[string]herald.DeliveryStatus{
	"queued":              herald.DeliveryAccepted,
	"accepted":            herald.DeliveryAccepted,
	"scheduled":           herald.DeliveryAccepted,
	"sending":             herald.DeliveryAccepted,
	"sent":                herald.DeliveryAccepted,
	"delivered":           herald.DeliveryDelivered,
	"read":                herald.DeliveryDelivered,
	"undelivered":         herald.DeliveryUndelivered,
	"partially_delivered": herald.DeliveryUndelivered,
	"failed":              herald.DeliveryFailed,
	"canceled":            herald.DeliveryFailed,
}

// twilioOptOutCode is Twilio's error for a recipient who replied STOP to
// the sender.
const twilioOptOutCode = "21610"

// twilioExpiredCode is Twilio's error for a message dropped when the
// ValidityPeriod Herald gave it ran out (twilio.ErrorValidityExpired).
const twilioExpiredCode = "30036"

// twiML is the empty TwiML answer to an inbound message: Twilio sends
// nothing on Herald's behalf, as replies go through the API.
const twiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// verifyTwilio checks a Twilio request's signature over the URL Twilio
// called: HERALD_PUBLIC_URL followed by the path and query it reached.
func (h *Handler) verifyTwilio(r *http.Request, form url.Values) error {
	token, err := h.twilioTokenFor(r.Context(), form.Get("AccountSid"))
	if err != nil {
		return err
	}
	switch {
	case token == "":
		return refuse("TWILIO_AUTH_TOKEN is not set, so no Twilio webhook can be verified")
	case h.cfg.PublicURL == "":
		return refuse("HERALD_PUBLIC_URL is not set, so the URL Twilio signed is unknown")
	}
	full := strings.TrimRight(h.cfg.PublicURL, "/") + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		full += "?" + r.URL.RawQuery
	}
	return verifyTwilio(token, full, form, r.Header.Get("X-Twilio-Signature"))
}

// twilioStatus handles a Twilio status callback.
func (h *Handler) twilioStatus(w http.ResponseWriter, r *http.Request) error {
	p, signed, err := readTwilioForm(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	if err := h.verifyTwilio(r, signed); err != nil {
		return err
	}
	// The reference is in the signed URL, so it is Twilio's to vouch for.
	query, _ := url.ParseQuery(r.URL.RawQuery)
	rc, err := twilioReceiptOf(p, query.Get(twilioRefParam))
	if err != nil {
		return err
	}
	rc.ReceivedAt = h.cfg.Clock.Now()
	result, err := h.applyReceipt(r.Context(), rc)
	if err != nil {
		return err
	}
	writeJSONAs(w, "application/json", http.StatusOK, answer{Result: result})
	return nil
}

// twilioReceiptOf reads the fields of a status callback. Twilio repeats
// MessageSid and MessageStatus under their legacy names SmsSid and
// SmsStatus.
func twilioReceiptOf(p params, reference string) (herald.Receipt, error) {
	id := p.first("MessageSid", "SmsSid")
	if id == "" {
		return herald.Receipt{}, herald.FieldErrorf(herald.ECodeInvalid, "MessageSid", "MessageSid is required")
	}
	status := p.first("MessageStatus", "SmsStatus")
	if status == "" {
		return herald.Receipt{}, herald.FieldErrorf(herald.ECodeInvalid, "MessageStatus", "MessageStatus is required")
	}
	delivery, ok := twilioStatuses[strings.ToLower(status)]
	if !ok {
		return herald.Receipt{}, herald.FieldErrorf(herald.ECodeInvalid, "MessageStatus",
			"MessageStatus %q is not the status of a sent message", status)
	}
	errCode := strings.TrimSpace(p["ErrorCode"])
	return herald.Receipt{
		Provider: providerTwilio, Reference: strings.TrimSpace(reference), MessageID: id,
		Status: delivery, ProviderStatus: status, ErrorCode: errCode,
		Recipient: herald.NormalizeNumber(p["To"]), Sender: herald.NormalizeNumber(p["From"]),
		OptedOut: errCode == twilioOptOutCode,
		Expired:  errCode == twilioExpiredCode,
	}, nil
}

// twilioInbound handles an SMS sent to a Twilio number. Twilio has already
// joined the parts of a long message.
func (h *Handler) twilioInbound(w http.ResponseWriter, r *http.Request) error {
	p, signed, err := readTwilioForm(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	if err := h.verifyTwilio(r, signed); err != nil {
		return err
	}
	from, err := p.require("From")
	if err != nil {
		return err
	}
	to, err := p.require("To")
	if err != nil {
		return err
	}
	id := p.first("MessageSid", "SmsMessageSid", "SmsSid")
	if id == "" {
		return herald.FieldErrorf(herald.ECodeInvalid, "MessageSid", "MessageSid is required")
	}
	msg := herald.InboundSMS{Provider: providerTwilio, MessageID: id, From: herald.NormalizeNumber(from),
		To: herald.NormalizeNumber(to), Text: p["Body"], ReceivedAt: h.cfg.Clock.Now()}
	if _, err := h.receive(r.Context(), msg); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(twiML))
	return nil
}
