package webui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/sony/gobreaker/v2"

	"herald"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pageTemplate is one page parsed with the layout.
type pageTemplate struct{ tmpl *template.Template }

// parsePages parses each page with the layout and the shared partials.
func parsePages() (map[string]*pageTemplate, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html", name)
		if err != nil {
			return nil, fmt.Errorf("dashboard template %s: %w", name, err)
		}
		pages[base] = &pageTemplate{tmpl: t}
	}
	return pages, nil
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/ui/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}

// view is what every page template gets: the layout's needs and the
// page's own Data.
type view struct {
	Title  string
	Nav    string
	Admin  bool
	Tenant string
	CSRF   string
	Signed bool
	// Events shows the events pages in the menu.
	Events  bool
	Notice  string
	Now     time.Time
	Zone    *time.Location
	Data    any
	Request *http.Request
}

// When shows a time in the tenant's zone, with the date unless it is today.
func (v *view) When(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	local, now := t.In(v.Zone), v.Now.In(v.Zone)
	if local.Year() == now.Year() && local.YearDay() == now.YearDay() {
		return local.Format("15:04")
	}
	if local.Year() == now.Year() {
		return local.Format("Mon 2 Jan 15:04")
	}
	return local.Format("2 Jan 2006 15:04")
}

// WhenPtr is When of an optional time.
func (v *view) WhenPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return v.When(*t)
}

// Clock shows a time of day in the tenant's zone.
func (v *view) Clock(t time.Time) string { return t.In(v.Zone).Format("15:04") }

