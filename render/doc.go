// Package render turns templates into the texts Herald sends: SMS texts with
// their GSM-7 or UCS-2 encoding and segment count, email subjects, plain-text
// and HTML parts, and iCalendar invitations. It is pure logic: no I/O, no
// clock (the send time comes in Values.Now), no package state that changes.
//
// # Template syntax
//
// A template is text with placeholders in braces and optional parts in
// square brackets:
//
//	Hi {name}, "{title}" starts in 10 min![ Join: {join_link}]
//
// The rules:
//
//   - {name} inserts a value. The placeholders are name, title, time, date,
//     day, starts_in, join_link, zone and tenant; Placeholders describes
//     each. Any other name, including {} and { name }, is refused when the
//     template is compiled.
//   - [ … ] is an optional part: it is left out, brackets and all, when any
//     placeholder inside it renders empty, and kept otherwise. The example
//     renders `Hi John, "Product Demo" starts in 10 min!` for a meeting
//     without a join link. Optional parts do not nest; one without
//     placeholders is always kept.
//   - {{, }}, [[ and ]] stand for a literal {, }, [ and ]. Pairs are read
//     from left to right, so ]] right after a placeholder is a literal ]
//     and not the end of an optional part; Escape doubles them for you.
//
// Compilation refuses, with a *TemplateError and a stable code: an unknown
// placeholder (unknown_placeholder), a lone brace (unbalanced_brace) or
// bracket (unbalanced_bracket), nested optional parts (nested_optional), an
// empty required part (empty_template), a part over its size limit
// (template_too_large: 1600 characters for SMS, 64 KiB for an email's text
// or HTML, 900 bytes for a subject) and text that is not UTF-8.
//
// # Templates and channels
//
// A template is keyed by its name and its channel: meeting_reminder_24h
// exists once for SMS (one text) and once for email (subject, text and
// HTML). The Registry holds the built-in ones; tenants' own templates are
// stored elsewhere as a Source and compiled with Compile, after Validate
// accepted them when they were saved.
//
// # Time
//
// Times are shown in the zone that ResolveZone picks (the lead's, else the
// meeting's, else the tenant's) and in the lead's locale: en-US (the
// default) renders {time} as 2:00 PM, en-GB and de-DE as 14:00. {day} is
// "today", "tomorrow" or a weekday, counted in calendar days in the display
// zone at the send time, so it stays right across daylight-saving changes.
//
// # SMS encoding
//
// Every rendered SMS carries its Encoding: GSM-7 or UCS-2, units and
// segments, so the sender knows before sending whether Vonage needs
// type=unicode. Typographic quotes, dashes, ellipses and non-breaking
// spaces in user-supplied values are replaced with GSM-7 look-alikes only
// when they alone would force UCS-2; text that needs UCS-2 anyway (a Chinese
// name, an emoji) keeps them. Template.Render explains why.
//
// # Output bound
//
// A rendered part is never longer than its source plus, for each
// placeholder occurrence, 64 bytes or five times the longest user-supplied
// value, whichever is more (HTML escaping turns one byte into at most five;
// Herald's own values are shorter than 64 bytes for any zone from the zone
// database). An HTML part made from the plain text
// counts that text five times over, plus 64 bytes for its wrapper.
// FuzzTemplate checks this bound.
package render
