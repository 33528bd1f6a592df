package render

import (
	"strings"
	"unicode/utf8"
)

// The SMS encoding schemes.
const (
	// SchemeGSM7 is the GSM 03.38 default alphabet with its extension
	// table: 160 septets in one SMS, 153 per part of a longer one.
	SchemeGSM7 = "GSM-7"
	// SchemeUCS2 is UTF-16 (UCS-2 as carriers call it): 70 code units in one
	// SMS, 67 per part. Vonage's SMS API needs type=unicode for it.
	SchemeUCS2 = "UCS-2"
)

// Segment sizes, in septets for GSM-7 and in UTF-16 code units for UCS-2.
// A longer message loses room in each part to the concatenation header.
const (
	gsmSingle  = 160
	gsmPart    = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// Encoding is how an SMS text travels and what it costs.
type Encoding struct {
	// Scheme is SchemeGSM7 or SchemeUCS2.
	Scheme string
	// Units is the text's length in septets (GSM-7; an extension character
	// counts 2) or in UTF-16 code units (UCS-2; an emoji counts 2).
	Units int
	// Segments is the number of SMS parts the text is sent and billed as;
	// 0 for an empty text.
	Segments int
}

// Unicode reports whether the text needs UCS-2, which is what Vonage's
// type=unicode and herald.Message.Unicode mean.
func (e Encoding) Unicode() bool { return e.Scheme == SchemeUCS2 }

// Encode chooses the scheme for an SMS text and counts its segments.
//
// One character outside both GSM-7 tables turns the whole text into UCS-2.
// Encode counts the text as it is; the typographic look-alikes that would
// cause that needlessly (curly quotes, dashes, ellipsis, non-breaking
// spaces) are dealt with when a template is rendered: see Template.Render.
//
// Segments are counted as a sender must cut them: an extension character's
// escape pair and a UTF-16 surrogate pair are never split across two parts,
// so a part may hold one unit less than its nominal size.
func Encode(text string) Encoding {
	septets, gsm := 0, true
	for _, r := range text {
		n := gsmSeptets(r)
		if n == 0 {
			gsm = false
			break
		}
		septets += n
	}
	if gsm {
		return Encoding{Scheme: SchemeGSM7, Units: septets, Segments: countSegments(text, septets, gsmSingle, gsmPart, gsmSeptets)}
	}
	units := 0
	for _, r := range text {
		units += utf16Units(r)
	}
	return Encoding{Scheme: SchemeUCS2, Units: units, Segments: countSegments(text, units, ucs2Single, ucs2Part, utf16Units)}
}

// countSegments packs the text's characters into parts without splitting
// one character's units.
func countSegments(text string, total, single, per int, cost func(rune) int) int {
	switch {
	case total == 0:
		return 0
	case total <= single:
		return 1
	}
	segments, used := 1, 0
	for _, r := range text {
		n := cost(r)
		if used+n > per {
			segments++
			used = 0
		}
		used += n
	}
	return segments
}

func utf16Units(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// gsmASCII marks the ASCII characters of the GSM-7 basic table: 88 of the
// 128, missing the backtick, ^ { } [ ] \ ~ | and most control characters.
var gsmASCII = func() (table [128]bool) {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 \n\r" +
		`!"#$%&'()*+,-./:;<=>?@_`
	for i := 0; i < len(chars); i++ {
		table[chars[i]] = true
	}
	return table
}()

// gsmSeptets returns what r costs in GSM-7: 1 in the basic table, 2 in the
// extension table (escape plus code), 0 when GSM-7 cannot carry it.
func gsmSeptets(r rune) int {
	if r < 128 {
		switch {
		case gsmASCII[r]:
			return 1
		case strings.ContainsRune("\f^{}\\[~]|", r):
			return 2
		}
		return 0
	}
	switch r {
	// The 39 non-ASCII characters of the basic table, plus small ç, which
	// Unicode's mapping lists where ETSI has capital Ç.
	case '£', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', 'ç', 'Ø', 'ø', 'Å', 'å',
		'Δ', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ',
		'Æ', 'æ', 'ß', 'É', '¤', '¡', 'Ä', 'Ö', 'Ñ', 'Ü', '§', '¿', 'ä', 'ö', 'ñ', 'ü', 'à':
		return 1
	case '€':
		return 2
	}
	return 0
}

// lookalike returns the GSM-7 text that stands in for a typographic
// character, and whether r is one.
func lookalike(r rune) (string, bool) {
	switch r {
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u2033', '\u00AB', '\u00BB': // “ ” „ ‟ ″ « »
		return `"`, true
	case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u2039', '\u203A': // ‘ ’ ‚ ‛ ′ ‹ ›
		return "'", true
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212': // ‐ ‑ ‒ – — ― −
		return "-", true
	case '\u2026': // …
		return "...", true
	case '\t', '\u00A0', '\u2002', '\u2003', '\u2007', '\u2009', '\u202F': // tab, no-break, en, em, figure, thin, narrow no-break
		return " ", true
	case '\u00AD', '\u200B', '\u2060', '\uFEFF': // soft hyphen, zero-width space, word joiner, BOM
		return "", true
	}
	return "", false
}

// replaceLookalikes rewrites the typographic characters of s with their
// GSM-7 stand-ins. It returns s itself when there is nothing to replace, and
// never makes s longer: every stand-in is at most as long as what it replaces.
func replaceLookalikes(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := lookalike(r); return ok }) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if sub, ok := lookalike(r); ok {
			b.WriteString(sub)
		} else {
			// Copying the bytes keeps invalid UTF-8 as it was instead
			// of growing it into U+FFFD.
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
