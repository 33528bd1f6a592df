package herald

import (
	"net/url"
	"strings"
	"time"
)

// DefaultSource is the source of a meeting booked without one.
const DefaultSource = "api"

// Validate checks a booking and normalises it: texts trimmed, the start in
// UTC, an empty source made DefaultSource. now is the moment the booking
// is decided at; a start that is not after it is refused, so the clock
// that plans the reminders is the one that says "too late".
func (in *BookMeetingInput) Validate(now time.Time) error {
	in.LeadID = strings.TrimSpace(in.LeadID)
	in.Title = strings.TrimSpace(in.Title)
	in.JoinLink = strings.TrimSpace(in.JoinLink)
	in.Source = strings.TrimSpace(in.Source)
	if in.LeadID == "" {
		return FieldErrorf(ECodeInvalid, "lead_id", "lead_id is required")
	}
	if err := CheckLine("lead_id", in.LeadID); err != nil {
		return err
	}
	if err := checkTitle(in.Title); err != nil {
		return err
	}
	if in.StartsAt.IsZero() {
		return FieldErrorf(ECodeInvalidTime, "starts_at", "starts_at is required")
	}
	if err := checkStart(in.StartsAt, now); err != nil {
		return err
	}
	in.StartsAt = in.StartsAt.UTC()
	if err := checkZone("timezone", in.Timezone); err != nil {
		return err
	}
	if err := checkJoinLink(in.JoinLink); err != nil {
		return err
	}
	if in.Source == "" {
		in.Source = DefaultSource
	}
	if len(in.Source) > MaxSourceBytes {
		return FieldErrorf(ECodeInvalid, "source", "source is longer than %d characters", MaxSourceBytes)
	}
	return CheckLine("source", in.Source)
}

// Validate checks a change of a meeting and normalises it like
// BookMeetingInput.Validate; now decides whether a new start is too late.
func (p *MeetingPatch) Validate(now time.Time) error {
	if p.Title != nil {
		title := strings.TrimSpace(*p.Title)
		if err := checkTitle(title); err != nil {
			return err
		}
		p.Title = &title
	}
	if p.JoinLink != nil {
		link := strings.TrimSpace(*p.JoinLink)
		if err := checkJoinLink(link); err != nil {
			return err
		}
		p.JoinLink = &link
	}
	if p.StartsAt != nil {
		if err := checkStart(*p.StartsAt, now); err != nil {
			return err
		}
		at := p.StartsAt.UTC()
		p.StartsAt = &at
	}
	return nil
}

func checkStart(at, now time.Time) error {
	if err := CheckTimeRange("starts_at", at); err != nil {
		return err
	}
	if !at.After(now) {
		return FieldErrorf(ECodeInvalidTime, "starts_at", "starts_at %s is not in the future", at.Format(time.RFC3339))
	}
	return nil
}

func checkTitle(title string) error {
	if title == "" || len(title) > MaxTitleBytes {
		return FieldErrorf(ECodeInvalid, "title", "title must have 1 to %d characters", MaxTitleBytes)
	}
	return CheckLine("title", title)
}

// checkZone accepts "" (none) or an IANA zone name.
func checkZone(field, name string) error {
	if name == "" {
		return nil
	}
	if _, err := LoadZone(name); err != nil {
		return FieldErrorf(ECodeInvalidTimezone, field, "%s %q is not an IANA zone such as \"America/New_York\"", field, name)
	}
	return nil
}

func checkJoinLink(link string) error {
	if link == "" {
		return nil
	}
	if err := CheckLine("join_link", link); err != nil {
		return err
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(link) > MaxJoinLinkBytes {
		return FieldErrorf(ECodeInvalid, "join_link", "join_link %q is not an http(s) URL", link)
	}
	return nil
}
