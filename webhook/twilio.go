package webhook

import (
	"net/http"
	"net/url"
	"strings"

	"herald/internal/providerhttp"
	"herald/twilio"
)

// verifyTwilio checks a Twilio request's signature over the URL Twilio
// called: HERALD_PUBLIC_URL followed by the path and query it reached.
func (h *Handler) verifyTwilio(r *http.Request, form url.Values) error {
	token, err := h.twilioTokenFor(r.Context(), form.Get("AccountSid"))
	if err != nil {
		return err
	}
	switch {
	case token == "":
		return providerhttp.Refuse("TWILIO_AUTH_TOKEN is not set, so no Twilio webhook can be verified")
	case h.cfg.PublicURL == "":
		return providerhttp.Refuse("HERALD_PUBLIC_URL is not set, so the URL Twilio signed is unknown")
	}
	full := strings.TrimRight(h.cfg.PublicURL, "/") + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		full += "?" + r.URL.RawQuery
	}
	return twilio.Verify(token, full, form, r.Header.Get("X-Twilio-Signature"))
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
	rc, err := twilio.ReceiptOf(p, query.Get(twilio.StatusCallbackRefParam))
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
	msg, err := twilio.InboundOf(p)
	if err != nil {
		return err
	}
	msg.ReceivedAt = h.cfg.Clock.Now()
	if _, err := h.receive(r.Context(), msg); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(twilio.TwiML))
	return nil
}
