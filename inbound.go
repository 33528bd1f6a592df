package herald

import (
	"context"
	"strings"
	"time"
)

// Receipt is a provider's report on an SMS Herald sent: a Vonage delivery
// receipt or a Twilio status callback, already checked for its signature.
type Receipt struct {
	Provider string
	// Reference is what Herald gave the message to echo back: the Vonage
	// client-ref, or the ref of the Twilio status callback URL. Empty when
	// the receipt carries none.
	Reference string
	// MessageID is the provider's id of the message (of one part, for a
	// Vonage multi-part SMS).
	MessageID string
	// Status is the delivery status reported, one of the Delivery constants.
	Status DeliveryStatus
	// ProviderStatus and ErrorCode are the provider's own words, kept for
	// the audit trail and to tell one report from another.
	ProviderStatus string
	ErrorCode      string
	// Recipient is the phone the message went to and Sender the number or
	// ID it was sent from, as NormalizeNumber writes them.
	Recipient, Sender string
	// OptedOut reports that the provider says the recipient unsubscribed
	// from Sender (Vonage err-code 9, Twilio error 21610).
	OptedOut bool
	// Expired reports that the provider dropped the message unsent because
	// its validity ran out (Twilio error 30036, Vonage status "expired"):
	// the one Herald gave it, the meeting's start, or the provider's own
	// when the meeting was further away.
	Expired bool
	// Nonce is the one-time value of a signed webhook, or empty. A nonce
	// already used makes the store refuse the receipt as a replay.
	Nonce      string
	ReceivedAt time.Time
}

// Key identifies the receipt among a provider's retries: the same message
// reported in the same state twice is one event.
func (r Receipt) Key() string {
	id := r.MessageID
	if id == "" {
		id = "ref:" + r.Reference
	}
	return id + "|" + r.ProviderStatus + "|" + r.ErrorCode
}

// What became of a receipt.
const (
	ReceiptApplied   = "applied"
	ReceiptDuplicate = "duplicate"
	// ReceiptUnmatched is a receipt for nothing Herald sent: it is recorded
	// without a tenant and changes nothing.
	ReceiptUnmatched = "unmatched"
)

// ReceiptDecider applies a receipt to the locked state of the reminder it
// refers to. attempt points into st.Attempts at the attempt the receipt
// matched. It returns true when the reminder must be sent again; the store
// then plans its job, due at once.
type ReceiptDecider func(st *DeliveryState, attempt *Attempt, rc Receipt) (resend bool)

// ReceiptOutcome is what a receipt did.
type ReceiptOutcome struct {
	Result     string
	TenantID   string
	ReminderID string
	// Resent reports that the reminder was planned to go again (by email).
	Resent bool
}

// InboundKind is what an inbound SMS asks for.
type InboundKind string

// The kinds of inbound SMS (docs/RULES.md, "Inbound texts").
const (
	InboundStop    InboundKind = "stop"
	InboundStart   InboundKind = "start"
	InboundHelp    InboundKind = "help"
	InboundConfirm InboundKind = "confirm"
	InboundOther   InboundKind = "other"
)

// InboundSMS is a text sent to one of Herald's numbers, or one part of a
// longer text, already checked for its signature.
type InboundSMS struct {
	Provider  string
	MessageID string
	// From is the sender's phone and To the number it wrote to, as
	// NormalizeNumber writes them.
	From, To string
	Text     string
	// Part, when set, says that Text is one part of a longer message, which
	// is acted on once every part has come.
	Part       *MessagePart
	Nonce      string
	ReceivedAt time.Time
}

// MessagePart places one part of a multi-part SMS.
type MessagePart struct {
	// Ref is the provider's id of the whole message (Vonage concat-ref).
	Ref string
	// Number counts from 1 to Total.
	Number, Total int
}

// What became of an inbound SMS.
const (
	InboundApplied   = "applied"
	InboundDuplicate = "duplicate"
	// InboundWaiting is a part of a message whose other parts have not all
	// come yet.
	InboundWaiting = "waiting"
)

// LeadRef names a lead of a tenant.
type LeadRef struct {
	TenantID string `json:"tenant_id"`
	LeadID   string `json:"lead_id"`
}

// InboundMeeting is a meeting an inbound text may be about.
type InboundMeeting struct {
	ID, LeadID string
	Status     string
	StartsAt   time.Time
}

// InboundTenant is a tenant that sends from the number an inbound text was
// written to, with what it knows of the phone that wrote.
type InboundTenant struct {
	TenantID string
	// Replies are the tenant's reply texts, defaults filled in.
	Replies ReplyTexts
	// Leads counts the tenant's leads with that phone.
	Leads int
	// Latest is the meeting of the latest SMS this tenant sent to that
	// phone from that number, nil when it never did.
	Latest *InboundMeeting
	// Next is the soonest meeting still ahead, and not cancelled, of a lead
	// of this tenant with that phone; nil when there is none.
	Next *InboundMeeting
}

