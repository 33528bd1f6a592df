package render

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Size limits of a template's parts, checked when it is compiled.
const (
	// MaxSMSRunes bounds an SMS template: 1600 characters is ten GSM-7
	// segments, past which carriers and providers start refusing messages.
	MaxSMSRunes = 1600
	// MaxEmailBytes bounds the plain-text and the HTML part of an email
	// template.
	MaxEmailBytes = 64 << 10
	// MaxSubjectBytes bounds an email subject template; mail clients show
	// far less, and a header line must stay under 998 octets.
	MaxSubjectBytes = 900
)

// part is one compiled piece of a template: the SMS text or one of the three
// parts of an email.
type part uint8

const (
	partSMS part = iota
	partSubject
	partText
	partHTML
)

// String names the part as TemplateError.Part does.
func (p part) String() string {
	switch p {
	case partSubject:
		return "subject"
	case partHTML:
		return "html"
	}
	return "text"
}

type nodeKind uint8

const (
	nodeLiteral nodeKind = iota
	nodeField
	nodeOptional
)

// node is one step of a compiled template. Rendering walks the nodes and
// never looks at the source again, which is what makes it cheap.
type node struct {
	kind     nodeKind
	text     string // literal text, escapes already resolved
	field    field
	children []node // the contents of an optional part: literals and fields only
}

// checkSize applies the part's limit before any parsing work is spent on it.
func checkSize(p part, src string) error {
	switch {
	case p == partSMS && utf8.RuneCountInString(src) > MaxSMSRunes:
		return partError(CodeTooLarge, p, -1, fmt.Sprintf("template is longer than %d characters", MaxSMSRunes))
	case (p == partText || p == partHTML) && len(src) > MaxEmailBytes:
		return partError(CodeTooLarge, p, -1, fmt.Sprintf("template is larger than %d bytes", MaxEmailBytes))
	case p == partSubject && len(src) > MaxSubjectBytes:
		return partError(CodeTooLarge, p, -1, fmt.Sprintf("template is larger than %d bytes", MaxSubjectBytes))
	}
	return nil
}

// parse compiles one part's source into nodes. The grammar is described in
// the package documentation; every syntax character is ASCII, so the parser
// walks bytes and copies runs of other text whole.
func parse(p part, src string) ([]node, error) {
	if err := checkSize(p, src); err != nil {
		return nil, err
	}
	if !utf8.ValidString(src) {
		return nil, partError(CodeInvalidUTF8, p, -1, "template is not valid UTF-8")
	}
	var (
		top     []node
		inner   []node // the optional part being read, when optOpen >= 0
		optOpen = -1
		literal strings.Builder
	)
	// emit appends a node to the optional part being read, or to the top.
	emit := func(n node) {
		if optOpen >= 0 {
			inner = append(inner, n)
		} else {
			top = append(top, n)
		}
	}
	flush := func() {
		if literal.Len() > 0 {
			emit(node{kind: nodeLiteral, text: literal.String()})
			literal.Reset()
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		doubled := i+1 < len(src) && src[i+1] == c
		switch c {
		case '{', '}', '[', ']':
			if doubled {
				literal.WriteByte(c)
				i += 2
				continue
			}
		default:
			next := strings.IndexAny(src[i:], "{}[]")
			if next < 0 {
				next = len(src) - i
			}
			literal.WriteString(src[i : i+next])
			i += next
			continue
		}
		switch c {
		case '{':
			f, width, err := parsePlaceholder(p, src, i)
			if err != nil {
				return nil, err
			}
			flush()
			emit(node{kind: nodeField, field: f})
			i += width
		case '}':
			return nil, partError(CodeUnbalancedBrace, p, i,
				fmt.Sprintf("unexpected } at offset %d (write }} for a literal brace)", i))
		case '[':
			if optOpen >= 0 {
				return nil, partError(CodeNestedOptional, p, i,
					fmt.Sprintf("optional part at offset %d is inside the one opened at offset %d (write [[ for a literal bracket)", i, optOpen))
			}
			flush()
			optOpen = i
			i++
		case ']':
			if optOpen < 0 {
				return nil, partError(CodeUnbalancedBracket, p, i,
					fmt.Sprintf("unexpected ] at offset %d (write ]] for a literal bracket)", i))
			}
			flush()
			top = append(top, node{kind: nodeOptional, children: inner})
			inner, optOpen = nil, -1
			i++
		}
	}
	if optOpen >= 0 {
		return nil, partError(CodeUnbalancedBracket, p, optOpen,
			fmt.Sprintf("[ at offset %d is never closed (write [[ for a literal bracket)", optOpen))
	}
	flush()
	return top, nil
}

// parsePlaceholder reads the placeholder that starts with the "{" at
// src[start] and returns its field and its width in bytes.
func parsePlaceholder(p part, src string, start int) (field, int, error) {
	rest := src[start+1:]
	end := strings.IndexAny(rest, "{}")
	if end < 0 || rest[end] == '{' {
		return 0, 0, partError(CodeUnbalancedBrace, p, start,
			fmt.Sprintf("{ at offset %d is never closed (write {{ for a literal brace)", start))
	}
	name := rest[:end]
	f, ok := lookupField(name)
	if !ok {
		detail := fmt.Sprintf("unknown placeholder {%s} at offset %d", displayName(name), start)
		if strings.ContainsAny(name, " \t\n:;") {
			detail += " (write {{ and }} for literal braces)"
		}
		return 0, 0, partError(CodeUnknownPlaceholder, p, start, detail)
	}
	return f, end + 2, nil
}

// Escape returns source text that renders as s exactly: it doubles every
// brace and bracket. It suits text that a tenant did not mean as a template,
// such as a reply text pasted into one.
func Escape(s string) string {
	if !strings.ContainsAny(s, "{}[]") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '{' || c == '}' || c == '[' || c == ']' {
			b.WriteByte(c)
		}
		b.WriteByte(c)
	}
	return b.String()
}
