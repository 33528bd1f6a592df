package render

import "herald"

// The names of the built-in templates, which the default reminder rules use.
const (
	MeetingReminder24h = "meeting_reminder_24h"
	MeetingReminder1h  = "meeting_reminder_1h"
	MeetingReminder10m = "meeting_reminder_10m"
)

// builtinSources returns the built-in templates. The SMS texts are the
// original system's, word for word (docs/RULES.md, "Templates"), with two changes that render
// the same text for a reminder sent on time: the 24-hour text says {day}
// where it said "tomorrow", so that a late reminder says "today" rather than
// a wrong word, and the 10-minute text puts " Join: {join_link}" in an
// optional part, so that a meeting without a link gets no dangling "Join:".
func builtinSources() []Source {
	return []Source{
		{
			Name:    MeetingReminder24h,
			Channel: herald.ChannelSMS,
			Text:    `Hi {name}, reminder: You have "{title}" scheduled for {day} at {time}. Reply CONFIRM to confirm.`,
		},
		{
			Name:    MeetingReminder1h,
			Channel: herald.ChannelSMS,
			Text:    `Hi {name}, your meeting "{title}" starts in 1 hour at {time}.`,
		},
		{
			Name:    MeetingReminder10m,
			Channel: herald.ChannelSMS,
			Text:    `Hi {name}, "{title}" starts in 10 min![ Join: {join_link}]`,
		},
		builtinEmail(MeetingReminder24h,
			`Reminder: {title} {day} at {time}`,
			`This is a reminder that "{title}" is scheduled for {date} at {time} ({zone}).`,
			`This is a reminder that <strong>{title}</strong> is scheduled for {date} at {time} ({zone}).`),
		builtinEmail(MeetingReminder1h,
			`Starting in 1 hour: {title}`,
			`Your meeting "{title}" starts in 1 hour, at {time} ({zone}).`,
			`Your meeting <strong>{title}</strong> starts in 1 hour, at {time} ({zone}).`),
		builtinEmail(MeetingReminder10m,
			`Starting in 10 min: {title}`,
			`"{title}" starts in 10 min, at {time} ({zone}).`,
			`<strong>{title}</strong> starts in 10 min, at {time} ({zone}).`),
	}
}

// builtinEmail wraps one reminder sentence into the email layout that the
// built-in templates share: greeting, sentence, join link when there is
// one, and the tenant's name when it is known. The HTML uses no style
// sheet, whose braces would need escaping and which many mail clients strip.
func builtinEmail(name, subject, textSentence, htmlSentence string) Source {
	return Source{
		Name:    name,
		Channel: herald.ChannelEmail,
		Subject: subject,
		Text: "Hi {name},\n\n" +
			textSentence + "\n" +
			"[\nJoin the meeting: {join_link}\n]" +
			"\nSee you there!\n" +
			"[\n{tenant}\n]",
		HTML: "<!DOCTYPE html>\n<html>\n<body>\n" +
			"<p>Hi {name},</p>\n" +
			"<p>" + htmlSentence + "</p>\n" +
			`[<p><a href="{join_link}">Join the meeting</a></p>` + "\n]" +
			"<p>See you there!</p>\n" +
			"[<p>{tenant}</p>\n]" +
			"</body>\n</html>\n",
	}
}
