package twiliotest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"herald/twilio/twiliotest"
)

func TestFakeValidatesLikeTwilio(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(t)
	full := url.Values{"To": {"+14155550100"}, "From": {twiliotest.From}, "Body": {"hi"}}
	tests := []struct {
		name    string
		account string
		change  func(url.Values)
		status  int
		code    int
	}{
		{"created", twiliotest.AccountSID, func(url.Values) {}, 201, 0},
		{"no To", twiliotest.AccountSID, func(f url.Values) { f.Del("To") }, 400, 21604},
		{"no From", twiliotest.AccountSID, func(f url.Values) { f.Del("From") }, 400, 21603},
		{"no Body", twiliotest.AccountSID, func(f url.Values) { f.Del("Body") }, 400, 21602},
		{"To without plus", twiliotest.AccountSID, func(f url.Values) { f.Set("To", "14155550100") }, 400, 21211},
		{"bad callback", twiliotest.AccountSID, func(f url.Values) { f.Set("StatusCallback", "/relative") }, 400, 21609},
		{"another account", "AC00000000000000000000000000000000", func(url.Values) {}, 404, 20404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form := url.Values{}
			for k, v := range full {
				form[k] = v
			}
			tt.change(form)
			req, _ := http.NewRequest(http.MethodPost,
				fake.URL+"/2010-04-01/Accounts/"+tt.account+"/Messages.json", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(twiliotest.AccountSID, twiliotest.AuthToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Code   int    `json:"code"`
				Status any    `json:"status"`
				SID    string `json:"sid"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || body.Code != tt.code {
				t.Errorf("HTTP %d code %d, want %d code %d", resp.StatusCode, body.Code, tt.status, tt.code)
			}
			if tt.code == 0 && !strings.HasPrefix(body.SID, "SM") {
				t.Errorf("created sid = %q", body.SID)
			}
		})
	}
}

func TestSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want int
	}{
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{"Hi Alice, “Intro to Go” starts in 10 min!", 1},
		{strings.Repeat("“", 71), 2},
		{strings.Repeat("€", 81), 2},
	}
	for _, tt := range tests {
		if got := twiliotest.Segments(tt.body); got != tt.want {
			t.Errorf("Segments(%q…) = %d, want %d", []rune(tt.body)[:3], got, tt.want)
		}
	}
}
