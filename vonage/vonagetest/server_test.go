package vonagetest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"herald/vonage/vonagetest"
)

type answer struct {
	MessageCount string              `json:"message-count"`
	Messages     []map[string]string `json:"messages"`
}

func post(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d, want 200 as the real API answers", resp.StatusCode)
	}
	var ans answer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return ans
}

func formRequest(t *testing.T, fake *vonagetest.Server, form url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, fake.URL+"/sms/json", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func TestFakeChecksParametersLikeVonage(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	full := url.Values{"api_key": {vonagetest.APIKey}, "api_secret": {vonagetest.APISecret},
		"from": {"AcmeInc"}, "to": {"447700900000"}, "text": {"hello"}}
	tests := []struct {
		name   string
		change func(url.Values)
		status string
		text   string
	}{
		{"accepted", func(url.Values) {}, "0", ""},
		{"missing to", func(f url.Values) { f.Del("to") }, "2", "Missing to param"},
		{"missing key", func(f url.Values) { f.Del("api_key") }, "2", "Missing api_key"},
		{"wrong secret", func(f url.Values) { f.Set("api_secret", "nope") }, "4", "Bad Credentials"},
		{"to with plus", func(f url.Values) { f.Set("to", "+447700900000") }, "3", "Invalid to param"},
		{"bad callback", func(f url.Values) { f.Set("callback", "not a url") }, "23", "Invalid callback url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form := url.Values{}
			for k, v := range full {
				form[k] = v
			}
			tt.change(form)
			ans := post(t, formRequest(t, fake, form))
			if len(ans.Messages) != 1 || ans.Messages[0]["status"] != tt.status || ans.Messages[0]["error-text"] != tt.text {
				t.Errorf("answer = %+v, want status %s %q", ans, tt.status, tt.text)
			}
		})
	}
}

func TestFakeAcceptsBasicAuthAndJSON(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	req := formRequest(t, fake, url.Values{"from": {"AcmeInc"}, "to": {"447700900000"}, "text": {"hi"}})
	req.SetBasicAuth(vonagetest.APIKey, vonagetest.APISecret)
	if ans := post(t, req); ans.Messages[0]["status"] != "0" {
		t.Errorf("basic auth answer = %+v", ans)
	}

	body := `{"api_key":"` + vonagetest.APIKey + `","api_secret":"` + vonagetest.APISecret +
		`","from":"AcmeInc","to":"447700900000","text":"hi","client-ref":"r1"}`
	req, _ = http.NewRequest(http.MethodPost, fake.URL+"/sms/json", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	ans := post(t, req)
	if ans.Messages[0]["status"] != "0" || ans.Messages[0]["client-ref"] != "r1" {
		t.Errorf("JSON answer = %+v", ans)
	}
	if !fake.Requests()[0].BasicAuth || fake.Requests()[1].BasicAuth {
		t.Error("requests do not record where the credentials came from")
	}
}

func TestFakeThrottlesBeyondItsThroughput(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t, vonagetest.WithThroughput(3))
	var statuses []string
	for range 5 {
		ans := post(t, formRequest(t, fake, url.Values{"api_key": {vonagetest.APIKey},
			"api_secret": {vonagetest.APISecret}, "from": {"A"}, "to": {"447700900000"}, "text": {"x"}}))
		statuses = append(statuses, ans.Messages[0]["status"])
	}
	// Five requests in well under a second: the last two are over 3/s.
	if got := strings.Join(statuses, ","); got != "0,0,0,1,1" {
		t.Errorf("statuses = %s, want 0,0,0,1,1", got)
	}
}

func TestParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text    string
		unicode bool
		want    int
	}{
		{strings.Repeat("a", 160), false, 1},
		{strings.Repeat("a", 161), false, 2},
		{strings.Repeat("€", 80), false, 1},
		{strings.Repeat("€", 81), false, 2},
		{strings.Repeat("ë", 70), true, 1},
		{strings.Repeat("ë", 71), true, 2},
		{strings.Repeat("ë", 135), true, 3},
	}
	for _, tt := range tests {
		if got := vonagetest.Parts(tt.text, tt.unicode); got != tt.want {
			t.Errorf("Parts(%d runes, unicode=%v) = %d, want %d", len([]rune(tt.text)), tt.unicode, got, tt.want)
		}
	}
}
