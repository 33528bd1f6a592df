package vonage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/vonage/vonagetest"
)

// TestEveryStatusCodeIsClassified sends through the fake scripted to
// answer each documented status and checks what the caller is told to do.
func TestEveryStatusCodeIsClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status string
		kind   herald.SendErrorKind
	}{
		{"1", herald.SendThrottled},
		{"2", herald.SendPermanent},
		{"3", herald.SendPermanent},
		{"4", herald.SendPermanent},
		{"5", herald.SendTransient},
		{"6", herald.SendPermanentRecipient},
		{"7", herald.SendPermanentRecipient},
		{"8", herald.SendPermanent},
		{"9", herald.SendTransient},
		{"10", herald.SendTransient},
		{"11", herald.SendPermanent},
		{"12", herald.SendPermanent},
		{"14", herald.SendPermanent},
		{"15", herald.SendPermanent},
		{"17", herald.SendPermanent},
		{"22", herald.SendPermanent},
		{"23", herald.SendPermanent},
		{"29", herald.SendPermanent},
		{"32", herald.SendPermanent},
		{"33", herald.SendPermanentRecipient},
		{"99", herald.SendPermanent},
	}
	fake := vonagetest.NewServer(t)
	fake.Script(func(req vonagetest.Request) vonagetest.Reply {
		return vonagetest.Reply{Status: req.Form.Get("text")}
	})
	client := newClient(t, fake.Config())
	for _, tt := range tests {
		t.Run("status "+tt.status, func(t *testing.T) {
			t.Parallel()
			_, err := client.Send(context.Background(), smsTo("+14155550100", tt.status))
			se := assertSendError(t, err, tt.kind, tt.status)
			if se.RetryAfter != 0 || se.OptedOut {
				t.Errorf("RetryAfter=%v OptedOut=%v, want neither", se.RetryAfter, se.OptedOut)
			}
		})
	}
}

func TestPartiallyAcceptedMessageIsNeverResent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []string
		kind     herald.SendErrorKind
		code     string
	}{
		{"throttled second part", []string{"0", "1"}, herald.SendPermanent, "1"},
		{"internal error on third", []string{"0", "0", "5"}, herald.SendPermanent, "5"},
		{"barred number stays about the recipient", []string{"0", "7"}, herald.SendPermanentRecipient, "7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := vonagetest.NewServer(t)
			fake.Script(func(vonagetest.Request) vonagetest.Reply {
				return vonagetest.Reply{PartStatuses: tt.statuses}
			})
			_, err := newClient(t, fake.Config()).Send(context.Background(),
				smsTo("+14155550100", strings.Repeat("long text ", 40)))
			assertSendError(t, err, tt.kind, tt.code)
			if !strings.Contains(err.Error(), "parts accepted") {
				t.Errorf("error %q does not say some parts went out", err)
			}
		})
	}
}

func TestHTTPLevelAnswersAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		reply      vonagetest.Reply
		kind       herald.SendErrorKind
		code       string
		retryAfter time.Duration
	}{
		{"429 with Retry-After", vonagetest.Reply{HTTPStatus: 429, RetryAfter: "3"}, herald.SendThrottled, "http-429", 3 * time.Second},
		{"429 without Retry-After", vonagetest.Reply{HTTPStatus: 429}, herald.SendThrottled, "http-429", 0},
		{"500", vonagetest.Reply{HTTPStatus: 500, Body: "oops"}, herald.SendTransient, "http-500", 0},
		{"503", vonagetest.Reply{HTTPStatus: 503}, herald.SendTransient, "http-503", 0},
		{"401", vonagetest.Reply{HTTPStatus: 401}, herald.SendPermanent, "http-401", 0},
		{"200 with garbage may have sent: unknown", vonagetest.Reply{HTTPStatus: 200, Body: "<html>"}, herald.SendUnknown, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := vonagetest.NewServer(t)
			fake.Script(func(vonagetest.Request) vonagetest.Reply { return tt.reply })
			_, err := newClient(t, fake.Config()).Send(context.Background(), smsTo("+14155550100", "hi"))
			se := assertSendError(t, err, tt.kind, tt.code)
			if se.RetryAfter != tt.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", se.RetryAfter, tt.retryAfter)
			}
		})
	}
}

func TestNumericStatusesAreUnderstood(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply {
		return vonagetest.Reply{HTTPStatus: 200,
			Body: `{"message-count":1,"messages":[{"message-id":"0C000000217B7F02","status":0}]}`}
	})
	result, err := newClient(t, fake.Config()).Send(context.Background(), smsTo("+14155550100", "hi"))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if result.MessageID != "0C000000217B7F02" || result.Parts != 1 {
		t.Errorf("result = %+v", result)
	}
}
