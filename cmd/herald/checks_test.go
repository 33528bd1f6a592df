package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"herald/smtpmail/smtptest"
	"herald/vonage/vonagetest"
)

func TestSMSTestSendsThroughVonage(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	vc := fake.Config()
	env := map[string]string{"VONAGE_API_KEY": vc.APIKey, "VONAGE_API_SECRET": vc.APISecret,
		"VONAGE_FROM_NUMBER": vc.From, "VONAGE_BASE_URL": vc.BaseURL}
	var out bytes.Buffer
	err := run(context.Background(), []string{"sms-test", "--to", "(415) 555-2671"}, mapEnv(env), &out, &out)
	if err != nil {
		t.Fatalf("sms-test: %v\n%s", err, out.String())
	}
	var answer checkAnswer
	if err := json.Unmarshal(out.Bytes(), &answer); err != nil {
		t.Fatalf("sms-test printed %q: %v", out.String(), err)
	}
	accepted := fake.Accepted()
	if !answer.OK || answer.Provider != "vonage" || len(accepted) != 1 || answer.MessageID != accepted[0].MessageID ||
		accepted[0].To != "14155552671" {
		t.Fatalf("answer %+v, provider received %+v", answer, accepted)
	}
}

func TestSMSTestReportsARefusal(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	vc := fake.Config()
	env := map[string]string{"VONAGE_API_KEY": vc.APIKey, "VONAGE_API_SECRET": "wrong",
		"VONAGE_FROM_NUMBER": vc.From, "VONAGE_BASE_URL": vc.BaseURL}
	var out bytes.Buffer
	err := run(context.Background(), []string{"sms-test", "--to", "+14155552671"}, mapEnv(env), &out, &out)
	if err == nil || !strings.Contains(out.String(), `"ok": false`) || !strings.Contains(out.String(), "permanent") {
		t.Fatalf("sms-test with a wrong secret: %v\n%s", err, out.String())
	}
}

func TestChecksNeedAProvider(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), []string{"sms-test", "--to", "+14155552671"}, mapEnv(nil), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "VONAGE_API_KEY") {
		t.Fatalf("sms-test without providers: %v", err)
	}
	err = run(context.Background(), []string{"email-test", "--to", "a@example.com"}, mapEnv(nil), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "SMTP_HOST") {
		t.Fatalf("email-test without SMTP: %v", err)
	}
}

func TestEmailTestSendsOverSMTP(t *testing.T) {
	t.Parallel()
	fake := smtptest.NewServer(t)
	env := map[string]string{"SMTP_HOST": fake.Host, "SMTP_PORT": strconv.Itoa(fake.Port), "SMTP_TLS": "none",
		"SMTP_FROM": "reminders@example.com"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"email-test", "--to", "john@example.com"}, mapEnv(env), &out, &out); err != nil {
		t.Fatalf("email-test: %v\n%s", err, out.String())
	}
	msgs := fake.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Herald test message") {
		t.Fatalf("SMTP server received %d messages", len(msgs))
	}
}

func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}
