package render

import (
	"strconv"
	"strings"
	"time"
)

// dateStyle is the order and punctuation of a short date.
type dateStyle uint8

const (
	dateUS dateStyle = iota // Tue, Dec 1
	dateGB                  // Tue 1 Dec
	dateDE                  // Di., 1. Dez.
	dateFR                  // mar. 1 déc.
	dateES                  // mar, 1 dic
)

// locale holds the words and formats of one language and region. The
// locales below are never written after initialisation.
type locale struct {
	tag           string
	clock24       bool
	dates         dateStyle
	weekdays      [7]string // indexed by time.Weekday
	weekdaysShort [7]string
	monthsShort   [12]string
	today         string
	tomorrow      string
	minutes       string // after a number of minutes, singular or plural
	hour, hours   string
	// day and days follow the number of days; German needs the dative
	// plural ("in 2 Tagen") because templates say "in {starts_in}".
	day, days string
}

var enUS = locale{
	tag:           "en-US",
	dates:         dateUS,
	weekdays:      [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	weekdaysShort: [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
	monthsShort:   [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	today:         "today",
	tomorrow:      "tomorrow",
	minutes:       "min",
	hour:          "hour",
	hours:         "hours",
	day:           "day",
	days:          "days",
}

var enGB = func() locale {
	l := enUS
	l.tag, l.clock24, l.dates = "en-GB", true, dateGB
	return l
}()

var deDE = locale{
	tag:           "de-DE",
	clock24:       true,
	dates:         dateDE,
	weekdays:      [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
	weekdaysShort: [7]string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."},
	monthsShort:   [12]string{"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."},
	today:         "heute",
	tomorrow:      "morgen",
	minutes:       "Min.",
	hour:          "Stunde",
	hours:         "Stunden",
	day:           "Tag",
	days:          "Tagen",
}

var frFR = locale{
	tag:           "fr-FR",
	clock24:       true,
	dates:         dateFR,
	weekdays:      [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
	weekdaysShort: [7]string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."},
	monthsShort:   [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
	today:         "aujourd’hui",
	tomorrow:      "demain",
	minutes:       "min",
	hour:          "heure",
	hours:         "heures",
	day:           "jour",
	days:          "jours",
}

var esES = locale{
	tag:           "es-ES",
	clock24:       true,
	dates:         dateES,
	weekdays:      [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
	weekdaysShort: [7]string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"},
	monthsShort:   [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
	today:         "hoy",
	tomorrow:      "mañana",
	minutes:       "min",
	hour:          "hora",
	hours:         "horas",
	day:           "día",
	days:          "días",
}

// SupportedLocales lists the locales that render in their own words and
// formats. Any "de" tag renders as de-DE, "fr" as fr-FR, "es" as es-ES,
// "en-GB" and "en-IE" as en-GB, and every other tag as en-US.
func SupportedLocales() []string { return []string{enUS.tag, enGB.tag, deDE.tag, frFR.tag, esES.tag} }

// lookupLocale maps a BCP 47 tag (either separator, any case) to a locale.
func lookupLocale(tag string) *locale {
	if tag == "" || tag == "en-US" {
		return &enUS
	}
	lang, region, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	region, _, _ = strings.Cut(region, "-")
	switch {
	case strings.EqualFold(lang, "de"):
		return &deDE
	case strings.EqualFold(lang, "fr"):
		return &frFR
	case strings.EqualFold(lang, "es"):
		return &esES
	case strings.EqualFold(lang, "en") && (strings.EqualFold(region, "GB") || strings.EqualFold(region, "IE")):
		return &enGB
	}
	return &enUS
}

// englishLocale is the locale an English text renders in for a lead of
// tag: the lead's own when it is English, else British English, whose
// 24-hour clock and day-month dates read naturally to most of the world.
func englishLocale(tag string) string {
	switch lookupLocale(tag) {
	case &enUS, &enGB:
		return tag
	}
	return enGB.tag
}

// clock formats a time of day: "2:00 PM" on a 12-hour clock, "14:00" on a
// 24-hour one. It is written out by hand because it runs on every render
// and time.Format parses its layout each time.
func (l *locale) clock(t time.Time) string {
	hour, minute := t.Hour(), t.Minute()
	buf := make([]byte, 0, 8)
	if l.clock24 {
		buf = appendTwoDigits(buf, hour)
	} else {
		h12 := hour % 12
		if h12 == 0 {
			h12 = 12
		}
		buf = strconv.AppendInt(buf, int64(h12), 10)
	}
	buf = append(buf, ':')
	buf = appendTwoDigits(buf, minute)
	if !l.clock24 {
		if hour < 12 {
			buf = append(buf, " AM"...)
		} else {
			buf = append(buf, " PM"...)
		}
	}
	return string(buf)
}

func appendTwoDigits(buf []byte, n int) []byte {
	return append(buf, byte('0'+n/10), byte('0'+n%10))
}

// date formats a short date without the year: reminders concern the coming
// days, where a year would only add noise.
func (l *locale) date(t time.Time) string {
	weekday, month, day := l.weekdaysShort[t.Weekday()], l.monthsShort[t.Month()-1], strconv.Itoa(t.Day())
	switch l.dates {
	case dateGB:
		return weekday + " " + day + " " + month
	case dateDE:
		return weekday + ", " + day + ". " + month
	case dateFR:
		return weekday + " " + day + " " + month
	case dateES:
		return weekday + ", " + day + " " + month
	}
	return weekday + ", " + month + " " + day
}

// dayWord names the start's day as seen at now, both already in the display
// zone: today, tomorrow, the weekday for the rest of the week, else the date.
// Days are counted on the calendar, not in 24-hour steps, so a 23- or 25-hour
// day around a daylight-saving change cannot shift the word.
func (l *locale) dayWord(start, now time.Time) string {
	switch days := calendarDays(now, start); {
	case days == 0:
		return l.today
	case days == 1:
		return l.tomorrow
	case days >= 2 && days <= 6:
		return l.weekdays[start.Weekday()]
	}
	return l.date(start)
}

// calendarDays counts the midnights from a's date to b's date, each read in
// its own location.
func calendarDays(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	// UTC days all last 24 hours, so the division is exact.
	from := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	to := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(to.Sub(from) / (24 * time.Hour))
}

// duration says how long until the start: minutes under an hour, hours and
// minutes under a day, days and hours beyond. It rounds to the nearest
// minute so that a reminder sent a few hundred milliseconds after its time
// still reads "10 min", and never says "0 min" before the start.
func (l *locale) duration(d time.Duration) string {
	if d <= 0 {
		return "0 " + l.minutes
	}
	// Rounding by remainder rather than by adding 30 s cannot overflow.
	minutes := int64(d / time.Minute)
	if d%time.Minute >= 30*time.Second {
		minutes++
	}
	if minutes < 1 {
		minutes = 1
	}
	if minutes < 60 {
		return strconv.FormatInt(minutes, 10) + " " + l.minutes
	}
	if minutes < 24*60 {
		text := l.count(minutes/60, l.hour, l.hours)
		if rest := minutes % 60; rest > 0 {
			text += " " + strconv.FormatInt(rest, 10) + " " + l.minutes
		}
		return text
	}
	hours := (minutes + 30) / 60
	text := l.count(hours/24, l.day, l.days)
	if rest := hours % 24; rest > 0 {
		text += " " + l.count(rest, l.hour, l.hours)
	}
	return text
}

func (l *locale) count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}
