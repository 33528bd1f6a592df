package schedule

import (
	"strings"
	"unicode"

	"herald"
)

// keywords maps each keyword of an inbound text (docs/RULES.md, "Inbound
// texts"), written without spaces,
// to what it asks for. The opt-out words are the carriers' and Twilio's;
// "OPT OUT", which the FCC names, reads as OPTOUT once spaces are gone.
var keywords = map[string]herald.InboundKind{
	"STOP": herald.InboundStop, "STOPALL": herald.InboundStop, "UNSUBSCRIBE": herald.InboundStop,
	"CANCEL": herald.InboundStop, "END": herald.InboundStop, "QUIT": herald.InboundStop,
	"REVOKE": herald.InboundStop, "OPTOUT": herald.InboundStop,
	"START": herald.InboundStart, "UNSTOP": herald.InboundStart, "YES": herald.InboundStart,
	"HELP": herald.InboundHelp, "INFO": herald.InboundHelp,
	"CONFIRM": herald.InboundConfirm,
}

// longestKeyword bounds the text worth normalising: anything much longer
// is a sentence, never a keyword.
const longestKeyword = 64

// Classify reads what an inbound text asks for. The whole text must be the
// keyword, as carriers require ("STOP PLEASE" is not an opt-out); case,
// spaces anywhere in it, and a closing full stop or exclamation mark that
// phones add by themselves do not matter. Anything else is InboundOther.
func Classify(text string) herald.InboundKind {
	if len(text) > longestKeyword {
		return herald.InboundOther
	}
	word := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return unicode.ToUpper(r)
	}, text)
	word = strings.TrimRight(word, ".!")
	if kind, ok := keywords[word]; ok {
		return kind
	}
	return herald.InboundOther
}
