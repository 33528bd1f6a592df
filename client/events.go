package client

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"

	"herald"
	"herald/stdwebhook"
)

// CreateWebhookEndpoint creates an endpoint; the answer carries its
// secret, which is shown only here and by RotateWebhookSecret.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, in herald.WebhookEndpointInput, opts ...RequestOption) (herald.WebhookEndpoint, error) {
	var out herald.WebhookEndpoint
	body := map[string]any{"url": in.URL, "events": in.Events, "description": in.Description}
	if in.Events == nil {
		body["events"] = []herald.EventType{}
	}
	err := c.do(ctx, http.MethodPost, "/v1/webhook-endpoints", nil, body, &out, opts...)
	return out, err
}

// WebhookEndpoint reads an endpoint, without its secret.
func (c *Client) WebhookEndpoint(ctx context.Context, id string) (herald.WebhookEndpoint, error) {
	var out herald.WebhookEndpoint
	err := c.do(ctx, http.MethodGet, pathOf("v1", "webhook-endpoints", id), nil, nil, &out)
	return out, err
}

// WebhookEndpoints lists the tenant's endpoints.
func (c *Client) WebhookEndpoints(ctx context.Context, opts ListOptions) iter.Seq2[herald.WebhookEndpoint, error] {
	return paginate[herald.WebhookEndpoint](ctx, c, "/v1/webhook-endpoints", nil, opts)
}

// UpdateWebhookEndpoint changes an endpoint's fields that patch sets.
func (c *Client) UpdateWebhookEndpoint(ctx context.Context, id string, patch herald.WebhookEndpointPatch) (herald.WebhookEndpoint, error) {
	var out herald.WebhookEndpoint
	err := c.do(ctx, http.MethodPatch, pathOf("v1", "webhook-endpoints", id), nil, patch, &out)
	return out, err
}

// DeleteWebhookEndpoint deletes an endpoint.
func (c *Client) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, pathOf("v1", "webhook-endpoints", id), nil, nil, nil)
}

// RotateWebhookSecret gives an endpoint a new secret; for a day the
// deliveries are signed with the old one too.
func (c *Client) RotateWebhookSecret(ctx context.Context, id string) (herald.WebhookEndpoint, error) {
	var out herald.WebhookEndpoint
	err := c.do(ctx, http.MethodPost, pathOf("v1", "webhook-endpoints", id, "rotate-secret"), nil, nil, &out)
	return out, err
}

// EventFilter narrows Events.
type EventFilter struct {
	Type     herald.EventType
	ObjectID string
	ListOptions
}

// Events lists the tenant's events, newest first, with their deliveries.
func (c *Client) Events(ctx context.Context, f EventFilter) iter.Seq2[herald.Event, error] {
	q := url.Values{}
	if f.Type != "" {
		q.Set("type", string(f.Type))
	}
	if f.ObjectID != "" {
		q.Set("object_id", f.ObjectID)
	}
	return paginate[herald.Event](ctx, c, "/v1/events", q, f.ListOptions)
}

// Event reads an event with its deliveries.
func (c *Client) Event(ctx context.Context, id string) (herald.Event, error) {
	var out herald.Event
	err := c.do(ctx, http.MethodGet, pathOf("v1", "events", id), nil, nil, &out)
	return out, err
}

// RedeliverEvent sends an event again to the endpoints that take it.
func (c *Client) RedeliverEvent(ctx context.Context, id string) (herald.Event, error) {
	var out herald.Event
	err := c.do(ctx, http.MethodPost, pathOf("v1", "events", id, "redeliver"), nil, nil, &out)
	return out, err
}

// WebhookEvent is an event as an endpoint receives it. Data is the object
// after the change: decode it with DecodeData into a herald.Meeting,
// herald.Reminder, herald.Lead or herald.InboundMessage by Type.
type WebhookEvent struct {
	ID        string           `json:"id"`
	Type      herald.EventType `json:"type"`
	CreatedAt time.Time        `json:"created_at"`
	Data      json.RawMessage  `json:"data"`
}

// DecodeData decodes the event's data into v.
func (e *WebhookEvent) DecodeData(v any) error { return json.Unmarshal(e.Data, v) }

// WebhookTolerance is how far a delivery's webhook-timestamp may be from
// now for VerifyWebhook.
const WebhookTolerance = stdwebhook.DefaultTolerance

// VerifyWebhook checks a delivery Herald made to an endpoint with the
// endpoint's secret (whsec_…): one of its signatures must match and its
// timestamp be within WebhookTolerance of now. It returns the event. The
// webhook-id header is the event's id, the same on every retry: a receiver
// that has seen it already can answer 2xx and do nothing.
func VerifyWebhook(secret string, headers http.Header, body []byte) (*WebhookEvent, error) {
	if err := stdwebhook.Verify(secret, headers, body, time.Now(), WebhookTolerance); err != nil {
		return nil, err
	}
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("webhook: the body is not an event: %w", err)
	}
	if ev.ID != headers.Get(stdwebhook.HeaderID) {
		return nil, fmt.Errorf("webhook: the body's id %q is not the webhook-id %q", ev.ID, headers.Get(stdwebhook.HeaderID))
	}
	return &ev, nil
}
