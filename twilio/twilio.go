// Package twilio sends SMS through the Twilio Messages API, Herald's second
// SMS provider, and classifies its answers for Herald's retry and failover
// rules.
//
// It is a small client of its own rather than the official SDK: the SDK
// fixes the API host (only edge and region can change), so reaching the
// local fake or TWILIO_BASE_URL would take a transport that rewrites URLs;
// its errors drop the response headers, so a throttled answer's
// Retry-After is lost; and one endpoint does not justify its dependencies.
package twilio

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
const Name = "twilio"

// DefaultBaseURL is where the Twilio REST API lives.
const DefaultBaseURL = "https://api.twilio.com"

// DefaultTimeout bounds one request when Config.HTTPClient is nil.
const DefaultTimeout = providerhttp.DefaultTimeout

// StatusCallbackPath is the path, under Config.PublicURL, that each message
// names as its StatusCallback.
const StatusCallbackPath = "/webhooks/twilio/status"

// Config configures a Client.
type Config struct {
	// BaseURL is where the API is. Defaults to DefaultBaseURL.
	BaseURL string
	// AccountSID ("AC…") and AuthToken authenticate with HTTP Basic auth.
	// Both are required.
	AccountSID string
	AuthToken  string
	// From is the sending number in E.164 with its '+'. Required.
	From string
	// PublicURL is Herald's externally reachable base URL. When set, every
	// message asks for status callbacks at PublicURL+StatusCallbackPath.
	PublicURL string
	// HTTPClient sends the requests. Defaults to a client whose Timeout is
	// Timeout.
	HTTPClient *http.Client
	// Now tells the time a message's ValidityPeriod is counted from.
	// Defaults to time.Now.
	Now func() time.Time
	// Timeout bounds one request when HTTPClient is nil. Defaults to
	// DefaultTimeout.
	Timeout time.Duration
}

// Client sends SMS through Twilio. It is safe for concurrent use.
type Client struct {
	endpoint       string
	accountSID     string
	authToken      string
	from           string
	statusCallback string
	http           *http.Client
	now            func() time.Time
}

var _ herald.Sender = (*Client)(nil)

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.AccountSID == "" || cfg.AuthToken == "" {
		return nil, errors.New("twilio: account SID and auth token are required")
	}
	if cfg.From == "" {
		return nil, errors.New("twilio: a from number is required")
	}
	endpoint, err := providerhttp.Endpoint(cfg.BaseURL, DefaultBaseURL,
		"/2010-04-01/Accounts/"+url.PathEscape(cfg.AccountSID)+"/Messages.json")
	if err != nil {
		return nil, fmt.Errorf("twilio: base URL: %w", err)
	}
	client := &Client{
		endpoint:   endpoint,
		accountSID: cfg.AccountSID,
		authToken:  cfg.AuthToken,
		from:       cfg.From,
		http:       cfg.HTTPClient,
		now:        cfg.Now,
	}
	if client.now == nil {
		client.now = time.Now
	}
	if cfg.PublicURL != "" {
		client.statusCallback = strings.TrimRight(cfg.PublicURL, "/") + StatusCallbackPath
	}
	if client.http == nil {
		client.http = providerhttp.NewClient(cfg.Timeout)
	}
	return client, nil
}

// Name returns "twilio".
func (c *Client) Name() string { return Name }

// Send creates the message at Twilio. A 201 answer means queued, not
// delivered: delivery arrives later through the status callback.
func (c *Client) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	form := url.Values{}
	form.Set("To", msg.To)
	form.Set("From", c.fromFor(msg))
	form.Set("Body", msg.Text)
	if v, ok := validityPeriod(msg.NotAfter, c.now()); ok {
		form.Set("ValidityPeriod", v)
	}
	if c.statusCallback != "" {
		form.Set("StatusCallback", c.statusCallbackFor(msg.Reference))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return herald.SendResult{}, sendError(herald.SendPermanent, "", "build request: "+err.Error())
	}
	req.SetBasicAuth(c.accountSID, c.authToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, body, err := providerhttp.Exchange(ctx, Name, c.http, req)
	if err != nil {
		return herald.SendResult{}, err
	}
	var result herald.SendResult
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err = errorAnswer(resp, body)
	} else {
		result, err = createdAnswer(body)
	}
	if se := (*herald.SendError)(nil); errors.As(err, &se) {
		se.From = c.fromFor(msg)
	} else if err == nil {
		result.From = c.fromFor(msg)
	}
	return result, err
}

// StatusCallbackRefParam is the query parameter of the status callback URL
// that carries the message's reference. Twilio echoes no reference of its
// own, and signs the whole URL, so a callback can be matched to its attempt
// even before the send's answer, and its message id, are recorded.
const StatusCallbackRefParam = "ref"

func (c *Client) statusCallbackFor(reference string) string {
	if reference == "" {
		return c.statusCallback
	}
	return c.statusCallback + "?" + url.Values{StatusCallbackRefParam: {reference}}.Encode()
}

func sendError(kind herald.SendErrorKind, code, message string) *herald.SendError {
	return &herald.SendError{Provider: Name, Kind: kind, Code: code, Message: message}
}
