package render_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"herald"
	"herald/render"
)

// knownCodes are the codes Compile may report.
var knownCodes = map[string]bool{
	render.CodeEmptyTemplate: true, render.CodeTooLarge: true, render.CodeUnknownPlaceholder: true,
	render.CodeUnbalancedBrace: true, render.CodeUnbalancedBracket: true, render.CodeNestedOptional: true,
	render.CodeInvalidUTF8: true,
}

// FuzzTemplate compiles arbitrary source as each kind of part, renders it
// with arbitrary values, and checks that nothing panics, that faults carry a
// known code, and that output stays within the bound stated in the package
// documentation.
func FuzzTemplate(f *testing.F) {
	for _, key := range render.NewRegistry().List() {
		tpl, _ := render.NewRegistry().Get(key.Name, key.Channel)
		src := tpl.Source()
		f.Add(src.Text, "John", "Product Demo", "https://meet.example.com/x", int64(1796151600), int64(24*time.Hour), uint8(0), "en-US")
		if key.Channel == herald.ChannelEmail {
			f.Add(src.HTML, `<b>"Ann" & 'Bob'</b>`, "“Q&A” – …", "javascript:alert(1)", int64(1796151600), int64(time.Hour), uint8(3), "de-DE")
		}
	}
	for _, src := range []string{"", "{", "}", "[", "]", "{{}}[[]]", "[{name}[{title}]]", "{na\xffme}", "[ {join_link}]]", "a{{name}}b"} {
		f.Add(src, "李雷 🎉", "Go\u00a0Day", "", int64(-62135596800), int64(-1), uint8(1), "en_GB")
	}
	zones := []*time.Location{time.UTC, mustLoad(f, "America/New_York"), mustLoad(f, "Europe/Berlin"), time.FixedZone("", 5*3600+1800)}

	f.Fuzz(func(t *testing.T, src, name, title, link string, startUnix, before int64, kind uint8, locale string) {
		source := render.Source{Channel: herald.ChannelSMS, Text: src}
		switch kind % 4 {
		case 1: // the email text, with the HTML part made from it
			source = render.Source{Channel: herald.ChannelEmail, Subject: "s", Text: src}
		case 2:
			source = render.Source{Channel: herald.ChannelEmail, Subject: src, Text: "t"}
		case 3:
			source = render.Source{Channel: herald.ChannelEmail, Subject: "s", Text: "t", HTML: src}
		}
		tpl, err := render.Compile(source)
		if err != nil {
			var te *render.TemplateError
			if !errors.As(err, &te) || !knownCodes[te.Code] || te.Detail == "" || te.Offset >= len(src) {
				t.Fatalf("Compile(%q) = %#v", src, err)
			}
			return
		}
		start := time.Unix(startUnix, 0)
		v := render.Values{
			Name: name, Title: title, JoinLink: link, Tenant: name + title,
			Start: start, Now: start.Add(-time.Duration(before)),
			Zone: zones[int(kind/4)%len(zones)], Locale: locale,
		}
		got := tpl.Render(v)
		if again := tpl.Render(v); again != got {
			t.Fatalf("two renders differ: %q and %q", got.Text, again.Text)
		}

		longest := max(len(name), len(title), len(link), len(v.Tenant))
		perPlaceholder := max(5*longest, 64)
		placeholders := strings.Count(src, "{")
		bound := func(sourceLen, factor, wrapper int) int {
			return factor*sourceLen + wrapper + placeholders*perPlaceholder
		}
		switch kind % 4 {
		case 0:
			checkBound(t, "sms", got.Text, bound(len(src), 1, 0))
			if got.Encoding != render.Encode(got.Text) {
				t.Fatalf("Encoding %+v does not describe %q", got.Encoding, got.Text)
			}
		case 1:
			checkBound(t, "text", got.Text, bound(len(src), 1, 0))
			checkBound(t, "derived html", got.HTML, bound(len(src), 5, 64))
		case 2:
			checkBound(t, "subject", got.Subject, bound(len(src), 1, 0))
			if strings.ContainsAny(got.Subject, "\r\n") {
				t.Fatalf("subject has a line break: %q", got.Subject)
			}
		case 3:
			if strings.TrimSpace(src) == "" { // made from the text "t"
				checkBound(t, "derived html", got.HTML, bound(1, 5, 64))
			} else {
				checkBound(t, "html", got.HTML, bound(len(src), 1, 0))
			}
		}

		// Escaped, any text renders as itself.
		if utf8.ValidString(src) && strings.TrimSpace(src) != "" {
			escaped, err := render.Compile(render.Source{Channel: herald.ChannelSMS, Text: render.Escape(src)})
			switch {
			case render.ErrorCode(err) == render.CodeTooLarge:
			case err != nil:
				t.Fatalf("Compile(Escape(%q)): %v", src, err)
			case escaped.Render(v).Text != src:
				t.Fatalf("Escape(%q) renders %q", src, escaped.Render(v).Text)
			}
		}
	})
}

func checkBound(t *testing.T, part, out string, bound int) {
	t.Helper()
	if len(out) > bound {
		t.Fatalf("%s is %d bytes, over the bound of %d: %q", part, len(out), bound, out)
	}
}

func mustLoad(f *testing.F, name string) *time.Location {
	zone, err := time.LoadLocation(name)
	if err != nil {
		f.Fatal(err)
	}
	return zone
}
