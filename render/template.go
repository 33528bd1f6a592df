package render

import (
	"fmt"
	"html"
	"strings"

	"herald"
)

// Source is a template as a tenant writes it and as it is stored.
type Source struct {
	// Name identifies the template within its channel, such as
	// "meeting_reminder_24h". It may be empty for a one-off template;
	// otherwise it holds letters, digits, '_', '-' and '.', at most 64.
	Name string
	// Channel is herald.ChannelSMS or herald.ChannelEmail.
	Channel herald.Channel
	// Text is the SMS text, or the plain-text part of an email.
	Text string
	// Subject is the email subject; unused for SMS.
	Subject string
	// HTML is the email's HTML part; unused for SMS. Its markup is the
	// tenant's and is kept as written, while every value inserted into it
	// is escaped. When it is empty, the HTML part is made from Text,
	// escaped, with line breaks kept.
	HTML string
}

// Template is a compiled Source. It is immutable, safe for concurrent use,
// and renders without parsing again.
type Template struct {
	source  Source
	text    []node
	subject []node
	html    []node
	fields  []field
	// english marks a text known to be English (the built-ins): its days
	// and dates are rendered in English whatever the lead's locale, so
	// that no German or French word lands in an English sentence.
	english bool
}

// Compile parses a template's source and reports the first fault as a
// *TemplateError. Tenants' own templates are compiled from their stored
// source; compiling takes microseconds, so callers may compile per send or
// keep the result.
func Compile(src Source) (*Template, error) {
	if err := checkName(src.Name); err != nil {
		return nil, err
	}
	t := &Template{source: src}
	var err error
	switch src.Channel {
	case herald.ChannelSMS:
		if t.text, err = parseRequired(partSMS, src.Text); err != nil {
			return nil, err
		}
	case herald.ChannelEmail:
		if t.subject, err = parseRequired(partSubject, src.Subject); err != nil {
			return nil, err
		}
		if t.text, err = parseRequired(partText, src.Text); err != nil {
			return nil, err
		}
		if strings.TrimSpace(src.HTML) == "" {
			t.html = htmlFromText(t.text)
		} else if t.html, err = parse(partHTML, src.HTML); err != nil {
			return nil, err
		}
	default:
		return nil, &TemplateError{Code: CodeUnknownChannel, Offset: -1,
			Detail: fmt.Sprintf("unknown channel %q (want %q or %q)", displayName(string(src.Channel)), herald.ChannelSMS, herald.ChannelEmail)}
	}
	t.fields = fieldsUsed(t.subject, t.text, t.html)
	return t, nil
}

// Validate reports whether src would compile, with the same *TemplateError
// as Compile, and refuses a template that could render past the bounds of
// CheckRenderedSize. Call it before saving a tenant's template, so that a
// template with an unknown placeholder is refused when saved rather than
// when sent.
func Validate(src Source) error {
	t, err := Compile(src)
	if err != nil {
		return err
	}
	return t.CheckRenderedSize()
}

func parseRequired(p part, src string) ([]node, error) {
	if strings.TrimSpace(src) == "" {
		return nil, partError(CodeEmptyTemplate, p, -1, "template is empty")
	}
	return parse(p, src)
}

func checkName(name string) error {
	valid := len(name) <= 64
	for i := 0; valid && i < len(name); i++ {
		c := name[i]
		valid = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
	}
	if !valid {
		return &TemplateError{Code: CodeInvalidName, Offset: -1,
			Detail: fmt.Sprintf("invalid template name %q: use letters, digits, '_', '-' and '.', at most 64", displayName(name))}
	}
	return nil
}

// htmlFromText turns a plain-text part into an HTML part: literals are
// escaped and their line breaks kept; placeholders are escaped when rendered.
func htmlFromText(text []node) []node {
	convert := func(nodes []node) []node {
		out := make([]node, len(nodes))
		for i, n := range nodes {
			if n.kind == nodeLiteral {
				n.text = strings.ReplaceAll(html.EscapeString(n.text), "\n", "<br>\n")
			}
			out[i] = n
		}
		return out
	}
	out := []node{{kind: nodeLiteral, text: "<!DOCTYPE html>\n<html>\n<body>\n<div>"}}
	for _, n := range convert(text) {
		if n.kind == nodeOptional {
			n.children = convert(n.children)
		}
		out = append(out, n)
	}
	return append(out, node{kind: nodeLiteral, text: "</div>\n</body>\n</html>\n"})
}

