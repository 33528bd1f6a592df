package herald_test

import (
	"strings"
	"testing"
	"time"

	"herald"
)

func TestIDsSortByTimeAndDoNotRepeat(t *testing.T) {
	seen := map[string]bool{}
	prev := herald.NewID("mtg_")
	for range 2000 {
		id := herald.NewID("mtg_")
		if len(id) != len("mtg_")+26 || !strings.HasPrefix(id, "mtg_") {
			t.Fatalf("NewID = %q, want mtg_ and 26 characters", id)
		}
		if seen[id] {
			t.Fatalf("NewID repeated %q", id)
		}
		seen[id] = true
		// Identifiers of different milliseconds sort by time; the first
		// 9 characters hold 45 of the time's 48 bits.
		if id[:4+9] < prev[:4+9] {
			t.Fatalf("%q sorts before the earlier %q", id, prev)
		}
		prev = id
	}
	earlier := herald.NewID("x_")
	time.Sleep(2 * time.Millisecond)
	if later := herald.NewID("x_"); later <= earlier {
		t.Errorf("an identifier made 2 ms later (%q) does not sort after %q", later, earlier)
	}
}

func TestIDsKeepEightyRandomBits(t *testing.T) {
	// Two identifiers made in the same millisecond share their time part
	// only: the last 16 characters (80 bits) differ.
	a, b := herald.NewID(""), herald.NewID("")
	if a[16:] == b[16:] {
		t.Errorf("random parts repeat: %q and %q", a, b)
	}
}
