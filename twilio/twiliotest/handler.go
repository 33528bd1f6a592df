package twiliotest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

var e164 = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

// HTTPStatusOf returns the HTTP status Twilio answers with for an error
// code.
func HTTPStatusOf(code int) int {
	switch {
	case code == 20003:
		return http.StatusUnauthorized
	case code == 20404:
		return http.StatusNotFound
	case code == 20429:
		return http.StatusTooManyRequests
	case code == 20500:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// writeError answers with Twilio's error body.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{
		"code": code, "message": message, "status": status,
		"more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code),
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Could not parse the request body")
		return
	}
	user, password, _ := r.BasicAuth()
	req := Request{At: time.Now(), Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(),
		Form: r.PostForm, User: user, Password: password}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	script := s.script
	s.mu.Unlock()

	if user != s.accountSID || password != s.authToken {
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.PathValue("AccountSid") != s.accountSID {
		writeError(w, http.StatusNotFound, 20404,
			"The requested resource "+r.URL.Path+" was not found")
		return
	}
	if code, message := s.check(r.PostForm); code != 0 {
		writeError(w, HTTPStatusOf(code), code, message)
		return
	}
	var reply Reply
	if script != nil {
		reply = script(req)
	}
	s.answer(w, r, reply)
}

// check applies Twilio's validation of the form fields, in its order.
func (s *Server) check(form url.Values) (code int, message string) {
	to, from, body := form.Get("To"), form.Get("From"), form.Get("Body")
	switch {
	case to == "":
		return 21604, "A 'To' phone number is required."
	case from == "" && form.Get("MessagingServiceSid") == "":
		return 21603, "A 'From' phone number is required."
	case body == "" && !form.Has("MediaUrl"):
		return 21602, "Message body is required."
	case !e164.MatchString(to):
		return 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to)
	case !s.numbers[from]:
		return 21606, fmt.Sprintf("The From phone number %s is not a valid, SMS-capable inbound phone number or short code for your account.", from)
	case len([]rune(body)) > 1600:
		return 21617, "The concatenated message body exceeds the 1600 character limit."
	}
	if cb := form.Get("StatusCallback"); cb != "" {
		if u, err := url.Parse(cb); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return 21609, "The StatusCallback URL " + cb + " is not a valid URL."
		}
	}
	s.mu.Lock()
	blocked := s.optedOut[[2]string{from, to}]
	s.mu.Unlock()
	if blocked {
		return 21610, "Attempt to send to unsubscribed recipient"
	}
	return 0, ""
}

// answer writes the scripted answer, or creates the message.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, reply Reply) {
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
	switch {
	case reply.Code != 0:
		status := reply.HTTPStatus
		if status == 0 {
			status = HTTPStatusOf(reply.Code)
		}
		message := reply.Message
		if message == "" {
			message = "Scripted error"
		}
		writeError(w, status, reply.Code, message)
		return
	case reply.HTTPStatus != 0:
		w.WriteHeader(reply.HTTPStatus)
		_, _ = io.WriteString(w, reply.Body)
		return
	}

	form := r.PostForm
	msg := Message{SID: newMessageSID(), To: form.Get("To"), From: form.Get("From"),
		Body: form.Get("Body"), StatusCallback: form.Get("StatusCallback"), Segments: Segments(form.Get("Body"))}
	s.mu.Lock()
	s.messages = append(s.messages, msg)
	s.mu.Unlock()

	now := time.Now().UTC().Format(time.RFC1123Z)
	path := "/2010-04-01/Accounts/" + s.accountSID + "/Messages/" + msg.SID
	writeJSON(w, http.StatusCreated, map[string]any{
		"sid": msg.SID, "account_sid": s.accountSID, "messaging_service_sid": nil,
		"from": msg.From, "to": msg.To, "body": msg.Body, "status": "queued",
		"direction": "outbound-api", "num_segments": strconv.Itoa(msg.Segments), "num_media": "0",
		"price": nil, "price_unit": "USD", "error_code": nil, "error_message": nil,
		"date_created": now, "date_updated": now, "date_sent": nil, "api_version": "2010-04-01",
		"uri": path + ".json",
		"subresource_uris": map[string]string{
			"media": path + "/Media.json", "feedback": path + "/Feedback.json",
		},
	})
}

// gsmBasic and gsmExtension are the GSM 03.38 tables; an extension
// character costs two septets.
const (
	gsmBasic = "@£$¥èéùìòÇç\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "\f^{}\\[~]|€"
)

// Segments returns the number of SMS segments Twilio reports for body: it
// picks GSM-7 when every character is in the GSM tables, else UCS-2.
func Segments(body string) int {
	septets, gsm := 0, true
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			septets++
		case strings.ContainsRune(gsmExtension, r):
			septets += 2
		default:
			gsm = false
		}
	}
	single, multi, length := 160, 153, septets
	if !gsm {
		single, multi, length = 70, 67, len(utf16.Encode([]rune(body)))
	}
	if length <= single {
		return 1
	}
	return (length + multi - 1) / multi
}
