package schedule

import (
	"testing"

	"herald"
)

func FuzzClassify(f *testing.F) {
	for _, seed := range []string{"STOP", " opt out ", "Confirm.", "stopp", "ＳＴＯＰ", "\u200bHELP", "yes!!", ""} {
		f.Add(seed)
	}
	kinds := map[herald.InboundKind]bool{herald.InboundStop: true, herald.InboundStart: true, herald.InboundHelp: true,
		herald.InboundConfirm: true, herald.InboundOther: true}
	f.Fuzz(func(t *testing.T, text string) {
		kind := Classify(text)
		if !kinds[kind] {
			t.Fatalf("Classify(%q) = %q", text, kind)
		}
		if len(text) < longestKeyword-2 && Classify(" "+text+"\n") != kind {
			t.Fatalf("surrounding space changed the reading of %q", text)
		}
	})
}
