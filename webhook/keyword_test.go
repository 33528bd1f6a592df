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
