package herald

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Settings is a tenant's behaviour.
type Settings struct {
	// Timezone is the IANA zone used when neither the lead nor the meeting
	// has one. Defaults to UTC.
	Timezone      string         `json:"timezone"`
	ReminderRules []ReminderRule `json:"reminder_rules"`
	Channels      Channels       `json:"channels"`
	// LateBooking says what happens to a reminder whose time has passed at
	// booking. The only policy is "skip": a reminder is never sent late or at
	// booking time (docs/RULES.md, "Planning"), so the field exists to make that choice visible.
	LateBooking string `json:"late_booking"`
	// DefaultRegion is the ISO country whose numbering plan applies to phone
	// numbers given without a leading +. Defaults to US.
	DefaultRegion string     `json:"default_region"`
	Replies       ReplyTexts `json:"replies"`
	// SendWindow limits reminders to a part of the lead's day; nil means
	// no window. Each rule's OutsideWindow says what happens outside it.
	SendWindow *SendWindow `json:"send_window"`
	// SMSFrom is the number this tenant's SMS go from (E.164), one of the
	// operator's numbers or of the tenant's own account; empty means the
	// provider's configured from number.
	SMSFrom string `json:"sms_from"`
	// RetentionDays is how long finished meetings, their reminders and
	// attempts, the audit trail and events are kept. Defaults to
	// DefaultRetentionDays.
	RetentionDays int `json:"retention_days"`
	// OnUnknown says what becomes of a reminder left unknown (whether its
	// provider took it was lost) that no delivery receipt settles in time
	// (HERALD_UNKNOWN_AFTER): OnUnknownKeep, the default, leaves it
	// unknown, so a lead never gets a second message; OnUnknownResend sends
	// it once more while its meeting is still ahead, choosing a possible
	// second message over a possibly missing one.
	OnUnknown string `json:"on_unknown"`
}

// DefaultRetentionDays and MaxRetentionDays bound Settings.RetentionDays.
const (
	DefaultRetentionDays = 365
	MaxRetentionDays     = 3650
)

// Retention returns the retention in days, with the default for settings
// saved before it existed.
func (s Settings) Retention() int {
	if s.RetentionDays <= 0 {
		return DefaultRetentionDays
	}
	return s.RetentionDays
}

// The policies of Settings.OnUnknown.
const (
	OnUnknownKeep   = "keep"
	OnUnknownResend = "resend"
)

// Channels switches delivery channels on or off for a tenant.
type Channels struct {
	SMS   bool `json:"sms"`
	Email bool `json:"email"`
}

// ReplyTexts are the automatic answers to inbound keywords. Each may span
// lines and holds at most MaxReplyBytes.
type ReplyTexts struct {
	Help    string `json:"help" text:"multiline"`
	Stop    string `json:"stop" text:"multiline"`
	Start   string `json:"start" text:"multiline"`
	Confirm string `json:"confirm" text:"multiline"`
}

// ReminderRule plans one reminder per meeting, Offset before its start.
type ReminderRule struct {
	Name     string   `json:"name"`
	Offset   Duration `json:"offset"`
	Template string   `json:"template"`
	// OutsideWindow is what the rule's reminder does when its time falls
	// outside the send window: earlier, later, skip or send. Defaults to
	// later for rules of 6 hours or more, send below.
	OutsideWindow string `json:"outside_window,omitempty"`
}

// Duration is a time.Duration written in JSON as a Go duration string
// ("24h", "90s").
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "24h0m0s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("offset must be a duration string such as \"24h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("offset %q is not a duration such as \"24h\" or \"90s\"", s)
	}
	*d = Duration(v)
	return nil
}

// DefaultSettings returns the settings of a new tenant: reminders 24 hours, 1
// hour and 10 minutes before, both channels on.
func DefaultSettings() Settings {
	return Settings{
		Timezone: "UTC",
		ReminderRules: []ReminderRule{
			{Name: "24h", Offset: Duration(24 * time.Hour), Template: "meeting_reminder_24h"},
			{Name: "1h", Offset: Duration(time.Hour), Template: "meeting_reminder_1h"},
			{Name: "10m", Offset: Duration(10 * time.Minute), Template: "meeting_reminder_10m"},
		},
		Channels:      Channels{SMS: true, Email: true},
		RetentionDays: DefaultRetentionDays,
		LateBooking:   "skip",
		OnUnknown:     OnUnknownKeep,
		DefaultRegion: "US",
		Replies: ReplyTexts{
			Help:    "Reply STOP to stop reminders, START to resume, CONFIRM to confirm your meeting.",
			Stop:    "You have been unsubscribed and will receive no more text reminders. Reply START to resubscribe.",
			Start:   "You have been resubscribed to text reminders. Reply STOP to unsubscribe.",
			Confirm: "Thanks, your meeting is confirmed.",
		},
	}
}

