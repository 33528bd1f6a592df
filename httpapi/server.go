// Package httpapi serves Herald's REST API: the route table, bearer-key
// authentication, tenant scoping, problem documents and the OpenAPI
// description.
package httpapi

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"herald"
	"herald/catalog"
	"herald/render"
)

// Server holds what the handlers need.
type Server struct {
	Store herald.Store
	// Templates is the template catalog the delivery worker renders from.
	// Defaults to one over Store and the built-in templates.
	Templates *catalog.Catalog
	// Providers keeps tenants' own SMS provider accounts
	// (/v1/admin/tenants/{id}/providers); nil answers 409.
	Providers ProviderAccounts
	// SMSNumbers are the numbers a tenant may choose as its sms_from;
	// nil allows none.
	SMSNumbers SMSNumbers
	// AdminToken guards /v1/admin/*; empty disables the admin routes.
	AdminToken string
	Logger     *slog.Logger
	Clock      herald.Clock
	// RateLimit is each API key's request budget. The zero value sets no
	// limit.
	RateLimit RateLimit
	// Events keeps webhook endpoints and events. Defaults to Store when it
	// keeps them too.
	Events herald.EventStore
	// URLGuard checks webhook endpoint URLs; without it no endpoint can
	// be saved.
	URLGuard URLGuard
	// Metrics count requests by route and status; nil counts nothing.
	Metrics *HTTPMetrics
	// Extra routes mounted beside the API (metrics, webhooks, dashboard),
	// keyed by ServeMux pattern.
	Extra map[string]http.Handler

	limiters *limiters
}

// Handler returns the HTTP handler of the whole API.
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
	s.limiters = newLimiters(s.RateLimit)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /openapi.json", serveOpenAPI)

	mux.HandleFunc("POST /v1/admin/tenants", s.admin(s.createTenant))
	mux.HandleFunc("GET /v1/admin/tenants", s.admin(s.listTenants))
	mux.HandleFunc("PATCH /v1/admin/tenants/{id}", s.admin(s.patchTenant))
	mux.HandleFunc("PUT /v1/admin/tenants/{id}/providers", s.admin(s.putTenantProviders))
	mux.HandleFunc("GET /v1/admin/tenants/{id}/providers", s.admin(s.getTenantProviders))

	mux.HandleFunc("GET /v1/api-keys", s.tenant(s.listAPIKeys))
	mux.HandleFunc("POST /v1/api-keys", s.tenant(s.idempotentSealed(s.createAPIKey)))
	mux.HandleFunc("DELETE /v1/api-keys/{id}", s.tenant(s.revokeAPIKey))

	mux.HandleFunc("GET /v1/settings", s.tenant(s.getSettings))
	mux.HandleFunc("PUT /v1/settings", s.tenant(s.putSettings))

	mux.HandleFunc("POST /v1/leads", s.tenant(s.idempotent(s.createLead)))
	mux.HandleFunc("GET /v1/leads", s.tenant(s.listLeads))
	mux.HandleFunc("GET /v1/leads/{id}", s.tenant(s.getLead))
	mux.HandleFunc("PATCH /v1/leads/{id}", s.tenant(s.patchLead))
	mux.HandleFunc("DELETE /v1/leads/{id}", s.tenant(s.eraseLead))

	mux.HandleFunc("POST /v1/meetings", s.tenant(s.bookMeetingRoute()))
	mux.HandleFunc("POST /v1/meetings/batch", s.tenant(s.bookBatch))
	mux.HandleFunc("GET /v1/meetings", s.tenant(s.listMeetings))
	mux.HandleFunc("GET /v1/meetings/{id}", s.tenant(s.getMeeting))
	mux.HandleFunc("PATCH /v1/meetings/{id}", s.tenant(s.patchMeeting))
	mux.HandleFunc("POST /v1/meetings/{id}/cancel", s.tenant(s.idempotent(s.cancelMeeting)))

	mux.HandleFunc("GET /v1/reminders", s.tenant(s.listReminders))
	mux.HandleFunc("GET /v1/reminders/{id}", s.tenant(s.getReminder))
	mux.HandleFunc("GET /v1/audit", s.tenant(s.listAudit))
	mux.HandleFunc("GET /v1/outbox", s.tenant(s.listOutbox))

	mux.HandleFunc("GET /v1/templates", s.tenant(s.listTemplates))
	mux.HandleFunc("GET /v1/templates/{name}", s.tenant(s.getTemplate))
	mux.HandleFunc("PUT /v1/templates/{name}", s.tenant(s.putTemplate))
	mux.HandleFunc("DELETE /v1/templates/{name}", s.tenant(s.deleteTemplate))
	mux.HandleFunc("POST /v1/templates/{name}/preview", s.tenant(s.previewTemplate))

	mux.HandleFunc("POST /v1/webhook-endpoints", s.tenant(s.idempotent(s.createEndpoint)))
	mux.HandleFunc("GET /v1/webhook-endpoints", s.tenant(s.listEndpoints))
	mux.HandleFunc("GET /v1/webhook-endpoints/{id}", s.tenant(s.getEndpoint))
	mux.HandleFunc("PATCH /v1/webhook-endpoints/{id}", s.tenant(s.patchEndpoint))
	mux.HandleFunc("DELETE /v1/webhook-endpoints/{id}", s.tenant(s.deleteEndpoint))
	mux.HandleFunc("POST /v1/webhook-endpoints/{id}/rotate-secret", s.tenant(s.rotateSecret))
	mux.HandleFunc("GET /v1/events", s.tenant(s.listEvents))
	mux.HandleFunc("GET /v1/events/{id}", s.tenant(s.getEvent))
	mux.HandleFunc("POST /v1/events/{id}/redeliver", s.tenant(s.redeliverEvent))

	for pattern, h := range s.Extra {
		mux.Handle(pattern, h)
	}
	return s.observe(s.recoverPanics(s.checkRequestText(problemForUnmatched(mux))))
}

