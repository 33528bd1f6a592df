package render_test

import (
	"errors"
	"strings"
	"testing"

	"herald"
	"herald/render"
)

func sms(text string) render.Source {
	return render.Source{Name: "custom", Channel: herald.ChannelSMS, Text: text}
}

func TestCompileRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		src    render.Source
		code   string
		detail string
		offset int
	}{
		{"unknown placeholder", sms("Hi {name}, {foo}!"), render.CodeUnknownPlaceholder,
			"unknown placeholder {foo} at offset 11", 11},
		{"empty placeholder", sms("Hi {}"), render.CodeUnknownPlaceholder,
			"unknown placeholder {} at offset 3", 3},
		{"spaced placeholder", sms("Hi { name }"), render.CodeUnknownPlaceholder,
			"unknown placeholder { name } at offset 3 (write {{ and }} for literal braces)", 3},
		{"placeholder case matters", sms("Hi {Name}"), render.CodeUnknownPlaceholder,
			"unknown placeholder {Name} at offset 3", 3},
		{"unclosed brace", sms("Hi {name"), render.CodeUnbalancedBrace,
			"{ at offset 3 is never closed (write {{ for a literal brace)", 3},
		{"brace inside brace", sms("Hi {na{name}"), render.CodeUnbalancedBrace,
			"{ at offset 3 is never closed (write {{ for a literal brace)", 3},
		{"lone closing brace", sms("Hi name}"), render.CodeUnbalancedBrace,
			"unexpected } at offset 7 (write }} for a literal brace)", 7},
		{"unclosed bracket", sms("Hi {name}[ Join: {join_link}"), render.CodeUnbalancedBracket,
			"[ at offset 9 is never closed (write [[ for a literal bracket)", 9},
		{"lone closing bracket", sms("Hi {name}]"), render.CodeUnbalancedBracket,
			"unexpected ] at offset 9 (write ]] for a literal bracket)", 9},
		{"doubled bracket closes nothing", sms("Hi[ {name}]]"), render.CodeUnbalancedBracket,
			"[ at offset 2 is never closed (write [[ for a literal bracket)", 2},
		{"nested optional", sms("Hi[ {name}[ {title}]]"), render.CodeNestedOptional,
			"optional part at offset 10 is inside the one opened at offset 2 (write [[ for a literal bracket)", 10},
		{"empty", sms(""), render.CodeEmptyTemplate, "template is empty", -1},
		{"blank", sms(" \n\t"), render.CodeEmptyTemplate, "template is empty", -1},
		{"sms too large", sms(strings.Repeat("é", render.MaxSMSRunes+1)), render.CodeTooLarge,
			"template is longer than 1600 characters", -1},
		{"invalid utf-8", sms("Hi \xff"), render.CodeInvalidUTF8, "template is not valid UTF-8", -1},
		{"unknown channel", render.Source{Channel: "fax", Text: "Hi"}, render.CodeUnknownChannel,
			`unknown channel "fax" (want "sms" or "email")`, -1},
		{"bad name", render.Source{Name: "a b", Channel: herald.ChannelSMS, Text: "Hi"}, render.CodeInvalidName,
			`invalid template name "a b": use letters, digits, '_', '-' and '.', at most 64`, -1},
		{"email without subject", render.Source{Channel: herald.ChannelEmail, Text: "Hi"}, render.CodeEmptyTemplate,
			"subject: template is empty", -1},
		{"email subject fault", render.Source{Channel: herald.ChannelEmail, Subject: "{when}", Text: "Hi"},
			render.CodeUnknownPlaceholder, "subject: unknown placeholder {when} at offset 0", 0},
		{"email html fault", render.Source{Channel: herald.ChannelEmail, Subject: "S", Text: "Hi",
			HTML: "<style>p { color: red }</style>"}, render.CodeUnknownPlaceholder,
			"html: unknown placeholder { color: red } at offset 9 (write {{ and }} for literal braces)", 9},
		{"email text too large", render.Source{Channel: herald.ChannelEmail, Subject: "S",
			Text: strings.Repeat("x", render.MaxEmailBytes+1)}, render.CodeTooLarge,
			"text: template is larger than 65536 bytes", -1},
		{"long unknown name is shortened", sms("{" + strings.Repeat("x", 100) + "}"), render.CodeUnknownPlaceholder,
			"unknown placeholder {" + strings.Repeat("x", 32) + "…} at offset 0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := render.Validate(tt.src)
			var te *render.TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("Validate error = %v, want a *TemplateError", err)
			}
			if te.Code != tt.code || te.Detail != tt.detail || te.Offset != tt.offset {
				t.Errorf("got {%s %q offset %d}, want {%s %q offset %d}", te.Code, te.Detail, te.Offset, tt.code, tt.detail, tt.offset)
			}
			if tpl, err := render.Compile(tt.src); tpl != nil || err == nil {
				t.Error("Compile accepted what Validate refused")
			}
		})
	}
}

