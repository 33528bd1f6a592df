package providerhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"herald"
)

// DefaultTimeout bounds one request to a provider's API when the
// integration is given no client of its own.
const DefaultTimeout = 10 * time.Second

// maxAnswerBytes caps how much of an answer is read; real answers are tiny.
const maxAnswerBytes = 1 << 20

// maxIdleConns is how many idle connections to an API are kept for reuse:
// as many as a busy worker has sends in flight at once (a batch of claims
// releases dozens together), so that no connection is closed on its return
// only to be dialled again for the next send.
const maxIdleConns = 512

// NewClient returns the HTTP client of a provider integration: requests
// bounded by timeout (DefaultTimeout when not positive), and enough idle
// connections for a busy send rate, where the default two per host would
// mean a new TLS handshake for most requests.
func NewClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns, transport.MaxIdleConnsPerHost = maxIdleConns, maxIdleConns
	return &http.Client{Timeout: timeout, Transport: transport}
}

// Exchange sends req with client and reads the answer, of which it returns
// the response (its body closed) and the body. A request that got no
// usable answer is a *herald.SendError of provider: transient, or unknown
// when a 2xx answer (as the provider gives when it takes a message) broke
// off, since the message may then have gone out.
func Exchange(ctx context.Context, provider string, client *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, TransportError(ctx, provider, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil, nil, &herald.SendError{Provider: provider, Kind: herald.SendUnknown,
			Message: "answer cut off: " + err.Error()}
	}
	if err != nil {
		return nil, nil, TransportError(ctx, provider, err)
	}
	return resp, body, nil
}

// TransportError classifies a request that got no usable answer. The
// providers have no idempotency key, so a timeout after the request left
// may still have sent the message; it is reported as transient all the
// same, as the caller cannot know better.
func TransportError(ctx context.Context, provider string, err error) *herald.SendError {
	se := &herald.SendError{Provider: provider, Kind: herald.SendTransient}
	var netErr interface{ Timeout() bool }
	switch {
	case ctx.Err() != nil:
		se.Message = "request abandoned: " + ctx.Err().Error()
	case errors.As(err, &netErr) && netErr.Timeout():
		se.Message = "no answer in time: " + err.Error()
	default:
		se.Message = "request failed: " + err.Error()
	}
	return se
}
