package herald

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"
)

// EventType names what happened; tenants filter their webhook endpoints by
// it. The list is in docs/EVENTS.md.
type EventType string

// The event types. Each is written in the transaction of the change it
// reports.
const (
	EventMeetingBooked       EventType = "meeting.booked"
	EventMeetingRescheduled  EventType = "meeting.rescheduled"
	EventMeetingCancelled    EventType = "meeting.cancelled"
	EventMeetingConfirmed    EventType = "meeting.confirmed"
	EventReminderSent        EventType = "reminder.sent"
	EventReminderDelivered   EventType = "reminder.delivered"
	EventReminderUndelivered EventType = "reminder.undelivered"
	EventReminderFailed      EventType = "reminder.failed"
	EventReminderUnknown     EventType = "reminder.unknown"
	EventReminderSkipped     EventType = "reminder.skipped"
	EventReminderExpired     EventType = "reminder.expired"
	EventLeadOptedOut        EventType = "lead.opted_out"
	EventLeadOptedIn         EventType = "lead.opted_in"
	EventInboundReceived     EventType = "inbound.received"
)

// EventTypes lists every event type, in the order the documentation gives.
var EventTypes = []EventType{
	EventMeetingBooked, EventMeetingRescheduled, EventMeetingCancelled, EventMeetingConfirmed,
	EventReminderSent, EventReminderDelivered, EventReminderUndelivered, EventReminderFailed,
	EventReminderUnknown, EventReminderSkipped, EventReminderExpired,
	EventLeadOptedOut, EventLeadOptedIn, EventInboundReceived,
}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool {
	for _, v := range EventTypes {
		if v == t {
			return true
		}
	}
	return false
}

// Error codes of webhook endpoints and events.
const (
	// ECodeInvalidURL: the endpoint URL is malformed or not http(s).
	ECodeInvalidURL = "invalid_url"
	// ECodeURLNotAllowed: the endpoint URL leads to a private, loopback or
	// link-local address, or is plain http to a public one.
	ECodeURLNotAllowed = "url_not_allowed"
	// ECodeUnknownEventType: an events filter names no event type.
	ECodeUnknownEventType = "unknown_event_type"
)

// Event is a change of a tenant's object, as its webhook endpoints receive
// it. Data is the object as the API shows it after the change (a meeting,
// reminder or lead; for inbound.received the message).
type Event struct {
	ID        string          `json:"id"`
	TenantID  string          `json:"-"`
	Type      EventType       `json:"type"`
	ObjectID  string          `json:"object_id"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
	// Deliveries are the event's deliveries to the tenant's endpoints,
	// filled when events are listed or read.
	Deliveries []EventDelivery `json:"deliveries"`
}

// Payload returns the body every endpoint receives for the event.
func (e *Event) Payload() []byte {
	body, _ := json.Marshal(struct {
		ID        string          `json:"id"`
		Type      EventType       `json:"type"`
		CreatedAt time.Time       `json:"created_at"`
		Data      json.RawMessage `json:"data"`
	}{e.ID, e.Type, e.CreatedAt.UTC(), e.Data})
	return body
}

// NewEvent returns an event of type typ about the object objectID, whose
// state after the change is data.
func NewEvent(tenantID string, typ EventType, objectID string, data any, at time.Time) Event {
	raw, err := json.Marshal(data)
	if err != nil {
		raw = []byte("null")
	}
	return Event{ID: NewID("evt_"), TenantID: tenantID, Type: typ, ObjectID: objectID, CreatedAt: at, Data: raw}
}

// Delivery statuses of an event to one endpoint.
const (
	EventDeliveryPending   = "pending"
	EventDeliveryDelivered = "delivered"
	EventDeliveryFailed    = "failed"
)

// EventDelivery is an event's delivery to one endpoint.
type EventDelivery struct {
	ID         string `json:"id"`
	TenantID   string `json:"-"`
	EventID    string `json:"event_id"`
	EndpointID string `json:"endpoint_id"`
	Status     string `json:"status"`
	Attempts   int    `json:"attempts"`
	// RoundAttempts counts the attempts since the delivery was last
	// started (or redelivered); it picks the next retry delay.
	RoundAttempts int            `json:"-"`
	NextAttemptAt *time.Time     `json:"next_attempt_at"`
	LastError     string         `json:"last_error"`
	DeliveredAt   *time.Time     `json:"delivered_at"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	JobID         int64          `json:"-"`
	History       []EventAttempt `json:"attempt_history"`
}

// EventAttempt is one HTTP request of a delivery.
type EventAttempt struct {
	Number int `json:"number"`
	// StatusCode is the answer's status, 0 when none came (timeout,
	// refused connection).
	StatusCode int    `json:"status_code"`
	Error      string `json:"error"`
	// Response is the start of the answer's body.
	Response   string    `json:"response"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
}

// WebhookEndpoint is a URL of a tenant that receives its events.
type WebhookEndpoint struct {
	ID          string      `json:"id"`
	TenantID    string      `json:"-"`
	URL         string      `json:"url"`
	Description string      `json:"description"`
	Events      []EventType `json:"events"`
	// Secret signs the deliveries; it is shown on creation and rotation
	// only.
	Secret         string     `json:"secret,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	DisabledAt     *time.Time `json:"disabled_at"`
	DisabledReason string     `json:"disabled_reason"`
	// PreviousSecret still signs beside Secret until PreviousSecretUntil,
	// after a rotation.
	PreviousSecret      string     `json:"-"`
	PreviousSecretUntil *time.Time `json:"-"`
}