func TestSyntax(t *testing.T) {
	t.Parallel()
	full := render.Values{Name: "Ann", Title: "Go", JoinLink: "https://j.example/x", Tenant: "Acme"}
	noLink := full
	noLink.JoinLink = ""
	tests := []struct {
		name string
		src  string
		v    render.Values
		want string
	}{
		{"plain", "Hello", full, "Hello"},
		{"placeholders", "{name}/{title}/{tenant}", full, "Ann/Go/Acme"},
		{"repeated", "{name} {name}", full, "Ann Ann"},
		{"escapes", "{{name}} [[x]] {{{name}}}", full, "{name} [x] {Ann}"},
		{"optional kept", "Hi[ Join: {join_link}]!", full, "Hi Join: https://j.example/x!"},
		{"optional dropped", "Hi[ Join: {join_link}]!", noLink, "Hi!"},
		{"any empty drops", "[{name} {join_link}]", noLink, ""},
		{"optional without placeholders", "a[b]c", noLink, "abc"},
		{"empty optional", "a[]c", noLink, "ac"},
		{"escape inside optional", "[[[{name}]]]", full, "[Ann]"},
		{"link is trimmed", "[<{join_link}>]", render.Values{JoinLink: "  "}, ""},
		{"missing start empties time", "at[ {time}]{date}{day}{starts_in}{zone}.", full, "at."},
		{"non-ASCII passes", "Grüße, {name} ✓", render.Values{Name: "Zoë"}, "Grüße, Zoë ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := render.Compile(sms(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl.Render(tt.v).Text; got != tt.want {
				t.Errorf("Render(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestEscapeRendersItself(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"plain", "{name}", "[[x]]", "a}b{c]d[e", "{{}}"} {
		tpl, err := render.Compile(sms(render.Escape(s)))
		if err != nil {
			t.Fatalf("Compile(Escape(%q)): %v", s, err)
		}
		if got := tpl.Render(render.Values{Name: "N"}).Text; got != s {
			t.Errorf("Escape(%q) renders %q", s, got)
		}
	}
}

func TestEmailParts(t *testing.T) {
	t.Parallel()
	tpl, err := render.Compile(render.Source{
		Channel: herald.ChannelEmail,
		Subject: "{title} with {name}",
		Text:    "Hi {name} <team>,\n[Link: {join_link}\n]Bye",
	})
	if err != nil {
		t.Fatal(err)
	}
	v := render.Values{Name: "Ann & Bob", Title: "Plan\r\nBcc: victim@example.com", JoinLink: "javascript:alert(1)"}
	got := tpl.Render(v)
	if want := "Plan  Bcc: victim@example.com with Ann & Bob"; got.Subject != want {
		t.Errorf("Subject = %q, want %q (no line break may reach a header)", got.Subject, want)
	}
	if want := "Hi Ann & Bob <team>,\nLink: javascript:alert(1)\nBye"; got.Text != want {
		t.Errorf("Text = %q, want %q", got.Text, want)
	}
	// The HTML part is made from the text: escaped, line breaks kept, and a
	// link that is not a web link is dropped with its optional part.
	if want := "<div>Hi Ann &amp; Bob &lt;team&gt;,<br>\nBye</div>"; !strings.Contains(got.HTML, want) {
		t.Errorf("HTML lacks %q:\n%s", want, got.HTML)
	}
	v.JoinLink = "HTTPS://j.example/?a=1&b=2"
	if want := "Link: HTTPS://j.example/?a=1&amp;b=2<br>"; !strings.Contains(tpl.Render(v).HTML, want) {
		t.Errorf("HTML lacks %q:\n%s", want, tpl.Render(v).HTML)
	}
	if got.Encoding != (render.Encoding{}) {
		t.Errorf("email Encoding = %+v, want zero", got.Encoding)
	}
}

func TestTemplateAccessors(t *testing.T) {
	t.Parallel()
	src := render.Source{Name: "acme.follow-up_2", Channel: herald.ChannelSMS, Text: "{day} {name} {day} [{join_link}]"}
	tpl, err := render.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Source() != src || tpl.Name() != src.Name || tpl.Channel() != herald.ChannelSMS {
		t.Errorf("accessors disagree with the source: %+v", tpl.Source())
	}
	if got := strings.Join(tpl.Placeholders(), ","); got != "day,name,join_link" {
		t.Errorf("Placeholders() = %s", got)
	}
	names := make([]string, 0)
	for _, p := range render.Placeholders() {
		if p.Description == "" {
			t.Errorf("placeholder %s has no description", p.Name)
		}
		names = append(names, p.Name)
	}
	if got := strings.Join(names, ","); got != "name,title,time,date,day,starts_in,join_link,zone,tenant" {
		t.Errorf("render.Placeholders() = %s", got)
	}
	if render.ErrorCode(errors.New("other")) != "" || render.ErrorCode(nil) != "" {
		t.Error("ErrorCode of a foreign error is not empty")
	}
}
