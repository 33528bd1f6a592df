package client

import (
	"context"
	"net/http"
	"net/url"

	"herald"
)

// BatchBooking is one booking of BookMeetings: a booking with its own
// idempotency key, so the batch can be sent again without booking twice.
type BatchBooking struct {
	IdempotencyKey string `json:"idempotency_key"`
	herald.BookMeetingInput
}

// BatchResult is one booking's answer: Status 201 with its Meeting, or the
// status of its Problem.
type BatchResult struct {
	Status  int             `json:"status"`
	Meeting *herald.Meeting `json:"meeting,omitempty"`
	Problem *Error          `json:"problem,omitempty"`
}

// MaxBatch is the most bookings one BookMeetings call takes.
const MaxBatch = 500

// BookMeetings books up to MaxBatch meetings in one request; each is booked
// or refused on its own, and the answers come in the order of items.
// Sending the same items again answers each one's first answer.
func (c *Client) BookMeetings(ctx context.Context, items []BatchBooking) ([]BatchResult, error) {
	var out struct {
		Items []BatchResult `json:"items"`
	}
	err := c.do(ctx, http.MethodPost, "/v1/meetings/batch", nil, map[string][]BatchBooking{"items": items}, &out)
	return out.Items, err
}

// localeQuery adds a template's locale to a channel query.
func localeQuery(channel herald.Channel, locale string) url.Values {
	q := channelQuery(channel)
	if locale != "" {
		if q == nil {
			q = url.Values{}
		}
		q.Set("locale", locale)
	}
	return q
}

// TemplateFor reads the template a lead of that locale gets: the tenant's
// version for the locale, else for its language, else the tenant's default,
// else the built-in one (Template.Locale says which).
func (c *Client) TemplateFor(ctx context.Context, name string, channel herald.Channel, locale string) (Template, error) {
	var out Template
	err := c.do(ctx, http.MethodGet, pathOf("v1", "templates", name), localeQuery(channel, locale), nil, &out)
	return out, err
}

// DeleteTemplateLocale removes the tenant's version of a template for one
// locale ("" for its default).
func (c *Client) DeleteTemplateLocale(ctx context.Context, name string, channel herald.Channel, locale string) error {
	return c.do(ctx, http.MethodDelete, pathOf("v1", "templates", name), localeQuery(channel, locale), nil, nil)
}
