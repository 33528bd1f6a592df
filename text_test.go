package herald_test

import (
	"testing"
	"time"
	"unicode/utf8"

	"herald"
)

func TestMaskEmailKeepsTheFirstCharacterWhole(t *testing.T) {
	t.Parallel()
	for email, want := range map[string]string{
		"john@example.com":  "j***@example.com",
		"élodie@example.fr": "é***@example.fr",
		"李@example.cn":      "李***@example.cn",
		"no-at-sign":        "**********",
	} {
		got := herald.MaskEmail(email)
		if got != want || !utf8.ValidString(got) {
			t.Errorf("MaskEmail(%q) = %q, want %q", email, got, want)
		}
	}
}

func TestCheckLineRefusesControlsAndInvalidUTF8(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"a\x00b", "a\nb", "a\rb", "a\tb", "a\x7fb", "a\u0085b", "a\u2028b", "\xff", "\xc3\x28"} {
		if herald.ErrorCode(herald.CheckLine("f", s)) != herald.ECodeInvalid {
			t.Errorf("CheckLine(%q) accepted it", s)
		}
	}
	for _, s := range []string{"", "Élodie O'Brien", "李小龙", "Zoë 👋"} {
		if err := herald.CheckLine("f", s); err != nil {
			t.Errorf("CheckLine(%q) = %v", s, err)
		}
	}
	if err := herald.CheckMultiline("f", "line one\r\nline\ttwo"); err != nil {
		t.Errorf("CheckMultiline refused line breaks: %v", err)
	}
	if herald.CheckMultiline("f", "a\x00b") == nil {
		t.Error("CheckMultiline accepted NUL")
	}
}

func TestBookMeetingInputValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	valid := func() herald.BookMeetingInput {
		return herald.BookMeetingInput{LeadID: " lead_1 ", Title: " Demo ", StartsAt: now.Add(time.Hour)}
	}
	in := valid()
	if err := in.Validate(now); err != nil {
		t.Fatal(err)
	}
	if in.LeadID != "lead_1" || in.Title != "Demo" || in.Source != herald.DefaultSource {
		t.Errorf("normalised input = %+v", in)
	}
	for name, tc := range map[string]struct {
		change      func(*herald.BookMeetingInput)
		code, field string
	}{
		"no lead":          {func(in *herald.BookMeetingInput) { in.LeadID = "" }, herald.ECodeInvalid, "lead_id"},
		"title with NUL":   {func(in *herald.BookMeetingInput) { in.Title = "a\x00" }, herald.ECodeInvalid, "title"},
		"start now":        {func(in *herald.BookMeetingInput) { in.StartsAt = now }, herald.ECodeInvalidTime, "starts_at"},
		"no start":         {func(in *herald.BookMeetingInput) { in.StartsAt = time.Time{} }, herald.ECodeInvalidTime, "starts_at"},
		"year 10000":       {func(in *herald.BookMeetingInput) { in.StartsAt = herald.MaxTime.Add(time.Second) }, herald.ECodeInvalidTime, "starts_at"},
		"unknown zone":     {func(in *herald.BookMeetingInput) { in.Timezone = "Mars/Base" }, herald.ECodeInvalidTimezone, "timezone"},
		"join link ftp":    {func(in *herald.BookMeetingInput) { in.JoinLink = "ftp://x.example" }, herald.ECodeInvalid, "join_link"},
		"source too long":  {func(in *herald.BookMeetingInput) { in.Source = string(make([]byte, 65)) }, herald.ECodeInvalid, "source"},
		"source with CRLF": {func(in *herald.BookMeetingInput) { in.Source = "crm\r\n" + "x" }, herald.ECodeInvalid, "source"},
	} {
		in := valid()
		tc.change(&in)
		err := in.Validate(now)
		var he *herald.Error
		if herald.ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v, want code %s", name, err, tc.code)
		} else if he, _ = err.(*herald.Error); he.Field != tc.field {
			t.Errorf("%s: field %q, want %q", name, he.Field, tc.field)
		}
	}
}