// MaxReminderRules bounds the rules of one tenant.
const MaxReminderRules = 10

// Validate checks the settings and fills defaults for empty fields.
func (s *Settings) Validate() error {
	def := DefaultSettings()
	if s.Timezone == "" {
		s.Timezone = def.Timezone
	}
	if _, err := LoadZone(s.Timezone); err != nil {
		return FieldErrorf(ECodeInvalidTimezone, "timezone", "timezone %q is not an IANA zone such as \"America/New_York\"", s.Timezone)
	}
	switch s.OnUnknown {
	case "":
		s.OnUnknown = OnUnknownKeep
	case OnUnknownKeep, OnUnknownResend:
	default:
		return FieldErrorf(ECodeInvalid, "on_unknown", "on_unknown must be \"keep\" or \"resend\"")
	}
	if s.LateBooking == "" {
		s.LateBooking = def.LateBooking
	}
	if s.RetentionDays == 0 {
		s.RetentionDays = def.RetentionDays
	}
	if s.RetentionDays < 1 || s.RetentionDays > MaxRetentionDays {
		return FieldErrorf(ECodeInvalid, "retention_days", "retention_days must be a number of days from 1 to %d", MaxRetentionDays)
	}
	if s.LateBooking != "skip" {
		return FieldErrorf(ECodeInvalid, "late_booking", "late_booking must be \"skip\"")
	}
	if s.DefaultRegion == "" {
		s.DefaultRegion = def.DefaultRegion
	}
	s.DefaultRegion = strings.ToUpper(s.DefaultRegion)
	if len(s.DefaultRegion) != 2 || !isUpperLetter(s.DefaultRegion[0]) || !isUpperLetter(s.DefaultRegion[1]) {
		return FieldErrorf(ECodeInvalid, "default_region", "default_region must be a two-letter country code such as \"US\"")
	}
	if len(s.ReminderRules) > MaxReminderRules {
		return FieldErrorf(ECodeInvalid, "reminder_rules", "at most %d reminder rules are allowed", MaxReminderRules)
	}
	seen := map[string]bool{}
	for i, r := range s.ReminderRules {
		field := fmt.Sprintf("reminder_rules[%d]", i)
		if r.Name == "" || len(r.Name) > MaxRuleNameBytes {
			return FieldErrorf(ECodeInvalid, field+".name", "a reminder rule needs a name of 1 to %d characters", MaxRuleNameBytes)
		}
		// The name goes into every reminder the rule plans.
		if err := CheckLine(field+".name", r.Name); err != nil {
			return err
		}
		if seen[r.Name] {
			return FieldErrorf(ECodeInvalid, field+".name", "reminder rule name %q is used twice", r.Name)
		}
		seen[r.Name] = true
		if r.Offset <= 0 || time.Duration(r.Offset) > 90*24*time.Hour {
			return FieldErrorf(ECodeInvalid, field+".offset", "offset must be positive and at most 90 days")
		}
		if r.Template == "" {
			return FieldErrorf(ECodeInvalid, field+".template", "a reminder rule needs a template")
		}
		if err := CheckLine(field+".template", r.Template); err != nil {
			return err
		}
		if r.OutsideWindow == "" {
			s.ReminderRules[i].OutsideWindow = DefaultOutsideWindow(time.Duration(r.Offset))
		} else if !validOutsideWindow(r.OutsideWindow) {
			return FieldErrorf(ECodeInvalid, field+".outside_window", "outside_window must be earlier, later, skip or send")
		}
	}
	for _, reply := range []struct {
		field string
		text  string
	}{{"help", s.Replies.Help}, {"stop", s.Replies.Stop}, {"start", s.Replies.Start}, {"confirm", s.Replies.Confirm}} {
		field := "replies." + reply.field
		if len(reply.text) > MaxReplyBytes {
			return FieldErrorf(ECodeInvalid, field, "%s is longer than %d bytes", field, MaxReplyBytes)
		}
		if err := CheckMultiline(field, reply.text); err != nil {
			return err
		}
	}
	if s.SendWindow != nil {
		if err := s.SendWindow.Validate(); err != nil {
			return err
		}
	}
	if err := validSMSFrom(s.SMSFrom); err != nil {
		return err
	}
	fillReply(&s.Replies.Help, def.Replies.Help)
	fillReply(&s.Replies.Stop, def.Replies.Stop)
	fillReply(&s.Replies.Start, def.Replies.Start)
	fillReply(&s.Replies.Confirm, def.Replies.Confirm)
	return nil
}

func isUpperLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

func fillReply(text *string, def string) {
	if strings.TrimSpace(*text) == "" {
		*text = def
	}
}

// LoadZone loads an IANA timezone, refusing the empty name and "Local",
// which would depend on the server's configuration.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}