// Wants reports whether the endpoint takes events of type t.
func (e *WebhookEndpoint) Wants(t EventType) bool {
	if len(e.Events) == 0 {
		return true
	}
	for _, w := range e.Events {
		if w == t {
			return true
		}
	}
	return false
}

// WebhookSecretPrefix starts every endpoint secret, as Standard Webhooks
// secrets do.
const WebhookSecretPrefix = "whsec_"

// NewWebhookSecret returns a fresh endpoint secret: the prefix and the
// base64 of 32 random bytes.
func NewWebhookSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// WebhookEndpointInput creates an endpoint; the caller has checked the URL
// and the event types, and chosen the secret.
type WebhookEndpointInput struct {
	URL         string      `json:"url"`
	Events      []EventType `json:"events"`
	Description string      `json:"description"`
	Secret      string      `json:"-"`
}

// WebhookEndpointPatch changes an endpoint; nil fields stay as they are.
// Enabled set to true enables a disabled endpoint again.
type WebhookEndpointPatch struct {
	URL         *string      `json:"url"`
	Events      *[]EventType `json:"events"`
	Description *string      `json:"description"`
	Enabled     *bool        `json:"enabled"`
}

// EventFilter narrows an event list.
type EventFilter struct {
	Type     EventType
	ObjectID string
	Page     PageRequest
}

// EventStore keeps webhook endpoints and events. Every method is scoped by
// a tenant id, like Store's.
type EventStore interface {
	CreateWebhookEndpoint(ctx context.Context, tenantID string, in WebhookEndpointInput) (WebhookEndpoint, error)
	WebhookEndpoint(ctx context.Context, tenantID, id string) (WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, tenantID string, page PageRequest) (Page[WebhookEndpoint], error)
	UpdateWebhookEndpoint(ctx context.Context, tenantID, id string, patch WebhookEndpointPatch) (WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, tenantID, id string) error
	// RotateWebhookSecret gives the endpoint a new secret; the old one
	// keeps signing beside it until keepOldUntil.
	RotateWebhookSecret(ctx context.Context, tenantID, id, secret string, keepOldUntil time.Time) (WebhookEndpoint, error)

	// ListEvents lists a tenant's events, newest first, with their
	// deliveries and attempts.
	ListEvents(ctx context.Context, tenantID string, f EventFilter) (Page[Event], error)
	Event(ctx context.Context, tenantID, id string) (Event, error)
	// RedeliverEvent starts the event's delivery again to every enabled
	// endpoint that takes its type, with a fresh retry schedule.
	RedeliverEvent(ctx context.Context, tenantID, id string) (Event, error)
}

// InboundMessage is the data of an inbound.received event: a text a lead
// sent to one of the tenant's numbers, as a whole when it came in parts.
type InboundMessage struct {
	Provider string `json:"provider"`
	// MessageID is the provider's id of the message.
	MessageID string `json:"message_id"`
	// From is the lead's phone and To the number it wrote to, in E.164.
	From   string `json:"from"`
	To     string `json:"to"`
	LeadID string `json:"lead_id"`
	Text   string `json:"text"`
	// Kind is what Herald read it as: stop, start, help, confirm or other.
	Kind       InboundKind `json:"kind"`
	ReceivedAt time.Time   `json:"received_at"`
}

// EventDeliveryState is one delivery with its event and endpoint, loaded
// and locked in one transaction. The deliverer sets NewAttempt and changes
// Delivery; the store saves exactly that.
type EventDeliveryState struct {
	Delivery EventDelivery
	Event    Event
	// Endpoint is nil when it was deleted.
	Endpoint *WebhookEndpoint
	// NewAttempt, when set, is stored as the delivery's next attempt.
	NewAttempt *EventAttempt
	// DisableEndpoint, when not empty, disables the endpoint for that
	// reason.
	DisableEndpoint string
	// EarlierFirst reports that an earlier event of the same object waits
	// for its first try to the same endpoint: this one goes after it, so
	// an endpoint gets an object's events in order unless a try fails.
	EarlierFirst bool
	// TenantDisabled reports that an operator disabled the tenant: its
	// deliveries are held, as its reminders are, until it is enabled again.
	TenantDisabled bool
}

// EventDeliveryStore is what the delivery of events needs of storage.
type EventDeliveryStore interface {
	// LoadEventDelivery reads a delivery with its event and endpoint,
	// without locking: the request to the endpoint is made outside any
	// transaction.
	LoadEventDelivery(ctx context.Context, tenantID, deliveryID string) (*EventDeliveryState, error)
	// UpdateEventDelivery loads and locks the delivery, lets decide change
	// it, and saves the change in the same transaction.
	UpdateEventDelivery(ctx context.Context, tenantID, deliveryID string, decide func(*EventDeliveryState) error) error
}
