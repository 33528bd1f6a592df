package schedule_test

import (
	"strings"
	"testing"
	"time"

	"herald"
	"herald/schedule"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := map[string]herald.InboundKind{
		"STOP": herald.InboundStop, " stop ": herald.InboundStop, "Stop.": herald.InboundStop,
		"StopAll": herald.InboundStop, "unsubscribe": herald.InboundStop, "CANCEL": herald.InboundStop,
		"end": herald.InboundStop, "Quit!": herald.InboundStop, "revoke": herald.InboundStop,
		"OPTOUT": herald.InboundStop, "opt out": herald.InboundStop, "\tSTOP\n": herald.InboundStop,
		"S T O P": herald.InboundStop, "\u00a0stop\u00a0": herald.InboundStop,
		"START": herald.InboundStart, "unstop": herald.InboundStart, "Yes": herald.InboundStart,
		"help": herald.InboundHelp, "INFO": herald.InboundHelp,
		"confirm": herald.InboundConfirm, " Confirm ": herald.InboundConfirm,
		"STOP PLEASE": herald.InboundOther, "please stop": herald.InboundOther, "stopp": herald.InboundOther,
		"confirmed": herald.InboundOther, "": herald.InboundOther, "?": herald.InboundOther,
		"Can we move it to Friday?":       herald.InboundOther,
		"STOP" + strings.Repeat(" ", 100): herald.InboundOther,
	}
	for text, want := range tests {
		if got := schedule.Classify(text); got != want {
			t.Errorf("Classify(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestReplyTextFallsBackToTheDefaults(t *testing.T) {
	t.Parallel()
	def := herald.DefaultSettings().Replies
	own := herald.ReplyTexts{Help: "Acme help"}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ahead := &herald.InboundMeeting{ID: "mtg_1", LeadID: "lead_1", Status: herald.MeetingScheduled, StartsAt: now.Add(time.Hour)}
	tenant := func(t herald.InboundTenant) []herald.InboundTenant {
		t.TenantID = "ten_1"
		return []herald.InboundTenant{t}
	}
	tests := []struct {
		text    string
		tenants []herald.InboundTenant
		want    string
	}{
		{"HELP", tenant(herald.InboundTenant{Replies: own, Leads: 1}), "Acme help"},
		{"STOP", tenant(herald.InboundTenant{Replies: own, Leads: 1}), def.Stop},
		{"START", nil, ""},
		{"START", tenant(herald.InboundTenant{Leads: 1}), def.Start},
		{"CONFIRM", tenant(herald.InboundTenant{Leads: 1}), ""},
		{"CONFIRM", tenant(herald.InboundTenant{Leads: 1, Next: ahead}), def.Confirm},
		{"hello", tenant(herald.InboundTenant{Leads: 1, Next: ahead}), ""},
	}
	decide := schedule.InboundDecider()
	for _, tt := range tests {
		st := &herald.InboundState{Message: herald.InboundSMS{From: "+14155552671", To: "+15005550006", Text: tt.text,
			ReceivedAt: now}, Tenants: tt.tenants}
		if got := decide(st).Reply; got != tt.want {
			t.Errorf("reply to %s (tenants %+v): %q, want %q", tt.text, tt.tenants, got, tt.want)
		}
	}
}