// ISO is a time in RFC 3339, for <time datetime> and the countdown script.
func (v *view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Countdown says how far t is from now: "in 2h 05m" or "3m 10s ago".
func (v *view) Countdown(t time.Time) string { return countdown(t.Sub(v.Now)) }

func countdown(d time.Duration) string {
	suffix, prefix := "", "in "
	if d < 0 {
		d, suffix, prefix = -d, " ago", ""
	}
	d = d.Truncate(time.Second)
	var s string
	switch {
	case d >= 48*time.Hour:
		s = fmt.Sprintf("%dd %dh", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		s = fmt.Sprintf("%dh %02dm", d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		s = fmt.Sprintf("%dm %02ds", d/time.Minute, (d%time.Minute)/time.Second)
	default:
		s = fmt.Sprintf("%ds", d/time.Second)
	}
	return prefix + s + suffix
}

// LocalInput is t in the tenant's zone as a datetime-local input value.
func (v *view) LocalInput(t time.Time) string { return t.In(v.Zone).Format("2006-01-02T15:04") }

var funcs = template.FuncMap{
	"maskPhone": func(p string) string {
		if p == "" {
			return ""
		}
		return herald.MaskPhone(p)
	},
	"maskEmail": func(e string) string {
		if e == "" {
			return ""
		}
		return herald.MaskEmail(e)
	},
	"statusClass": func(v any) string {
		if class, ok := statusClasses[fmt.Sprint(v)]; ok {
			return class
		}
		return "muted"
	},
	"offset": func(d herald.Duration) string {
		s := time.Duration(d).String() // "24h0m0s", "1h30m0s", "50s"
		if strings.HasSuffix(s, "m0s") {
			s = strings.TrimSuffix(s, "0s")
		}
		if strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(s, "0m")
		}
		return s
	},
	// ago says how long ago an age d is: "3m 10s ago".
	"ago":   func(d time.Duration) string { return countdown(-max(d, time.Second)) },
	"words": func(v any) string { return strings.ReplaceAll(fmt.Sprint(v), "_", " ") },
}

// statusClasses colours the statuses a page shows, whichever kind they
// are: reminder and meeting statuses, delivery receipts, attempt and
// audit outcomes, event deliveries, circuit states. Kinds share some
// words ("sent", "failed"), which must mean the same colour; any status
// not listed is muted.
var statusClasses = func() map[string]string {
	classes := map[string][]string{
		"good": {string(herald.ReminderSent), string(herald.DeliveryDelivered), string(herald.OutcomeSent),
			herald.MeetingConfirmed, herald.AuditOK, herald.EventDeliveryDelivered, gobreaker.StateClosed.String()},
		"bad": {string(herald.ReminderFailed), string(herald.ReminderUnknown), string(herald.DeliveryUndelivered),
			string(herald.DeliveryFailed), string(herald.DeliveryUnknown), string(herald.OutcomeTransient),
			string(herald.OutcomePermanent), string(herald.OutcomePermanentRecipient), string(herald.OutcomeUnknown),
			herald.EventDeliveryFailed, gobreaker.StateOpen.String()},
		"wait": {string(herald.ReminderPending), string(herald.ReminderSending), string(herald.DeliveryAccepted),
			string(herald.DeliveryHeld), string(herald.OutcomeThrottled), herald.MeetingScheduled,
			herald.EventDeliveryPending, gobreaker.StateHalfOpen.String()},
	}
	out := map[string]string{}
	for class, statuses := range classes {
		for _, status := range statuses {
			if other, ok := out[status]; ok && other != class {
				panic(fmt.Sprintf("status %q is both %s and %s", status, other, class))
			}
			out[status] = class
		}
	}
	return out
}()

// render writes a page, rendered in full first so that a template error
// answers 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, c *pageCtx, data any) {
	v := &view{Data: data, Now: s.Clock.Now(), Zone: time.UTC, Request: r}
	if c != nil {
		v.Signed, v.Admin, v.CSRF, v.Tenant, v.Now, v.Zone = true, c.sess.Admin, c.sess.CSRFToken, c.sess.TenantName, c.now, c.zone
		v.Notice = doneNotices[r.URL.Query().Get("done")]
	}
	v.Events = s.Events != nil
	s.write(w, r, status, page, v)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	p, ok := s.pages[page]
	if !ok {
		s.Logger.ErrorContext(r.Context(), "dashboard page template missing", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.Title == "" {
		v.Title = titles[page]
	}
	if v.Nav == "" {
		v.Nav = page
	}
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Logger.ErrorContext(r.Context(), "dashboard page failed to render", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// titles are the pages' titles.
var titles = map[string]string{
	"login": "Sign in", "upcoming": "Upcoming", "messages": "Message log", "reminder": "Reminder",
	"meeting": "Meeting", "leads": "Leads", "lead": "Lead", "templates": "Templates", "template": "Template",
	"settings": "Settings", "outbox": "Outbox", "events": "Events", "audit": "Audit trail", "endpoints": "Webhook endpoints", "tenants": "Tenants", "providers": "Provider health", "workers": "Workers",
	"error": "Error",
}

// renderError shows err as a page with the status it calls for; internal
// errors are logged and shown without their details.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, sess *herald.DashboardSession, err error) {
	status := statusOf(err)
	msg := "Something went wrong on our side; it has been logged."
	var he *herald.Error
	switch {
	case errors.As(err, &he) && status < 500:
		msg = he.Message
	case r.Context().Err() != nil:
		// The browser went away; nobody reads the page.
		s.Logger.DebugContext(r.Context(), "dashboard request abandoned by the client", "path", r.URL.Path, "error", err)
		return
	case status == http.StatusServiceUnavailable:
		msg = herald.ErrorMessage(err)
		s.Logger.WarnContext(r.Context(), "dashboard request failed: the database does not answer", "path", r.URL.Path, "error", err)
	default:
		s.Logger.ErrorContext(r.Context(), "dashboard request failed", "path", r.URL.Path, "error", err)
	}
	v := &view{Now: s.Clock.Now(), Zone: time.UTC, Request: r, Title: http.StatusText(status), Nav: "error",
		Data: map[string]any{"Status": status, "Message": msg}}
	if sess != nil && sess.TokenHash != "" {
		v.Signed, v.Admin, v.CSRF, v.Tenant = true, sess.Admin, sess.CSRFToken, sess.TenantName
	}
	s.write(w, r, status, "error", v)
}
