package providers_test

import (
	"context"
	"strconv"
	"testing"

	"herald"
	"herald/providers"
	"herald/smsroute"
	"herald/smtpmail/smtptest"
	"herald/twilio/twiliotest"
	"herald/vonage/vonagetest"
)

func TestBuildSendsThroughEveryConfiguredProvider(t *testing.T) {
	t.Parallel()
	fakeVonage := vonagetest.NewServer(t)
	fakeTwilio := twiliotest.NewServer(t)
	mailServer := smtptest.NewServer(t)
	cfg, err := providers.FromEnv(lookup(map[string]string{
		"HERALD_PUBLIC_URL":  "https://herald.example.com",
		"VONAGE_API_KEY":     vonagetest.APIKey,
		"VONAGE_API_SECRET":  vonagetest.APISecret,
		"VONAGE_FROM_NUMBER": "+14155550000",
		"VONAGE_BASE_URL":    fakeVonage.URL,
		"TWILIO_ACCOUNT_SID": twiliotest.AccountSID,
		"TWILIO_AUTH_TOKEN":  twiliotest.AuthToken,
		"TWILIO_FROM_NUMBER": twiliotest.From,
		"TWILIO_BASE_URL":    fakeTwilio.URL,
		"SMTP_HOST":          mailServer.Host,
		"SMTP_PORT":          strconv.Itoa(mailServer.Port),
		"SMTP_FROM":          "noreply@herald.test",
		"SMTP_TLS":           "none",
	}))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	senders, err := providers.Build(cfg, smsroute.Config{})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	ctx := context.Background()

	sms := &herald.Message{Channel: herald.ChannelSMS, To: "+14155550100", Text: "hi", Reference: "att_1"}
	result, err := senders.SMS.Send(ctx, sms)
	if err != nil || result.Provider != "vonage" {
		t.Fatalf("SMS: %+v, %v", result, err)
	}
	form := fakeVonage.Requests()[0].Form
	if form.Get("from") != "14155550000" || form.Get("callback") != "https://herald.example.com/webhooks/vonage/dlr" {
		t.Errorf("Vonage got from=%q callback=%q", form.Get("from"), form.Get("callback"))
	}

	fakeVonage.Script(func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{Status: "5"} })
	result, err = senders.SMS.Send(ctx, sms)
	if err != nil || result.Provider != "twilio" {
		t.Fatalf("failover: %+v, %v", result, err)
	}
	if cb := fakeTwilio.Messages()[0].StatusCallback; cb != "https://herald.example.com/webhooks/twilio/status?ref=att_1" {
		t.Errorf("Twilio StatusCallback = %q", cb)
	}

	email := &herald.Message{Channel: herald.ChannelEmail, To: "john@example.org", Text: "hi", Reference: "att_2",
		Email: &herald.EmailContent{Subject: "Reminder"}}
	if _, err := senders.Email.Send(ctx, email); err != nil {
		t.Fatalf("email: %v", err)
	}
	if got := mailServer.Messages(); len(got) != 1 || got[0].To[0] != "john@example.org" {
		t.Errorf("mail server got %+v", got)
	}
	if senders.Replies["vonage"] == nil || senders.Replies["twilio"] == nil {
		t.Errorf("replies = %v, want a sender per provider", senders.Replies)
	}
	if senders.SMSRouter.CircuitState("vonage") != "closed" {
		t.Errorf("circuit = %s", senders.SMSRouter.CircuitState("vonage"))
	}
}

func TestBuildWithNothingConfiguredGivesNoSenders(t *testing.T) {
	t.Parallel()
	cfg, err := providers.FromEnv(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	senders, err := providers.Build(cfg, smsroute.Config{})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if senders.SMS != nil || senders.Email != nil || senders.SMSRouter != nil {
		t.Errorf("senders = %+v, want none so the outbox takes over", senders)
	}
}

func TestBuildFollowsSMSProviders(t *testing.T) {
	t.Parallel()
	fakeVonage := vonagetest.NewServer(t)
	fakeTwilio := twiliotest.NewServer(t)
	cfg, err := providers.FromEnv(lookup(merge(vonageVars(), map[string]string{
		"VONAGE_BASE_URL": fakeVonage.URL, "TWILIO_BASE_URL": fakeTwilio.URL,
		"TWILIO_ACCOUNT_SID": twiliotest.AccountSID, "TWILIO_AUTH_TOKEN": twiliotest.AuthToken,
		"TWILIO_FROM_NUMBER": twiliotest.From, "SMS_PROVIDERS": "twilio,vonage",
	})))
	if err != nil {
		t.Fatal(err)
	}
	senders, err := providers.Build(cfg, smsroute.Config{})
	if err != nil {
		t.Fatal(err)
	}
	result, err := senders.SMS.Send(context.Background(),
		&herald.Message{Channel: herald.ChannelSMS, To: "+14155550100", Text: "hi"})
	if err != nil || result.Provider != "twilio" || len(fakeVonage.Requests()) != 0 {
		t.Errorf("result %+v, err %v, vonage requests %d; want Twilio first", result, err, len(fakeVonage.Requests()))
	}
	if senders.SMS == nil || senders.Email != nil {
		t.Errorf("senders = %+v", senders)
	}
}