// Name returns the template's name.
func (t *Template) Name() string { return t.source.Name }

// Channel returns the channel the template is written for.
func (t *Template) Channel() herald.Channel { return t.source.Channel }

// Source returns the source the template was compiled from.
func (t *Template) Source() Source { return t.source }

// Placeholders lists the placeholders the template uses, in order of first
// use across subject, text and HTML.
func (t *Template) Placeholders() []string {
	names := make([]string, len(t.fields))
	for i, f := range t.fields {
		names[i] = f.String()
	}
	return names
}

// Rendered is a rendered message.
type Rendered struct {
	Channel herald.Channel
	// Text is the SMS text or the email's plain-text part.
	Text string
	// Encoding is the SMS text's scheme and segments; zero for email.
	Encoding Encoding
	// Subject is the email subject, free of line breaks; empty for SMS.
	Subject string
	// HTML is the email's HTML part; empty for SMS.
	HTML string
}

// ApplyTo copies the rendered parts into msg: Text and Unicode, and for
// email Subject and HTML, keeping any calendar already attached.
func (r Rendered) ApplyTo(msg *herald.Message) {
	msg.Channel = r.Channel
	msg.Text = r.Text
	msg.Unicode = r.Encoding.Unicode()
	if r.Channel != herald.ChannelEmail {
		return
	}
	if msg.Email == nil {
		msg.Email = &herald.EmailContent{}
	}
	msg.Email.Subject = r.Subject
	msg.Email.HTML = r.HTML
}

// Render renders the template with v. It cannot fail: a value that is missing
// renders empty and drops the optional part around it.
//
// For SMS, user-supplied values (name, title, join link, tenant) keep their
// typographic quotes, dashes, ellipses and non-breaking spaces when the text
// fits GSM-7 anyway or needs UCS-2 anyway (a Chinese name, an emoji). Only
// when those characters alone would force UCS-2, which cuts a part from 160
// to 70 characters and can double the price, are they replaced with their
// GSM-7 look-alikes (“ ” „ « » to ", ‘ ’ to ', – — to -, … to ..., tabs and
// no-break spaces to spaces, soft hyphens and zero-width spaces to nothing). The template's own text is never changed: a tenant who
// writes curly quotes sees UCS-2 in Describe.
func (t *Template) Render(v Values) Rendered {
	if t.english {
		v.Locale = englishLocale(v.Locale)
	}
	out := Rendered{Channel: t.source.Channel}
	if t.source.Channel == herald.ChannelSMS {
		out.Text = renderPart(t.text, &v, modePlain)
		out.Encoding = Encode(out.Text)
		if out.Encoding.Unicode() {
			gsmText := renderPart(t.text, &v, modeGSM)
			if enc := Encode(gsmText); !enc.Unicode() {
				out.Text, out.Encoding = gsmText, enc
			}
		}
		return out
	}
	out.Subject = flattenControls(renderPart(t.subject, &v, modeHeader))
	out.Text = renderPart(t.text, &v, modePlain)
	out.HTML = renderPart(t.html, &v, modeHTML)
	return out
}

func renderPart(nodes []node, v *Values, m mode) string {
	r := newRenderer(v, m)
	buf := make([]byte, 0, 256)
	return string(r.appendNodes(buf, nodes))
}

// Description tells a tenant what a template does.
type Description struct {
	Name    string
	Channel herald.Channel
	// Placeholders lists the placeholders used, in order of first use.
	Placeholders []string
	Source       Source
	// Sample is the template rendered with SampleValues; for SMS its
	// Encoding gives the scheme and segment count.
	Sample Rendered
}

// Describe describes the template, with a sample render.
func (t *Template) Describe() Description {
	return Description{
		Name:         t.source.Name,
		Channel:      t.source.Channel,
		Placeholders: t.Placeholders(),
		Source:       t.source,
		Sample:       t.Render(SampleValues()),
	}
}
