package vonagetest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// ErrorText returns the error-text Vonage sends with a status code.
func ErrorText(status string) string {
	switch status {
	case "1":
		return "Throttled"
	case "2":
		return "Missing Parameters"
	case "3":
		return "Invalid Parameters"
	case "4":
		return "Bad Credentials"
	case "5":
		return "Internal Error"
	case "6":
		return "Invalid Message"
	case "7":
		return "Number barred."
	case "8":
		return "Partner account barred."
	case "9":
		return "Partner quota violation."
	case "10":
		return "Too many existing binds"
	case "11":
		return "Account not enabled for HTTP"
	case "12":
		return "Message too long"
	case "14":
		return "Invalid signature"
	case "15":
		return "Invalid sender address"
	case "17":
		return "Message blocked"
	case "22":
		return "Invalid network code"
	case "23":
		return "Invalid callback url"
	case "29":
		return "Non White-listed Destination - rejected"
	case "32":
		return "Signature and API secret disallowed"
	case "33":
		return "Number de-activated"
	}
	return "Unknown error"
}

var toPattern = regexp.MustCompile(`^\d{7,15}$`)

func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	form, err := readParams(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := Request{At: time.Now(), Method: r.Method, Header: r.Header.Clone(), Form: form}
	key, secret, basic := r.BasicAuth()
	if basic {
		req.BasicAuth = true
	} else {
		key, secret = form.Get("api_key"), form.Get("api_secret")
	}

	s.mu.Lock()
	s.requests = append(s.requests, req)
	script := s.script
	s.mu.Unlock()

	switch {
	case key == "":
		writeJSON(w, http.StatusOK, refusal("2", "Missing api_key"))
		return
	case form.Has("sig") && secret != "":
		writeJSON(w, http.StatusOK, refusal("32", ErrorText("32")))
		return
	case !s.validCredentials(key, secret):
		writeJSON(w, http.StatusOK, refusal("4", ErrorText("4")))
		return
	}
	for _, field := range []string{"from", "to", "text"} {
		if form.Get(field) == "" {
			writeJSON(w, http.StatusOK, refusal("2", "Missing "+field+" param"))
			return
		}
	}
	if !toPattern.MatchString(form.Get("to")) {
		writeJSON(w, http.StatusOK, refusal("3", "Invalid to param"))
		return
	}
	if t := form.Get("type"); t != "" && t != "text" && t != "unicode" && t != "binary" {
		writeJSON(w, http.StatusOK, refusal("3", "Invalid type param"))
		return
	}
	if len(form.Get("client-ref")) > 100 {
		writeJSON(w, http.StatusOK, refusal("3", "Invalid client-ref param"))
		return
	}
	if cb := form.Get("callback"); cb != "" && (len(cb) > 100 || !isAbsoluteURL(cb)) {
		writeJSON(w, http.StatusOK, refusal("23", ErrorText("23")))
		return
	}
	if ttl := form.Get("ttl"); ttl != "" && !validTTL(ttl) {
		writeJSON(w, http.StatusOK, refusal("3", "Invalid ttl param"))
		return
	}
	if s.throttle(key, req.At) {
		writeJSON(w, http.StatusOK, refusal("1", ErrorText("1")))
		return
	}
	form = maps.Clone(form) // the recorded request keeps what the client sent
	form.Set(acceptedKeyParam, key)
	form.Set(acceptedAtParam, req.At.Format(time.RFC3339Nano))

	var reply Reply
	if script != nil {
		reply = script(req)
	}
	s.answer(w, r, form, reply)
}

// answer writes the scripted or normal answer to a valid request.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, form url.Values, reply Reply) {
	if reply.Hang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	if reply.RetryAfter != "" {
		w.Header().Set("Retry-After", reply.RetryAfter)
	}
	if reply.HTTPStatus != 0 {
		w.WriteHeader(reply.HTTPStatus)
		_, _ = io.WriteString(w, reply.Body)
		return
	}
	statuses := reply.PartStatuses
	if len(statuses) == 0 {
		status := reply.Status
		if status == "" {
			status = "0"
		}
		if status != "0" {
			text := reply.ErrorText
			if text == "" {
				text = ErrorText(status)
			}
			writeJSON(w, http.StatusOK, refusal(status, text))
			return
		}
		statuses = make([]string, Parts(form.Get("text"), form.Get("type") == "unicode"))
		for i := range statuses {
			statuses[i] = "0"
		}
	}
	writeJSON(w, http.StatusOK, s.partsAnswer(form, statuses, reply.ErrorText))
}

// partsAnswer builds a multi-part answer and records the accepted parts.
func (s *Server) partsAnswer(form url.Values, statuses []string, errorText string) map[string]any {
	messages := make([]map[string]string, 0, len(statuses))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, status := range statuses {
		if status != "0" {
			text := errorText
			if text == "" {
				text = ErrorText(status)
			}
			messages = append(messages, map[string]string{"status": status, "error-text": text})
			continue
		}
		part := map[string]string{
			"to": form.Get("to"), "message-id": newMessageID(), "status": "0",
			"remaining-balance": "38.07243628", "message-price": "0.04120000", "network": "23410",
		}
		if ref := form.Get("client-ref"); ref != "" {
			part["client-ref"] = ref
		}
		messages = append(messages, part)
		at, _ := time.Parse(time.RFC3339Nano, form.Get(acceptedAtParam))
		s.accepted = append(s.accepted, Accepted{
			At: at, APIKey: form.Get(acceptedKeyParam),
			MessageID: part["message-id"], To: form.Get("to"), From: form.Get("from"),
			ClientRef: form.Get("client-ref"), Callback: form.Get("callback"),
			Part: i + 1, Parts: len(statuses),
		})
	}
	return map[string]any{"message-count": fmt.Sprint(len(statuses)), "messages": messages}
}

// validTTL tells whether ttl is a whole number of milliseconds Vonage
// takes: 20,000 to 604,800,000.
func validTTL(ttl string) bool {
	ms, err := strconv.ParseInt(ttl, 10, 64)
	return err == nil && ms >= 20000 && ms <= 604800000
}

// readParams reads a form body, or a JSON body as some clients send.
func readParams(r *http.Request) (url.Values, error) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/json" {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return r.Form, nil
	}
	var fields map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&fields); err != nil {
		return nil, err
	}
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, fmt.Sprint(v))
	}
	return form, nil
}

func isAbsoluteURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// gsmExtension holds the GSM 03.38 extension table: each of these costs
// two septets.
const gsmExtension = "\f^{}\\[~]|€"

// Parts returns how many SMS parts Vonage bills for text: GSM-7 fits 160
// septets in one part and 153 per part beyond; unicode fits 70 UTF-16 units
// and 67 per part. Text outside the GSM tables sent as type=text is
// counted one septet per character, as this fake does not imitate what
// Vonage does with it.
func Parts(text string, unicode bool) int {
	single, multi, length := 160, 153, 0
	if unicode {
		single, multi, length = 70, 67, len(utf16.Encode([]rune(text)))
	} else {
		for _, r := range text {
			if strings.ContainsRune(gsmExtension, r) {
				length += 2
			} else {
				length++
			}
		}
	}
	if length <= single {
		return 1
	}
	return (length + multi - 1) / multi
}
