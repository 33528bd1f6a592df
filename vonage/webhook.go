package vonage

import (
	"strconv"
	"strings"

	"herald"
	"herald/internal/providerhttp"
)

// InboundPath is the path, under HERALD_PUBLIC_URL, of the webhook that
// receives texts sent to a Vonage number (set in Vonage's dashboard).
const InboundPath = "/webhooks/vonage/inbound"

// statuses maps the status of a Vonage delivery receipt to Herald's
// delivery status. Expired and failed messages reached the carrier and
// were not delivered; rejected ones were refused on the way.
var statuses = map[string]herald.DeliveryStatus{
	"delivered": herald.DeliveryDelivered,
	"accepted":  herald.DeliveryAccepted,
	"buffered":  herald.DeliveryAccepted,
	"expired":   herald.DeliveryUndelivered,
	"failed":    herald.DeliveryUndelivered,
	"rejected":  herald.DeliveryFailed,
	"unknown":   herald.DeliveryUnknown,
}

// OptOutErrorCode is the receipt err-code of a recipient who asked not to
// receive messages from the sender: Vonage's record of a STOP.
const OptOutErrorCode = "9"

// MaxParts bounds a multi-part SMS: its header counts parts in one byte.
const MaxParts = 255

// ReceiptOf reads the fields of a delivery receipt. In it msisdn is
// the recipient and to is Herald's sender, the reverse of a send request.
func ReceiptOf(p providerhttp.Params) (herald.Receipt, error) {
	id, err := p.Require("messageId")
	if err != nil {
		return herald.Receipt{}, err
	}
	status, err := p.Require("status")
	if err != nil {
		return herald.Receipt{}, err
	}
	delivery, ok := statuses[strings.ToLower(status)]
	if !ok {
		return herald.Receipt{}, herald.FieldErrorf(herald.ECodeInvalid, "status", "status %q is not one Vonage reports", status)
	}
	errCode := strings.TrimSpace(p["err-code"])
	return herald.Receipt{
		Provider: Name, Reference: strings.TrimSpace(p["client-ref"]), MessageID: id,
		Status: delivery, ProviderStatus: status, ErrorCode: errCode,
		Recipient: herald.NormalizeNumber(p["msisdn"]), Sender: herald.NormalizeNumber(p["to"]),
		OptedOut: errCode == OptOutErrorCode &&
			(delivery == herald.DeliveryUndelivered || delivery == herald.DeliveryFailed),
		Expired: strings.EqualFold(status, "expired"),
		Nonce:   strings.TrimSpace(p["nonce"]),
	}, nil
}

// InboundOf reads the fields of an inbound SMS: msisdn is the
// sender's phone, to the Vonage number it wrote to.
func InboundOf(p providerhttp.Params) (herald.InboundSMS, error) {
	from, err := p.Require("msisdn")
	if err != nil {
		return herald.InboundSMS{}, err
	}
	to, err := p.Require("to")
	if err != nil {
		return herald.InboundSMS{}, err
	}
	id, err := p.Require("messageId")
	if err != nil {
		return herald.InboundSMS{}, err
	}
	msg := herald.InboundSMS{Provider: Name, MessageID: id, From: herald.NormalizeNumber(from),
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
func concatPart(p providerhttp.Params) (*herald.MessagePart, error) {
	ref, err := p.Require("concat-ref")
	if err != nil {
		return nil, err
	}
	total, err := strconv.Atoi(strings.TrimSpace(p["concat-total"]))
	if err != nil || total < 1 || total > MaxParts {
		return nil, herald.FieldErrorf(herald.ECodeInvalid, "concat-total", "concat-total must be a number of parts from 1 to %d", MaxParts)
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
