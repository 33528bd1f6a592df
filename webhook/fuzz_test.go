package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"herald/twilio"
	"herald/vonage"

	"herald"
)

// fuzzRequest builds a request without httptest.NewRequest, which panics
// on a target it cannot parse: the fuzzer's query is put in as is.
func fuzzRequest(method, path, rawQuery, contentType, body string) *http.Request {
	r := &http.Request{Method: method, URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: http.Header{},
		Body: io.NopCloser(strings.NewReader(body)), Host: "herald.example.com"}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// refusedCodes are the problems a request may get before anything is
// stored.
var refusedCodes = map[string]bool{herald.ECodeMalformedWebhook: true, herald.ECodeMediaType: true, herald.ECodeTooLarge: true,
	herald.ECodeInvalid: true}

func FuzzVonageParams(f *testing.F) {
	f.Add(true, "application/json", `{"messageId":"0B0","status":"delivered","client-ref":"att_1","err-code":9}`, "")
	f.Add(true, "application/x-www-form-urlencoded", "msisdn=447700900000&to=14155550000&messageId=1&text=STOP", "")
	f.Add(false, "", "", "msisdn=1&to=2&messageId=3&concat=true&concat-ref=9&concat-total=2&concat-part=2&text=FIRM")
	f.Add(true, "application/json", `{"a":{"b":[1]},"c":null}`, "")
	f.Add(true, "text/plain; charset=\"", "a=%zz&a=1", "")
	f.Fuzz(func(t *testing.T, post bool, contentType, body, query string) {
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		p, err := readVonageParams(httptest.NewRecorder(), fuzzRequest(method, VonageInboundPath, query, contentType, body), 4096)
		if err != nil {
			if !refusedCodes[herald.ErrorCode(err)] {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		for name, value := range p {
			if !utf8.ValidString(name) || !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
				t.Fatalf("parameter %q=%q passed the checks", name, value)
			}
		}
		if rc, err := vonage.ReceiptOf(p); err == nil {
			if rc.MessageID == "" || rc.Status == "" || rc.Provider != vonage.Name {
				t.Fatalf("receipt without its fields: %+v", rc)
			}
		} else if herald.ErrorCode(err) != herald.ECodeInvalid {
			t.Fatalf("receipt error %v", err)
		}
		if msg, err := vonage.InboundOf(p); err == nil {
			if msg.From == "" || msg.To == "" || msg.MessageID == "" {
				t.Fatalf("inbound SMS without its fields: %+v", msg)
			}
			if part := msg.Part; part != nil && (part.Ref == "" || part.Total < 2 || part.Total > vonage.MaxParts ||
				part.Number < 1 || part.Number > part.Total) {
				t.Fatalf("impossible part %+v", part)
			}
		} else if herald.ErrorCode(err) != herald.ECodeInvalid {
			t.Fatalf("inbound error %v", err)
		}
	})
}

func FuzzTwilioForm(f *testing.F) {
	f.Add(true, "MessageSid=SM1&MessageStatus=delivered&To=%2B14155552671&From=%2B15005550006&ErrorCode=21610", "ref=att_1")
	f.Add(false, "", "From=%2B1&To=%2B2&Body=STOP&MessageSid=SM2")
	f.Add(true, "Body=%ZZ", "")
	f.Fuzz(func(t *testing.T, post bool, body, query string) {
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		p, signed, err := readTwilioForm(httptest.NewRecorder(), fuzzRequest(method, TwilioStatusPath, query, "", body), 4096)
		if err != nil {
			if !refusedCodes[herald.ErrorCode(err)] {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if post == (signed == nil) || len(p) > maxParams {
			t.Fatalf("form %v signed %v", p, signed)
		}
		if rc, err := twilio.ReceiptOf(p, query); err == nil && (rc.MessageID == "" || rc.Status == "") {
			t.Fatalf("receipt without its fields: %+v", rc)
		}
	})
}

// untouchable is a store that no refused request may reach.
type untouchable struct{ calls atomic.Int64 }

func (u *untouchable) ApplyReceipt(context.Context, herald.Receipt, herald.ReceiptDecider) (herald.ReceiptOutcome, error) {
	u.calls.Add(1)
	return herald.ReceiptOutcome{Result: herald.ReceiptUnmatched}, nil
}

func (u *untouchable) ReceiveInbound(context.Context, herald.InboundSMS, herald.InboundDecider) (herald.InboundOutcome, error) {
	u.calls.Add(1)
	return herald.InboundOutcome{Result: herald.InboundApplied}, nil
}

func (u *untouchable) SetSMSOptOut(context.Context, herald.OptOut) ([]herald.LeadRef, error) {
	u.calls.Add(1)
	return nil, nil
}

func (u *untouchable) RecordReply(context.Context, herald.Reply) error {
	u.calls.Add(1)
	return nil
}

// FuzzGarbageChangesNothing sends whatever the fuzzer makes to every
// webhook of a fully configured Herald: without the secrets it cannot be
// signed, so it must be refused before the store is reached.
func FuzzGarbageChangesNothing(f *testing.F) {
	f.Add(uint8(0), true, "application/json", `{"messageId":"1","status":"delivered","sig":"00","timestamp":"1","nonce":"n"}`, "", "")
	f.Add(uint8(1), false, "", "", "msisdn=1&to=2&messageId=3&text=STOP&sig=ABC", "")
	f.Add(uint8(2), true, "application/x-www-form-urlencoded", "MessageSid=SM1&MessageStatus=delivered", "ref=att_1", "vOEb5UThFn24KEfnOFLQY2AE5FY=")
	f.Add(uint8(3), true, "", "From=%2B1&To=%2B2&Body=STOP", "", "")
	store := &untouchable{}
	h, err := New(Config{Store: store, Decide: func(*herald.DeliveryState, *herald.Attempt, herald.Receipt) bool { return false },
		Inbound:   func(*herald.InboundState) herald.InboundDecision { return herald.InboundDecision{} },
		PublicURL: "https://herald.example.com", VonageSecret: "mySignatureSecret", VonageMethod: vonage.MethodSHA256,
		TwilioAuthToken: "token", Clock: fixedClock{time.Unix(1700000000, 0)},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, handler := range h.Routes() {
		mux.Handle(pattern, handler)
	}
	paths := []string{VonageReceiptPath, VonageInboundPath, TwilioStatusPath, TwilioInboundPath}
	f.Fuzz(func(t *testing.T, which uint8, post bool, contentType, body, query, signature string) {
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		r := fuzzRequest(method, paths[int(which)%len(paths)], query, contentType, body)
		r.Header.Set("X-Twilio-Signature", signature)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code < 400 || store.calls.Load() != 0 {
			t.Fatalf("garbage answered %d after %d store calls: %s", w.Code, store.calls.Load(), w.Body)
		}
	})
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
