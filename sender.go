package herald

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Channel is the way a message travels to a lead.
type Channel string

// The channels Herald delivers on.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
)

// Message is one rendered message, ready to be handed to a provider.
type Message struct {
	TenantID   string
	ReminderID string
	// Reference ties the provider call to its attempt. Providers echo it back
	// (Vonage client-ref, the email Message-ID), so receipts can be matched.
	Reference string
	Channel   Channel
	// To is an E.164 phone number for SMS or an email address for email.
	To     string
	ToName string
	// Text is the SMS body, or the plain-text part of an email.
	Text string
	// Unicode reports that an SMS needs UCS-2 (Vonage type=unicode).
	Unicode bool
	// Email holds the parts that only an email has; nil for SMS.
	Email *EmailContent
	// From is the number an SMS goes from (the tenant's sms_from); empty
	// means the provider's configured number.
	From string
	// NotAfter is when the message stops being worth delivering (the
	// meeting's start); a provider that can drop a queued message at a
	// deadline is told so. Zero means no deadline.
	NotAfter time.Time
}

// EmailContent is what an email carries beside its plain text.
type EmailContent struct {
	Subject string
	HTML    string
	// Calendar is an iCalendar (.ics) document with the meeting, or nil.
	Calendar []byte
}

// SendResult is a provider's answer to an accepted message.
type SendResult struct {
	Provider string
	// MessageID is the provider's id of the message (the first part's id
	// when an SMS was split into several).
	MessageID string
	// Parts is the number of SMS parts the provider reports, 1 for email.
	Parts int
	// From is the number or sender ID the SMS provider sent from, empty
	// for email. Replies and opt-outs come back addressed to it.
	From string
	// Tried lists every provider called for this send, in order, with its
	// outcome, so an attempt can show what failover did.
	Tried []ProviderCall
	// Held reports a message kept in the outbox instead of being handed
	// to a provider: nobody was sent anything.
	Held bool
}

// ProviderCall records one call to one provider within an attempt.
type ProviderCall struct {
	Provider  string         `json:"provider"`
	Outcome   AttemptOutcome `json:"outcome"`
	Error     string         `json:"error,omitempty"`
	MessageID string         `json:"message_id,omitempty"`
}

// Sender hands a message to a provider.
type Sender interface {
	// Send delivers msg. A failure is returned as a *SendError telling
	// whether it is worth retrying; any other error counts as transient.
	Send(ctx context.Context, msg *Message) (SendResult, error)
}

// SendErrorKind classifies a failed send by what the caller should do next.
type SendErrorKind int

// The kinds of send failures.
const (
	// SendTransient may succeed later: retry with backoff.
	SendTransient SendErrorKind = iota + 1
	// SendThrottled asks to wait (RetryAfter) and try the same provider again
	// without spending a retry.
	SendThrottled
	// SendPermanent will never succeed: do not retry.
	SendPermanent
	// SendPermanentRecipient will never succeed for this recipient on this
	// channel (invalid or barred number, opted out): fall back to email.
	SendPermanentRecipient
	// SendUnknown says the provider may or may not have taken the message
	// (it answered, but not in its own format): like a call cut off by a
	// crash, it is neither retried nor failed over, since either could
	// send the message twice.
	SendUnknown
)

// Outcome is the outcome of an attempt or provider call that failed this
// way.
func (k SendErrorKind) Outcome() AttemptOutcome {
	switch k {
	case SendTransient:
		return OutcomeTransient
	case SendThrottled:
		return OutcomeThrottled
	case SendPermanent:
		return OutcomePermanent
	case SendPermanentRecipient:
		return OutcomePermanentRecipient
	case SendUnknown:
		return OutcomeUnknown
	}
	return OutcomeUnknown
}

// String names the kind as it appears in logs and audit details.
func (k SendErrorKind) String() string { return string(k.Outcome()) }

