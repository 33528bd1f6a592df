// Package webui is Herald's dashboard: server-rendered pages under /ui/
// for tenants (what goes out next and why, the message log, timelines,
// leads, templates, settings, the outbox) and for the operator (tenants,
// provider health, worker processes). Pages are html/template files
// embedded in the binary with a small stylesheet and one small script of
// our own; every page reads without JavaScript.
//
// Sign-in takes a tenant API key, or the admin token for the admin pages,
// and opens a session stored in the database, so any node serves it. A
// tenant session lives only as long as its key: the key is checked on
// every request. Every form carries the session's CSRF token, and the
// Content-Security-Policy allows no inline script.
package webui

import (
	"log/slog"
	"net/http"
	"time"

	"herald"
	"herald/catalog"
	"herald/render"
)

// Prefix is where the dashboard is mounted.
const Prefix = "/ui/"

// ProviderStatus is one SMS provider as the operator sees it.
type ProviderStatus struct {
	Name string
	// Breaker is the circuit state: "closed", "open" or "half-open".
	Breaker string
	// RateLimit is Herald's pace for the provider, sends per second; 0
	// means no limit.
	RateLimit float64
}

// Server serves the dashboard.
type Server struct {
	Store     herald.Store
	Dashboard herald.DashboardStore
	// Events shows the events and webhook endpoints; nil leaves those
	// pages out.
	Events herald.EventStore
	// Templates is the catalog the worker renders from. Defaults to one
	// over Store and the built-in templates.
	Templates *catalog.Catalog
	// AdminToken opens the admin pages; empty disables them.
	AdminToken string
	// Secure marks the session cookie Secure; set it when the dashboard is
	// reached over HTTPS (HERALD_PUBLIC_URL is https).
	Secure bool
	// Providers reports the SMS providers' health; nil when none is
	// configured.
	Providers func() []ProviderStatus
	// StoppedAfter is how old a worker's heartbeat is when other
	// processes take it for stopped and take over its reminders; the
	// workers page marks such a process stale. Zero marks none.
	StoppedAfter time.Duration
	Clock        herald.Clock
	Logger       *slog.Logger
	// SessionTTL is how long a sign-in lasts. Defaults to 12 hours.
	SessionTTL time.Duration
	// SignInLimiter limits sign-in attempts per client address. Defaults
	// to 10 a minute with a burst of 5.
	SignInLimiter *AddressLimiter

	pages map[string]*pageTemplate
}

// Handler returns the dashboard's handler, to be mounted at Prefix.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Clock == nil {
		s.Clock = herald.SystemClock{}
	}
	if s.Templates == nil {
		s.Templates = catalog.New(s.Store, render.NewRegistry())
	}
	if s.SessionTTL == 0 {
		s.SessionTTL = 12 * time.Hour
	}
	if s.SignInLimiter == nil {
		s.SignInLimiter = NewAddressLimiter(10, time.Minute, 5)
	}
	pages, err := parsePages()
	if err != nil {
		// The templates are embedded: a parse error is a build error,
		// caught by every test.
		panic(err)
	}
	s.pages = pages

	mux := http.NewServeMux()
	mux.Handle("GET /ui/static/", staticHandler())
	mux.HandleFunc("GET /ui/{$}", s.home)
	mux.HandleFunc("GET /ui/login", s.loginForm)
	mux.HandleFunc("POST /ui/login", s.login)
	mux.HandleFunc("POST /ui/logout", s.logout)

	mux.HandleFunc("GET /ui/upcoming", s.tenantPage(s.upcoming))
	mux.HandleFunc("GET /ui/messages", s.tenantPage(s.messages))
	mux.HandleFunc("GET /ui/reminders/{id}", s.tenantPage(s.reminder))
	mux.HandleFunc("GET /ui/meetings/{id}", s.tenantPage(s.meeting))
	mux.HandleFunc("POST /ui/meetings/{id}/cancel", s.tenantPage(s.cancelMeeting))
	mux.HandleFunc("POST /ui/meetings/{id}/move", s.tenantPage(s.moveMeeting))
	mux.HandleFunc("GET /ui/leads", s.tenantPage(s.leads))
	mux.HandleFunc("GET /ui/leads/{id}", s.tenantPage(s.lead))
	mux.HandleFunc("GET /ui/templates", s.tenantPage(s.templateList))
	mux.HandleFunc("GET /ui/templates/{channel}/{name}", s.tenantPage(s.templateEdit))
	mux.HandleFunc("POST /ui/templates/{channel}/{name}", s.tenantPage(s.templateSave))
	mux.HandleFunc("POST /ui/templates/{channel}/{name}/preview", s.tenantPage(s.templatePreview))
	mux.HandleFunc("POST /ui/templates/{channel}/{name}/revert", s.tenantPage(s.templateRevert))
	mux.HandleFunc("GET /ui/settings", s.tenantPage(s.settings))
	mux.HandleFunc("GET /ui/outbox", s.tenantPage(s.outbox))
	mux.HandleFunc("GET /ui/audit", s.tenantPage(s.audit))
	if s.Events != nil {
		mux.HandleFunc("GET /ui/events", s.tenantPage(s.events))
		mux.HandleFunc("POST /ui/events/{id}/redeliver", s.tenantPage(s.redeliverEvent))
		mux.HandleFunc("GET /ui/endpoints", s.tenantPage(s.endpoints))
	}

	mux.HandleFunc("GET /ui/admin/tenants", s.adminPage(s.adminTenants))
	mux.HandleFunc("POST /ui/admin/tenants", s.adminPage(s.adminCreateTenant))
	mux.HandleFunc("POST /ui/admin/tenants/{id}/disable", s.adminPage(s.adminSetDisabled(true)))
	mux.HandleFunc("POST /ui/admin/tenants/{id}/enable", s.adminPage(s.adminSetDisabled(false)))
	mux.HandleFunc("GET /ui/admin/providers", s.adminPage(s.adminProviders))
	mux.HandleFunc("GET /ui/admin/workers", s.adminPage(s.adminWorkers))

	mux.HandleFunc("/ui/", s.notFound)
	return securityHeaders(mux)
}

// contentSecurityPolicy allows the dashboard's own files and nothing
// else: no inline script or style, no other origin, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	switch {
	case err != nil:
		http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
	case sess.Admin:
		http.Redirect(w, r, "/ui/admin/tenants", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/ui/upcoming", http.StatusSeeOther)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.session(r)
	s.renderError(w, r, &sess, herald.Errorf(herald.ECodeNotFound, "There is no such page."))
}

// statusOf maps an error to the status of the page that shows it.
func statusOf(err error) int {
	switch herald.ErrorCode(err) {
	case herald.ECodeNotFound:
		return http.StatusNotFound
	case herald.ECodeUnauthorized:
		return http.StatusUnauthorized
	case herald.ECodeConflict:
		return http.StatusConflict
	case herald.ECodeInternal:
		return http.StatusInternalServerError
	case herald.ECodeUnavailable:
		return http.StatusServiceUnavailable
	case "forbidden":
		return http.StatusForbidden
	}
	return http.StatusUnprocessableEntity
}
