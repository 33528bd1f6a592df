package twilio

import (
	"strconv"
	"strings"

	"herald"
	"herald/internal/providerhttp"
)

// InboundPath is the path, under HERALD_PUBLIC_URL, of the webhook that
// receives texts sent to a Twilio number (set on the number at Twilio).
const InboundPath = "/webhooks/twilio/inbound"

// statuses maps a Twilio MessageStatus to Herald's delivery status.
// Every state before delivery counts as accepted; a message Twilio could
// not hand to the carrier has failed, one the carrier could not deliver is
// undelivered.
var statuses = map[string]herald.DeliveryStatus{
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

// ErrorOptedOut is Twilio's error for a recipient who replied STOP to the
// sender, at send time and in status callbacks.
const ErrorOptedOut = 21610

// TwiML is the empty TwiML answer to an inbound message: Twilio sends
// nothing on Herald's behalf, as replies go through the API.
const TwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// ReceiptOf reads the fields of a status callback. Twilio repeats
// MessageSid and MessageStatus under their legacy names SmsSid and
// SmsStatus.
func ReceiptOf(p providerhttp.Params, reference string) (herald.Receipt, error) {
	id := p.First("MessageSid", "SmsSid")
	if id == "" {
		return herald.Receipt{}, herald.FieldErrorf(herald.ECodeInvalid, "MessageSid", "MessageSid is required")
	}
	status := p.First("MessageStatus", "SmsStatus")
	if status == "" {
		return herald.Receipt{}, herald.FieldErrorf(herald.ECodeInvalid, "MessageStatus", "MessageStatus is required")
	}
	delivery, ok := statuses[strings.ToLower(status)]
	if !ok {
		return herald.Receipt{}, herald.FieldErrorf(herald.ECodeInvalid, "MessageStatus",
			"MessageStatus %q is not the status of a sent message", status)
	}
	errCode := strings.TrimSpace(p["ErrorCode"])
	return herald.Receipt{
		Provider: Name, Reference: strings.TrimSpace(reference), MessageID: id,
		Status: delivery, ProviderStatus: status, ErrorCode: errCode,
		Recipient: herald.NormalizeNumber(p["To"]), Sender: herald.NormalizeNumber(p["From"]),
		OptedOut: errCode == strconv.Itoa(ErrorOptedOut),
		Expired:  errCode == ErrorValidityExpired,
	}, nil
}

// InboundOf reads the fields of an inbound message: From is the sender's
// phone, To the Twilio number it wrote to. Twilio has already joined the
// parts of a long message.
func InboundOf(p providerhttp.Params) (herald.InboundSMS, error) {
	from, err := p.Require("From")
	if err != nil {
		return herald.InboundSMS{}, err
	}
	to, err := p.Require("To")
	if err != nil {
		return herald.InboundSMS{}, err
	}
	id := p.First("MessageSid", "SmsMessageSid", "SmsSid")
	if id == "" {
		return herald.InboundSMS{}, herald.FieldErrorf(herald.ECodeInvalid, "MessageSid", "MessageSid is required")
	}
	return herald.InboundSMS{Provider: Name, MessageID: id, From: herald.NormalizeNumber(from),
		To: herald.NormalizeNumber(to), Text: p["Body"]}, nil
}
