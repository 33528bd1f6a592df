package render_test

import (
	"strings"
	"testing"

	"herald/render"
)

func TestEncode(t *testing.T) {
	t.Parallel()
	const gsm, ucs2 = render.SchemeGSM7, render.SchemeUCS2
	tests := []struct {
		name     string
		text     string
		scheme   string
		units    int
		segments int
	}{
		// Rendered reminder texts with their GSM-7 or UCS-2 lengths.
		{"ascii", `Hi Alice, "Intro to Go" starts in 10 min!`, gsm, 41, 1},
		{"gsm accents", `Hi José, "Año nuevo" starts in 10 min!`, gsm, 38, 1},
		{"extension characters", `Hi Ana, "Go ~ Rust" costs €5`, gsm, 30, 1},
		{"curly quotes", `Hi Alice, “Intro to Go” starts in 10 min!`, ucs2, 41, 1},
		{"accent outside the table", `Hi Zoë, "Café Night" starts in 10 min!`, ucs2, 38, 1},
		{"polish", `Hi Łukasz, "Go" starts in 10 min!`, ucs2, 33, 1},

		{"empty", "", gsm, 0, 0},
		{"every extension character", "\f^{}\\[~]|€", gsm, 20, 1},
		{"both capital and small c cedilla", "Çç", gsm, 2, 1},
		{"greek capitals", "ΔΦΓΛΩΠΨΣΘΞ", gsm, 10, 1},
		{"backtick is not GSM", "`", ucs2, 1, 1},
		{"tab is not GSM", "a\tb", ucs2, 3, 1},
		{"emoji counts two units", "Hi 👋", ucs2, 5, 1},
		{"chinese", "你好", ucs2, 2, 1},

		{"gsm single limit", strings.Repeat("a", 160), gsm, 160, 1},
		{"gsm two parts", strings.Repeat("a", 161), gsm, 161, 2},
		{"gsm two full parts", strings.Repeat("a", 306), gsm, 306, 2},
		{"gsm three parts", strings.Repeat("a", 307), gsm, 307, 3},
		{"gsm extension at the limit", strings.Repeat("a", 158) + "€", gsm, 160, 1},
		{"gsm extension past the limit", strings.Repeat("a", 159) + "€", gsm, 161, 2},
		// 152 septets then an escape pair: the pair may not straddle the
		// part boundary, so it moves to part two, and 306 septets need three.
		{"escape pair not split", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), gsm, 306, 3},
		{"ucs2 single limit", strings.Repeat("é", 69) + "ë", ucs2, 70, 1},
		{"ucs2 two parts", strings.Repeat("ë", 71), ucs2, 71, 2},
		{"ucs2 two full parts", strings.Repeat("ë", 134), ucs2, 134, 2},
		{"ucs2 three parts", strings.Repeat("ë", 135), ucs2, 135, 3},
		{"surrogate pair not split", strings.Repeat("ë", 66) + "👋" + strings.Repeat("ë", 66), ucs2, 134, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := render.Encode(tt.text)
			want := render.Encoding{Scheme: tt.scheme, Units: tt.units, Segments: tt.segments}
			if got != want {
				t.Errorf("Encode = %+v, want %+v", got, want)
			}
			if got.Unicode() != (tt.scheme == ucs2) {
				t.Errorf("Unicode() = %v", got.Unicode())
			}
		})
	}
}

// TestLookalikesStayGSM checks the decision documented on Template.Render:
// typographic characters in user fields are replaced only when they alone
// would force UCS-2.
func TestLookalikesStayGSM(t *testing.T) {
	t.Parallel()
	tpl, err := render.Compile(sms(`Hi {name}, "{title}" starts in 10 min!`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, lead, title, want, scheme string
	}{
		{"curly quotes and apostrophe", "O’Brien", "“Intro” to Go", `Hi O'Brien, ""Intro" to Go" starts in 10 min!`, render.SchemeGSM7},
		{"dashes and ellipsis", "Ann", "Q3 – Q4 — plan…", `Hi Ann, "Q3 - Q4 - plan..." starts in 10 min!`, render.SchemeGSM7},
		{"no-break spaces", "Ann\u00a0Lee", "Go\u202fDay", `Hi Ann Lee, "Go Day" starts in 10 min!`, render.SchemeGSM7},
		{"tabs and stray spaces", " Ann\t", "Go\tDay ", `Hi Ann, "Go Day" starts in 10 min!`, render.SchemeGSM7},
		{"invisible characters", "An\u00adna", "Go\u200b", `Hi Anna, "Go" starts in 10 min!`, render.SchemeGSM7},
		{"gsm text untouched", "José", "Año", `Hi José, "Año" starts in 10 min!`, render.SchemeGSM7},
		// The name needs UCS-2 whatever happens, so the title keeps its
		// typography.
		{"chinese name keeps quotes", "李雷", "“Intro” – Go", `Hi 李雷, "“Intro” – Go" starts in 10 min!`, render.SchemeUCS2},
		{"emoji keeps dash", "Ann", "Go – 🎉", `Hi Ann, "Go – 🎉" starts in 10 min!`, render.SchemeUCS2},
		{"accent outside the table", "Zoë", "Café’s night", `Hi Zoë, "Café’s night" starts in 10 min!`, render.SchemeUCS2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tpl.Render(render.Values{Name: tt.lead, Title: tt.title})
			if got.Text != tt.want || got.Encoding.Scheme != tt.scheme {
				t.Errorf("Render = %q (%s), want %q (%s)", got.Text, got.Encoding.Scheme, tt.want, tt.scheme)
			}
			if got.Encoding != render.Encode(got.Text) {
				t.Errorf("Encoding %+v does not describe the text", got.Encoding)
			}
		})
	}

	// The template's own text is the tenant's choice and is never rewritten.
	own, err := render.Compile(sms(`Hi {name} – see you`))
	if err != nil {
		t.Fatal(err)
	}
	if got := own.Render(render.Values{Name: "Ann"}); got.Text != "Hi Ann – see you" || !got.Encoding.Unicode() {
		t.Errorf("tenant's dash was rewritten: %q %+v", got.Text, got.Encoding)
	}
}

// TestLongTitleSegments: the sender learns the segment count before sending.
func TestLongTitleSegments(t *testing.T) {
	t.Parallel()
	tpl, _ := render.Compile(sms(`Hi {name}, "{title}" starts in 10 min!`))
	got := tpl.Render(render.Values{Name: "Ann", Title: strings.Repeat("x", 140)})
	if got.Encoding != (render.Encoding{Scheme: render.SchemeGSM7, Units: 168, Segments: 2}) {
		t.Errorf("Encoding = %+v", got.Encoding)
	}
}
