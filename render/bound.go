package render

import (
	"fmt"

	"herald"
)

// Bounds of a rendered part, with every value at the longest Herald
// stores (herald.MaxNameBytes, herald.MaxTitleBytes,
// herald.MaxJoinLinkBytes). A template whose placeholders could render
// past them is refused when saved (CodeTooLarge): without a bound, a
// template of a thousand {title} rendered with a long title took hundreds
// of megabytes.
const (
	// MaxRenderedSMSBytes bounds a rendered SMS: a hundred parts.
	MaxRenderedSMSBytes = 32 << 10
	// MaxRenderedEmailBytes bounds each rendered part of an email.
	MaxRenderedEmailBytes = 512 << 10
)

// maxFormattedBytes bounds the placeholders Herald formats itself (times,
// dates, durations, zone names), in any locale.
const maxFormattedBytes = 128

// htmlEscapeGrowth is the most html.EscapeString lengthens a byte: '"'
// becomes "&#34;".
const htmlEscapeGrowth = 5

// maxValueBytes is the longest value a field renders before escaping.
func maxValueBytes(f field) int {
	switch f {
	case fieldName, fieldTenant:
		return herald.MaxNameBytes
	case fieldTitle:
		return herald.MaxTitleBytes
	case fieldJoinLink:
		return herald.MaxJoinLinkBytes
	}
	return maxFormattedBytes
}

// worstBytes is the most bytes nodes render to; growth is how much the
// part's mode may lengthen a value.
func worstBytes(nodes []node, growth int) int {
	n := 0
	for i := range nodes {
		switch nodes[i].kind {
		case nodeLiteral:
			n += len(nodes[i].text)
		case nodeField:
			n += maxValueBytes(nodes[i].field) * growth
		case nodeOptional:
			n += worstBytes(nodes[i].children, growth)
		}
	}
	return n
}

// CheckRenderedSize reports, as a CodeTooLarge *TemplateError naming the
// part, a template that could render past MaxRenderedSMSBytes or
// MaxRenderedEmailBytes with values as long as Herald stores. Validate
// applies it; a preview applies it to templates saved before it existed.
func (t *Template) CheckRenderedSize() error {
	type check struct {
		p      part
		nodes  []node
		growth int
		limit  int
	}
	var checks []check
	if t.source.Channel == herald.ChannelSMS {
		checks = []check{{partSMS, t.text, 1, MaxRenderedSMSBytes}}
	} else {
		checks = []check{{partSubject, t.subject, 1, MaxRenderedEmailBytes}, {partText, t.text, 1, MaxRenderedEmailBytes},
			{partHTML, t.html, htmlEscapeGrowth, MaxRenderedEmailBytes}}
	}
	for _, c := range checks {
		if n := worstBytes(c.nodes, c.growth); n > c.limit {
			return partError(CodeTooLarge, c.p, -1, fmt.Sprintf(
				"with the longest values Herald accepts, the template renders to %d bytes, more than %d: use fewer placeholders", n, c.limit))
		}
	}
	return nil
}
