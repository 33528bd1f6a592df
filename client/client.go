// Package client is a typed Go client of Herald's REST API, for booking
// systems written in Go: one method per /v1 route, Idempotency-Key on
// creating requests, lists as iterators that fetch page after page, and
// problems as *Error values that carry Herald's stable code and the field
// at fault. VerifyWebhook checks the signed events Herald delivers to the
// tenant's webhook endpoints.
//
//	c := client.New("https://herald.example.com", apiKey)
//	m, err := c.BookMeeting(ctx, herald.BookMeetingInput{...}, client.WithIdempotencyKey(bookingID))
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"herald"
)

// Client calls one Herald server with one key: a tenant API key for the
// /v1 routes, the admin token for CreateTenant.
type Client struct {
	baseURL string
	key     string
	http    *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client. Defaults to one with a 30 s timeout.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// New returns a client of the server at baseURL (such as
// "https://herald.example.com") that authenticates with key.
func New(baseURL, key string, opts ...Option) *Client {
	c := &Client{baseURL: strings.TrimRight(baseURL, "/"), key: key, http: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// RequestOption changes one request.
type RequestOption func(*http.Request)

// WithIdempotencyKey sends an Idempotency-Key header: a repeated request
// with the same key and body answers what the first one did, and creates
// nothing twice.
func WithIdempotencyKey(key string) RequestOption {
	return func(r *http.Request) { r.Header.Set("Idempotency-Key", key) }
}

// Error is a problem document Herald answered with: Code is stable and
// safe to branch on (see herald.ECode…), Field names the input at fault.
type Error struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Field  string `json:"field"`
	// RetryAfter is how long to wait before a retry, from the Retry-After
	// header of a 429 rate_limited answer (the API key's request budget is
	// spent) or a 503.
	RetryAfter time.Duration `json:"-"`
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("herald: %d %s: %s", e.Status, e.Code, e.Detail)
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	return s
}

// ErrorCode returns the Herald code of err, "" when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// do sends one request and decodes a 2xx answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any, opts ...RequestOption) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("herald: encode request: %w", err)
		}
		body = bytes.NewReader(raw)
	}
	u := c.baseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("herald: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("herald: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("herald: %s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(raw, e) != nil || e.Code == "" {
			e.Code, e.Detail = "http_"+strconv.Itoa(resp.StatusCode), strings.TrimSpace(string(raw))
		}
		e.Status = resp.StatusCode
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			e.RetryAfter = time.Duration(secs) * time.Second
		}
		return e
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("herald: %s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// ListOptions page through a list: Limit items per request (the server's
// default when 0), starting after Cursor.
type ListOptions struct {
	Limit  int
	Cursor string
}

func (o ListOptions) query(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	return q
}

// paginate yields the items of a list, page after page; an error ends it.
func paginate[T any](ctx context.Context, c *Client, path string, query url.Values, opts ListOptions) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := opts.Cursor
		for {
			q := url.Values{}
			for k, v := range query {
				q[k] = v
			}
			var page herald.Page[T]
			if err := c.do(ctx, http.MethodGet, path, ListOptions{Limit: opts.Limit, Cursor: cursor}.query(q), nil, &page); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if page.NextCursor == "" {
				return
			}
			cursor = page.NextCursor
		}
	}
}

func pathOf(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("/" + url.PathEscape(p))
	}
	return b.String()
}
