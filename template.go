package herald

import (
	"strings"
	"time"
)

// TemplateOverride is a tenant's own template: it replaces the built-in
// template of the same name and channel, or adds a name of the tenant's
// own that reminder rules may use. It is stored as the tenant wrote it, and
// it was checked when saved: a template with an unknown placeholder never
// reaches storage.
type TemplateOverride struct {
	TenantID string
	// Name is the template's name, such as "meeting_reminder_24h".
	Name string
	// Channel is ChannelSMS or ChannelEmail: a name exists once per channel
	// and locale.
	Channel Channel
	// Locale is "" for the tenant's default, or the language ("de") or
	// language and region ("de-AT") of the leads it is for. A reminder uses
	// the template of its lead's locale, else of its language, else the
	// tenant's default, else the built-in one (see TemplateLocales).
	Locale string
	// Text is the SMS text, or the email's plain-text part.
	Text string
	// Subject is the email subject; empty for SMS.
	Subject string
	// HTML is the email's HTML part; empty for SMS, and empty for an email
	// whose HTML part is made from Text.
	HTML      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxTemplateOverrides bounds the templates one tenant keeps, counting
// each name once per channel. Tenants list their templates in one answer,
// and a handful of reminder rules need only a handful of templates.
const MaxTemplateOverrides = 200

// TemplateLocales lists the locales of the templates a lead of that locale
// gets, most specific first: "de-AT" gives "de-AT", "de" and "" (the
// tenant's default). The built-in template comes after all of them.
func TemplateLocales(locale string) []string {
	out := make([]string, 0, 3)
	if locale != "" {
		out = append(out, locale)
		if lang, _, ok := strings.Cut(locale, "-"); ok {
			out = append(out, lang)
		}
	}
	return append(out, "")
}
