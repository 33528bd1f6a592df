// Package vonage sends SMS through the Vonage SMS API (POST /sms/json), the
// API the original system used, and classifies its answers for Herald's
// retry and failover rules.
package vonage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"herald"
	"herald/internal/providerhttp"
)

// Name is the provider name used in results, errors and configuration.
const Name = "vonage"

// DefaultBaseURL is where the Vonage SMS API lives.
const DefaultBaseURL = "https://rest.nexmo.com"

// DefaultTimeout bounds one request when Config.HTTPClient is nil.
const DefaultTimeout = providerhttp.DefaultTimeout

// DeliveryReceiptPath is the path, under Config.PublicURL, that each message
// names as its delivery-receipt callback.
const DeliveryReceiptPath = "/webhooks/vonage/dlr"

// maxCallbackLength is Vonage's limit on the callback parameter; a longer
// one is refused with status 23 on every message, so New refuses it first.
const maxCallbackLength = 100

// Config configures a Client.
type Config struct {
	// BaseURL is where the SMS API is. Defaults to DefaultBaseURL.
	BaseURL string
	// APIKey and APISecret are sent as the api_key and api_secret form
	// fields. Both are required.
	APIKey    string
	APISecret string
	// From is the sender: a Vonage number (a leading '+' is dropped, as the
	// API wants bare digits) or an alphanumeric sender ID. Required.
	From string
	// PublicURL is Herald's externally reachable base URL. When set, every
	// message asks for its delivery receipt at PublicURL+DeliveryReceiptPath.
	PublicURL string
	// HTTPClient sends the requests. Defaults to a client whose Timeout is
	// Timeout.
	HTTPClient *http.Client
	// Timeout bounds one request when HTTPClient is nil. Defaults to
	// DefaultTimeout.
	Timeout time.Duration
	// Now tells the time a message's ttl is counted from. Defaults to
	// time.Now.
	Now func() time.Time
}

// Client sends SMS through the Vonage SMS API. It is safe for concurrent use.
type Client struct {
	endpoint string
	apiKey   string
	secret   string
	from     string
	callback string
	http     *http.Client
	now      func() time.Time
}

var _ herald.Sender = (*Client)(nil)

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" || cfg.APISecret == "" {
		return nil, errors.New("vonage: API key and secret are required")
	}
	if cfg.From == "" {
		return nil, errors.New("vonage: a from number or sender ID is required")
	}
	endpoint, err := providerhttp.Endpoint(cfg.BaseURL, DefaultBaseURL, "/sms/json")
	if err != nil {
		return nil, fmt.Errorf("vonage: base URL: %w", err)
	}
	client := &Client{
		endpoint: endpoint,
		apiKey:   cfg.APIKey,
		secret:   cfg.APISecret,
		from:     strings.TrimPrefix(cfg.From, "+"),
		http:     cfg.HTTPClient,
		now:      cfg.Now,
	}
	if client.now == nil {
		client.now = time.Now
	}
	if cfg.PublicURL != "" {
		client.callback = strings.TrimRight(cfg.PublicURL, "/") + DeliveryReceiptPath
		if len(client.callback) > maxCallbackLength {
			return nil, fmt.Errorf("vonage: delivery receipt URL %q is longer than the %d characters Vonage accepts",
				client.callback, maxCallbackLength)
		}
	}
	if client.http == nil {
		client.http = providerhttp.NewClient(cfg.Timeout)
	}
	return client, nil
}

// Name returns "vonage".
func (c *Client) Name() string { return Name }

// Send submits msg to Vonage. Status "0" on every part means accepted, not
// delivered: delivery arrives later as a receipt carrying msg.Reference.
func (c *Client) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint,
		strings.NewReader(c.form(msg).Encode()))
	if err != nil {
		return herald.SendResult{}, sendError(herald.SendPermanent, "", "build request: "+err.Error())
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, body, err := providerhttp.Exchange(ctx, Name, c.http, req)
	if err != nil {
		return herald.SendResult{}, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return herald.SendResult{}, httpStatusError(resp, body)
	}
	result, err := parseAnswer(body)
	if err == nil {
		result.From = c.fromFor(msg)
	}
	return result, err
}

// form builds the request body exactly as the SMS API documents it.
func (c *Client) form(msg *herald.Message) url.Values {
	form := url.Values{}
	form.Set("api_key", c.apiKey)
	form.Set("api_secret", c.secret)
	form.Set("from", c.fromFor(msg))
	form.Set("to", strings.TrimPrefix(msg.To, "+"))
	form.Set("text", msg.Text)
	if msg.Unicode {
		form.Set("type", "unicode")
	}
	if msg.Reference != "" {
		form.Set("client-ref", msg.Reference)
	}
	if c.callback != "" {
		form.Set("callback", c.callback)
	}
	if ttl, ok := ttlFor(msg.NotAfter, c.now()); ok {
		form.Set("ttl", ttl)
	}
	return form
}

// httpStatusError classifies an answer that is not HTTP 2xx. The SMS API
// normally answers 200 with a status per part; these cover its edge.
func httpStatusError(resp *http.Response, body []byte) error {
	code := fmt.Sprintf("http-%d", resp.StatusCode)
	text := fmt.Sprintf("HTTP %d: %s", resp.StatusCode, providerhttp.Snippet(body))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		se := sendError(herald.SendThrottled, code, text)
		se.RetryAfter = providerhttp.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return se
	case resp.StatusCode >= 500:
		return sendError(herald.SendTransient, code, text)
	default:
		return sendError(herald.SendPermanent, code, text)
	}
}

func sendError(kind herald.SendErrorKind, code, message string) *herald.SendError {
	return &herald.SendError{Provider: Name, Kind: kind, Code: code, Message: message}
}

// fromFor is the sender of msg: the tenant's own number when it has one,
// else the configured one, without the plus Vonage does not take.
func (c *Client) fromFor(msg *herald.Message) string {
	if msg.From != "" {
		return strings.TrimPrefix(msg.From, "+")
	}
	return c.from
}
