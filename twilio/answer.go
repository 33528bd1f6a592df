package twilio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"herald"
	"herald/internal/providerhttp"
)

// created is the part of the 201 message resource Herald uses.
type created struct {
	SID          string  `json:"sid"`
	Status       string  `json:"status"`
	NumSegments  string  `json:"num_segments"`
	ErrorCode    *int    `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
}

// restError is Twilio's error body: {"code","message","more_info","status"}.
type restError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// createdAnswer reads a 2xx answer.
func createdAnswer(body []byte) (herald.SendResult, error) {
	var msg created
	if err := json.Unmarshal(body, &msg); err != nil || msg.SID == "" {
		// Twilio took the request, so the message may exist: sending it
		// again, here or elsewhere, could send it twice.
		return herald.SendResult{}, sendError(herald.SendUnknown, "", "unreadable answer: "+providerhttp.Snippet(body))
	}
	if msg.Status == "failed" && msg.ErrorCode != nil {
		kind, optedOut := classifyCode(http.StatusCreated, *msg.ErrorCode)
		text := "message failed"
		if msg.ErrorMessage != nil {
			text = *msg.ErrorMessage
		}
		se := sendError(kind, strconv.Itoa(*msg.ErrorCode), text)
		se.OptedOut = optedOut
		return herald.SendResult{}, se
	}
	parts, err := strconv.Atoi(msg.NumSegments)
	if err != nil || parts < 1 {
		// "0" until a Messaging Service has picked the sender.
		parts = 1
	}
	return herald.SendResult{Provider: Name, MessageID: msg.SID, Parts: parts}, nil
}

// errorAnswer classifies a non-2xx answer from its Twilio error code, or
// from the HTTP status when the body carries none (a proxy's 502, say).
func errorAnswer(resp *http.Response, body []byte) error {
	var rest restError
	_ = json.Unmarshal(body, &rest)
	code := fmt.Sprintf("http-%d", resp.StatusCode)
	text := fmt.Sprintf("HTTP %d: %s", resp.StatusCode, providerhttp.Snippet(body))
	if rest.Code != 0 {
		code = strconv.Itoa(rest.Code)
		text = rest.Message
	}
	kind, optedOut := classifyCode(resp.StatusCode, rest.Code)
	se := sendError(kind, code, text)
	se.OptedOut = optedOut
	if kind == herald.SendThrottled {
		se.RetryAfter = providerhttp.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return se
}

// classifyCode maps a Twilio error code and HTTP status to what Herald
// should do next. Problems with the number are SendPermanentRecipient (no
// SMS provider can help, email can); account, sender and request problems
// are SendPermanent (the router may still try another provider). The 30xxx
// delivery codes normally come later in status callbacks; they are mapped
// here too in case Twilio ever answers with one directly.
func classifyCode(httpStatus, code int) (kind herald.SendErrorKind, optedOut bool) {
	switch code {
	case 20429:
		return herald.SendThrottled, false
	case ErrorOptedOut:
		return herald.SendPermanentRecipient, true
	case 21211, 21614, 21635, 30004, 30005, 30006:
		return herald.SendPermanentRecipient, false
	case 30001, 30003, 30008, 30450:
		return herald.SendTransient, false
	}
	switch {
	case httpStatus == http.StatusTooManyRequests:
		return herald.SendThrottled, false
	case httpStatus >= 500:
		return herald.SendTransient, false
	}
	return herald.SendPermanent, false
}
