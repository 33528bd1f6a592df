package render

import (
	"html"
	"strings"
	"time"
)

// Values are what a template is rendered with: one lead, one meeting, one
// moment of sending.
type Values struct {
	// Name is the lead's name.
	Name string
	// Title is the meeting's title.
	Title string
	// Start is when the meeting starts; its location does not matter, Zone
	// does. A zero Start renders {time}, {date}, {day}, {starts_in} and
	// {zone} empty.
	Start time.Time
	// JoinLink is the meeting's join URL, or empty.
	JoinLink string
	// Tenant is the tenant's display name, or empty.
	Tenant string
	// Zone is the display time zone; see ResolveZone. Defaults to UTC.
	Zone *time.Location
	// Locale is a BCP 47 tag such as "en-US" (the default), "en-GB" or
	// "de-DE"; unknown tags render as en-US.
	Locale string
	// Now is the send time, read from the injected clock. {day} and
	// {starts_in} are computed from it; when it is zero, {day} renders the
	// date and {starts_in} renders empty, which is never a wrong word.
	Now time.Time
}

// ResolveZone returns the zone to show times in: the lead's, else the
// meeting's, else the tenant's, else UTC. A name that is empty or that the
// time zone database does not know is passed over, so one bad value cannot
// stop a reminder. Loading reads the zone database, so callers that render
// in bulk should resolve once per lead rather than once per message; a
// binary that may run without system zone files should import time/tzdata.
func ResolveZone(leadTZ, meetingTZ, tenantTZ string) *time.Location {
	for _, name := range [...]string{leadTZ, meetingTZ, tenantTZ} {
		name = strings.TrimSpace(name)
		// "Local" would render in the server's zone, which no lead lives in.
		if name == "" || name == "Local" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// SampleValues are the values Describe renders its samples with: John's
// "Product Demo" at 2:00 PM on Tuesday 1 December 2026 in New York, sent a day
// before, so that samples match the texts of docs/RULES.md, "Templates". A fixed EST offset
// keeps the sample independent of the zone database.
func SampleValues() Values {
	start := time.Date(2026, time.December, 1, 19, 0, 0, 0, time.UTC)
	return Values{
		Name:     "John",
		Title:    "Product Demo",
		Start:    start,
		JoinLink: "https://meet.example.com/product-demo",
		Tenant:   "Acme Sales",
		Zone:     time.FixedZone("EST", -5*60*60),
		Locale:   "en-US",
		Now:      start.Add(-24 * time.Hour),
	}
}

// mode is how a part's values are prepared before they are inserted.
type mode uint8

const (
	// modePlain inserts values as they are.
	modePlain mode = iota
	// modeGSM replaces typographic look-alikes in user-supplied values with
	// GSM-7 characters (see Encode).
	modeGSM
	// modeHTML escapes every value and drops join links that are not web
	// links, since a template cannot tell an href from body text.
	modeHTML
	// modeHeader turns line breaks and other control characters into
	// spaces, so that no value can add a header line to an email.
	modeHeader
)

// renderer renders one part for one set of values. It computes each field
// at most once, however often the template uses it.
type renderer struct {
	v      *Values
	mode   mode
	loc    *locale
	zone   *time.Location
	values [fieldCount]string
	done   [fieldCount]bool
}

func newRenderer(v *Values, m mode) renderer {
	zone := v.Zone
	if zone == nil {
		zone = time.UTC
	}
	return renderer{v: v, mode: m, loc: lookupLocale(v.Locale), zone: zone}
}

// value returns the prepared text of a field.
func (r *renderer) value(f field) string {
	if r.done[f] {
		return r.values[f]
	}
	s := r.raw(f)
	switch r.mode {
	case modeGSM:
		if placeholderTable[f].UserSupplied {
			s = replaceLookalikes(s)
		}
	case modeHTML:
		if f == fieldJoinLink && !isWebLink(s) {
			s = ""
		}
		s = html.EscapeString(s)
	case modeHeader:
		s = flattenControls(s)
	}
	r.values[f], r.done[f] = s, true
	return s
}

// raw returns a field's text before the mode's preparation.
func (r *renderer) raw(f field) string {
	switch f {
	// Stray spaces around a value would show as "Hi  John ,"; a value of
	// spaces only counts as missing.
	case fieldName:
		return strings.TrimSpace(r.v.Name)
	case fieldTitle:
		return strings.TrimSpace(r.v.Title)
	case fieldJoinLink:
		return strings.TrimSpace(r.v.JoinLink)
	case fieldTenant:
		return strings.TrimSpace(r.v.Tenant)
	}
	if r.v.Start.IsZero() {
		return ""
	}
	start := r.v.Start.In(r.zone)
	switch f {
	case fieldTime:
		return r.loc.clock(start)
	case fieldDate:
		return r.loc.date(start)
	case fieldZone:
		return start.Format("MST")
	case fieldDay:
		if r.v.Now.IsZero() {
			return r.loc.date(start)
		}
		return r.loc.dayWord(start, r.v.Now.In(r.zone))
	case fieldStartsIn:
		if r.v.Now.IsZero() {
			return ""
		}
		return r.loc.duration(r.v.Start.Sub(r.v.Now))
	}
	return ""
}

// appendNodes renders nodes onto buf. An optional part is written only when
// every placeholder in it renders non-empty.
func (r *renderer) appendNodes(buf []byte, nodes []node) []byte {
	for i := range nodes {
		n := &nodes[i]
		switch n.kind {
		case nodeLiteral:
			buf = append(buf, n.text...)
		case nodeField:
			buf = append(buf, r.value(n.field)...)
		case nodeOptional:
			if r.anyEmpty(n.children) {
				continue
			}
			buf = r.appendNodes(buf, n.children)
		}
	}
	return buf
}

func (r *renderer) anyEmpty(nodes []node) bool {
	for i := range nodes {
		if nodes[i].kind == nodeField && r.value(nodes[i].field) == "" {
			return true
		}
	}
	return false
}

// isWebLink reports whether s is an http or https URL, the only links an
// email may make clickable: a javascript: or data: link from a booking system
// must not reach a lead's mail client.
func isWebLink(s string) bool {
	for _, scheme := range [...]string{"https://", "http://"} {
		if len(s) > len(scheme) && strings.EqualFold(s[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}

// flattenControls replaces control characters (CR, LF, tab …) with spaces.
func flattenControls(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x2028 || r == 0x2029 }