// tenantHandler is a handler that runs for one authenticated tenant.
type tenantHandler func(w http.ResponseWriter, r *http.Request, tenant herald.Tenant) error

// tenant authenticates the bearer API key and runs h for its tenant; every
// store call of h is scoped by that tenant.
func (s *Server) tenant(h tenantHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := bearer(r)
		if !ok {
			writeError(w, r, s.Logger, herald.Errorf(herald.ECodeUnauthorized, "an Authorization: Bearer <API key> header is required"))
			return
		}
		t, err := s.Store.TenantByAPIKey(r.Context(), key)
		if err != nil {
			writeError(w, r, s.Logger, err)
			return
		}
		// Counted once the key is known good, so that a flood of wrong
		// keys cannot fill the limiter.
		if wait, ok := s.limiters.take(key, s.Clock.Now()); !ok {
			rateLimited(w, r, s, wait)
			return
		}
		if err := h(w, r, t); err != nil {
			writeError(w, r, s.Logger, err)
		}
	}
}

// admin runs h when the request carries the admin token.
func (s *Server) admin(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := bearer(r)
		switch {
		case s.AdminToken == "":
			writeError(w, r, s.Logger, herald.Errorf(herald.ECodeUnauthorized, "the admin API is disabled: set HERALD_ADMIN_TOKEN"))
			return
		case !ok || subtle.ConstantTimeCompare([]byte(key), []byte(s.AdminToken)) != 1:
			writeError(w, r, s.Logger, herald.Errorf(herald.ECodeUnauthorized, "the admin token is missing or wrong"))
			return
		}
		if err := h(w, r); err != nil {
			writeError(w, r, s.Logger, err)
		}
	}
}

func bearer(r *http.Request) (string, bool) {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		return "", false
	}
	return strings.TrimSpace(key), true
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.Logger.WarnContext(r.Context(), "database not ready", "error", err)
		writeError(w, r, s.Logger, herald.Errorf(herald.ECodeUnavailable, "the database does not answer"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.ErrorContext(r.Context(), "panic in handler", "path", r.URL.Path, "panic", v)
				writeError(w, r, s.Logger, herald.Errorf(herald.ECodeInternal, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
