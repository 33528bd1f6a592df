package webhook_test

import (
	"strings"
	"testing"

	"herald"
	"herald/webhook"
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
		if got := webhook.Classify(text); got != want {
			t.Errorf("Classify(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestReplyTextFallsBackToTheDefaults(t *testing.T) {
	t.Parallel()
	def := herald.DefaultSettings().Replies
	own := herald.ReplyTexts{Help: "Acme help"}
	tests := []struct {
		out  herald.InboundOutcome
		want string
	}{
		{herald.InboundOutcome{Kind: herald.InboundHelp, Replies: own}, "Acme help"},
		{herald.InboundOutcome{Kind: herald.InboundStop, Replies: own}, def.Stop},
		{herald.InboundOutcome{Kind: herald.InboundStart}, ""},
		{herald.InboundOutcome{Kind: herald.InboundStart, Known: true}, def.Start},
		{herald.InboundOutcome{Kind: herald.InboundConfirm, Known: true}, ""},
		{herald.InboundOutcome{Kind: herald.InboundConfirm, MeetingID: "mtg_1"}, def.Confirm},
		{herald.InboundOutcome{Kind: herald.InboundOther, Known: true}, ""},
	}
	for _, tt := range tests {
		if got := webhook.ReplyText(tt.out); got != tt.want {
			t.Errorf("reply to %s (known %v): %q, want %q", tt.out.Kind, tt.out.Known, got, tt.want)
		}
	}
}