// InboundState is what the store knows of an inbound text when it is to
// be acted on: the whole text (reassembled from its parts) and every
// tenant that sends from the number it was written to.
type InboundState struct {
	Message InboundSMS
	Tenants []InboundTenant
}

// InboundDecision is what an inbound text does, as the store applies it.
type InboundDecision struct {
	Kind InboundKind
	// TenantID and LeadID are whom the text belongs to; both are empty when
	// it belongs to no tenant (a phone no tenant knows, or a text on a
	// shared number that cannot be told apart).
	TenantID, LeadID string
	// Ambiguous reports a text on a number several tenants send from that
	// could not be given to exactly one of them.
	Ambiguous bool
	// OptOut, when set, changes the phone's consent to SMS from the
	// number, for every tenant that sends from it.
	OptOut *OptOut
	// ConfirmMeetingID is the meeting of TenantID to confirm, or empty.
	ConfirmMeetingID string
	// Reply is the answer to send, empty for none.
	Reply string
}

// InboundDecider decides what an inbound text does from what the store
// loaded; the store then records and applies that decision.
type InboundDecider func(st *InboundState) InboundDecision

// InboundOutcome is what an inbound SMS did.
type InboundOutcome struct {
	Result string
	Kind   InboundKind
	// Text is the whole message, reassembled from its parts.
	Text string
	// TenantID and LeadID are whom the text was given to, empty for no
	// tenant.
	TenantID string
	LeadID   string
	// Ambiguous reports a text on a shared number that could not be given
	// to one tenant.
	Ambiguous bool
	// Leads are the leads a STOP or START applied to, in every tenant.
	Leads []LeadRef
	// MeetingID is the meeting a CONFIRM confirmed, or found confirmed.
	MeetingID string
	// Reply is the answer owed, empty for none.
	Reply string
}

// OptOut changes a phone's consent to SMS from one sending number. It is
// kept for the phone and the number, outliving the leads, and applies to
// every lead with that phone in every tenant that sends from that number,
// as carriers apply it (docs/RULES.md, "Opt-outs").
type OptOut struct {
	Phone, Sender string
	OptedOut      bool
	Provider      string
	// Cause says what asked for it, for the audit trail: "STOP by SMS",
	// "twilio error 21610".
	Cause string
	// Lead, when set, is the lead the opt-out was learned for: it is opted
	// out even if its tenant is not known to send from Sender.
	Lead *LeadRef
	At   time.Time
}

// PhoneOptOut is an opt-out on record for a phone: no SMS from Sender.
type PhoneOptOut struct {
	Sender   string
	Provider string
	Cause    string
	At       time.Time
}

// Reply records an answer Herald sent to an inbound SMS.
type Reply struct {
	// TenantID is the conversation's tenant, empty for a number Herald
	// never wrote to.
	TenantID string
	LeadID   string
	Provider string
	// From is the number the reply went from: the one the lead texted.
	From      string
	To        string
	Kind      InboundKind
	MessageID string
	// Error is why the provider refused the reply, empty when it took it.
	Error string
	At    time.Time
}

// WebhookStore is what the provider webhooks need of storage. Each method
// runs in one transaction and matches tenants only through what Herald
// issued: its references, its provider message ids, and the numbers it
// sent from and to (docs/RULES.md, "Tenants").
type WebhookStore interface {
	// ApplyReceipt matches rc to the attempt it reports on, by reference
	// and then by provider message id, and lets decide change the
	// reminder. A receipt seen before is a duplicate and changes nothing; one
	// for nothing Herald sent is recorded without a tenant.
	ApplyReceipt(ctx context.Context, rc Receipt, decide ReceiptDecider) (ReceiptOutcome, error)
	// ReceiveInbound records msg, reassembles a multi-part message, loads
	// the tenants that send from msg.To, lets decide choose what the whole
	// text does, and applies that: the consent change, the confirmation,
	// the audit entries.
	ReceiveInbound(ctx context.Context, msg InboundSMS, decide InboundDecider) (InboundOutcome, error)
	// SetSMSOptOut records o and applies it to every lead concerned, and
	// returns the leads it applied to.
	SetSMSOptOut(ctx context.Context, o OptOut) ([]LeadRef, error)
	// RecordReply writes a reply into the audit trail of its tenant, or
	// into the tenant-less record.
	RecordReply(ctx context.Context, r Reply) error
}

// NormalizeNumber writes a phone number or sender the way Herald stores
// it: a number, given with or without its '+' (Vonage leaves it out,
// Twilio writes it), becomes E.164 with the '+'; an alphanumeric sender ID
// such as "AcmeInc" is only trimmed.
func NormalizeNumber(s string) string {
	s = strings.TrimSpace(s)
	digits := strings.TrimPrefix(s, "+")
	if digits == "" {
		return s
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return s
		}
	}
	return "+" + digits
}

// NeutralReply answers a text on a number several tenants send from when
// it cannot be given to exactly one of them: it names no business.
const NeutralReply = "Thanks for your message. We could not match it to one appointment; please contact the business you booked with directly."
