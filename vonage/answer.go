package vonage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"herald"
	"herald/internal/providerhttp"
)

// answer is the JSON the SMS API returns with HTTP 200, for successes and
// business errors alike. Every value is a string on the wire.
type answer struct {
	MessageCount flexString   `json:"message-count"`
	Messages     []answerPart `json:"messages"`
}

// answerPart is one SMS part: a long text is split and each part is
// accepted or refused on its own.
type answerPart struct {
	To        string     `json:"to"`
	MessageID string     `json:"message-id"`
	Status    flexString `json:"status"`
	ErrorText string     `json:"error-text"`
	ClientRef string     `json:"client-ref"`
	Network   string     `json:"network"`
}

// flexString accepts a JSON string or number: the documented answer uses
// strings, but a number must not turn an accepted SMS into an error.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

// parseAnswer turns a 200 answer into a result or a classified error.
func parseAnswer(body []byte) (herald.SendResult, error) {
	var ans answer
	if err := json.Unmarshal(body, &ans); err != nil || len(ans.Messages) == 0 {
		// The request reached Vonage, so the SMS may have gone out:
		// sending it again, here or elsewhere, could send it twice.
		return herald.SendResult{}, sendError(herald.SendUnknown, "",
			"unreadable answer: "+providerhttp.Snippet(body))
	}
	var accepted int
	var refused *answerPart
	for i := range ans.Messages {
		part := &ans.Messages[i]
		if part.Status == "0" {
			accepted++
		} else if refused == nil {
			refused = part
		}
	}
	if refused == nil {
		parts := len(ans.Messages)
		if n, err := strconv.Atoi(string(ans.MessageCount)); err == nil && n > parts {
			parts = n
		}
		return herald.SendResult{Provider: Name, MessageID: ans.Messages[0].MessageID, Parts: parts}, nil
	}

	code := string(refused.Status)
	kind, meaning := classifyStatus(code)
	text := meaning
	if refused.ErrorText != "" {
		text = refused.ErrorText + " (" + meaning + ")"
	}
	if accepted > 0 {
		// Some parts are on their way: sending again, here or through
		// another provider, would deliver those parts twice. Only kinds
		// that never resend are kept.
		if kind == herald.SendTransient || kind == herald.SendThrottled {
			kind = herald.SendPermanent
		}
		text = fmt.Sprintf("%d of %d parts accepted, then %s", accepted, len(ans.Messages), text)
	}
	return herald.SendResult{}, sendError(kind, code, text)
}

// classifyStatus maps a send-response status code to what Herald should do
// next, following Vonage's published list. Account and request problems are
// SendPermanent (the router may still try another provider); problems with
// the number are SendPermanentRecipient (no provider can help; email can).
func classifyStatus(status string) (herald.SendErrorKind, string) {
	switch status {
	case "1":
		return herald.SendThrottled, "throttled: over the account's request rate"
	case "2":
		return herald.SendPermanent, "missing parameters"
	case "3":
		return herald.SendPermanent, "invalid parameter value"
	case "4":
		return herald.SendPermanent, "invalid credentials"
	case "5":
		return herald.SendTransient, "internal error at Vonage"
	case "6":
		return herald.SendPermanentRecipient, "invalid message: unrecognised number prefix"
	case "7":
		return herald.SendPermanentRecipient, "number barred"
	case "8":
		return herald.SendPermanent, "partner account barred"
	case "9":
		// Out of credit: nothing this message can fix, but a top-up will,
		// so it is an outage of this provider rather than a refusal.
		return herald.SendTransient, "partner quota exceeded: not enough credit"
	case "10":
		return herald.SendTransient, "too many existing binds"
	case "11":
		return herald.SendPermanent, "account not enabled for HTTP"
	case "12":
		return herald.SendPermanent, "message too long"
	case "14":
		return herald.SendPermanent, "invalid signature"
	case "15":
		return herald.SendPermanent, "invalid sender address"
	case "17":
		return herald.SendPermanent, "message blocked by provider"
	case "22":
		return herald.SendPermanent, "invalid network code"
	case "23":
		return herald.SendPermanent, "invalid callback URL"
	case "29":
		return herald.SendPermanent, "non-whitelisted destination (trial account)"
	case "32":
		return herald.SendPermanent, "signature and API secret both present"
	case "33":
		return herald.SendPermanentRecipient, "number de-activated"
	}
	return herald.SendPermanent, "undocumented status"
}