// SendError is a classified failure of a provider call.
type SendError struct {
	Provider string
	Kind     SendErrorKind
	// Code is the provider's own status or error code, as text.
	Code    string
	Message string
	// RetryAfter is how long a throttled provider asked to wait; zero when
	// it did not say.
	RetryAfter time.Duration
	// OptedOut reports that the provider says the recipient unsubscribed
	// (Twilio 21610) from From, so the phone is opted out as by a STOP.
	OptedOut bool
	// From is the number the provider would have sent from, when known.
	From string
	// Tried lists the provider calls made before giving up.
	Tried []ProviderCall
}

// Error implements error.
func (e *SendError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s: %s (%s, code %s)", e.Provider, e.Message, e.Kind, e.Code)
	}
	return fmt.Sprintf("%s: %s (%s)", e.Provider, e.Message, e.Kind)
}

// SendErrorKindOf returns the kind of err: the kind of a *SendError in its
// chain, else SendTransient.
func SendErrorKindOf(err error) SendErrorKind {
	var se *SendError
	if errors.As(err, &se) {
		return se.Kind
	}
	return SendTransient
}

// SendTurn describes a message about to wait for a provider's send slot:
// what a pacer needs to serve the most urgent message first.
type SendTurn struct {
	TenantID   string
	ReminderID string
	// MeetingStartsAt is when the reminder's meeting begins: the sooner,
	// the more urgent the message.
	MeetingStartsAt time.Time
	// DueAt is when the message was due.
	DueAt time.Time
}

// SendSlot is a held right to call one provider now. It is used by the
// first call of one send; a later call of the same send (a failover, a
// throttled provider tried again) waits for a slot of its own.
type SendSlot struct {
	// Provider is the provider the slot is for; "" when the send needs
	// no slot (no provider is paced, or none can be called).
	Provider string
	Turn     SendTurn
}

// PacedSender is a Sender that paces its provider calls and lets the
// caller hold the slot of the first call before it commits to the send.
// Herald writes a reminder's attempt only once the slot is held, so a
// message that only waits for its turn was never handed to anyone: a
// process that dies meanwhile leaves it to be sent, not unknown.
type PacedSender interface {
	Sender
	// HoldSlot takes a slot of the provider that a send would call first.
	// With wait false it never blocks nor does I/O (it may run inside a
	// database transaction): ok is false when no slot is free now. With
	// wait true it blocks until a slot is held (ok) or ctx ends; a
	// *SendError of kind SendThrottled says how long to come back after
	// when the wait would outlast ctx.
	HoldSlot(ctx context.Context, turn SendTurn, wait bool) (slot SendSlot, ok bool, err error)
	// SendHeld sends msg as Send does, its first call using slot.
	SendHeld(ctx context.Context, slot SendSlot, msg *Message) (SendResult, error)
}

// TenantNumbers is an SMS Sender that may send a tenant's messages from
// numbers of the tenant's own (its own provider accounts) rather than the
// operator's. Herald asks it at send time which numbers a message that
// names no sender would go from, since an opt-out from one of them holds.
type TenantNumbers interface {
	// FromNumbers returns the numbers, as NormalizeNumber writes them, that
	// the tenant's SMS go from when the message names none; nil when the
	// tenant sends from the operator's. It never blocks nor does I/O (it
	// runs inside a database transaction): known is false when it cannot
	// tell yet. A PacedSender learns it while HoldSlot waits.
	FromNumbers(tenantID string) (numbers []string, known bool)
}

// TenantSMS is an SMS Sender that can send the SMS of some tenants only:
// on a process whose operator has no SMS provider, those of the tenants
// with provider accounts of their own. Herald asks it, when it chooses a
// reminder's channel, whether SMS is available to the reminder's tenant.
type TenantSMS interface {
	// SMSAvailable reports whether the tenant's SMS can go through the
	// sender. It never blocks nor does I/O (it runs inside a database
	// transaction): known is false when it cannot tell yet. A PacedSender
	// learns it while HoldSlot waits.
	SMSAvailable(tenantID string) (available, known bool)
}
