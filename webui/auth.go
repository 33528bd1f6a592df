package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"herald"
	"herald/render"
)

// Cookie names. The sign-in form's CSRF token travels in its own cookie
// (double submit), since there is no session yet to hold it.
const (
	sessionCookie = "herald_session"
	loginCookie   = "herald_login"
)

// maxFormBytes bounds a form body; the largest is a template.
const maxFormBytes = 256 << 10

// pageCtx is one request of a signed-in user.
type pageCtx struct {
	w    http.ResponseWriter
	r    *http.Request
	sess herald.DashboardSession
	// tenant, settings and zone are set on tenant pages.
	tenant   herald.Tenant
	settings herald.Settings
	zone     *time.Location
	now      time.Time
}

// session returns the live session of the request's cookie. An admin
// session is valid only while the admin token is the one it was opened
// with.
func (s *Server) session(r *http.Request) (herald.DashboardSession, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return herald.DashboardSession{}, herald.Errorf(herald.ECodeUnauthorized, "not signed in")
	}
	sess, err := s.Dashboard.DashboardSession(r.Context(), herald.HashAPIKey(c.Value), s.Clock.Now())
	if err != nil {
		if herald.ErrorCode(err) == herald.ECodeNotFound {
			return herald.DashboardSession{}, herald.Errorf(herald.ECodeUnauthorized, "the session has ended")
		}
		return herald.DashboardSession{}, err
	}
	if sess.Admin && (s.AdminToken == "" ||
		subtle.ConstantTimeCompare([]byte(sess.KeyHash), []byte(herald.HashAPIKey(s.AdminToken))) != 1) {
		return herald.DashboardSession{}, herald.Errorf(herald.ECodeUnauthorized, "the admin token has changed")
	}
	return sess, nil
}

// tenantPage runs h for a signed-in tenant; every store call of h is
// scoped by that tenant.
func (s *Server) tenantPage(h func(c *pageCtx) error) http.HandlerFunc {
	return s.signedIn(false, h)
}

// adminPage runs h for the operator, signed in with the admin token.
func (s *Server) adminPage(h func(c *pageCtx) error) http.HandlerFunc {
	return s.signedIn(true, h)
}

func (s *Server) signedIn(admin bool, h func(c *pageCtx) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.session(r)
		if err != nil {
			if herald.ErrorCode(err) != herald.ECodeUnauthorized {
				s.renderError(w, r, nil, err)
				return
			}
			clearCookie(w, sessionCookie, s.Secure)
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/ui/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.renderError(w, r, nil, herald.Errorf(herald.ECodeUnauthorized, "Your session has ended: sign in again."))
			return
		}
		if sess.Admin != admin {
			msg := "This page is for tenants: sign in with an API key."
			if admin {
				msg = "This page is for the operator: sign in with the admin token."
			}
			s.renderError(w, r, &sess, herald.Errorf("forbidden", "%s", msg))
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.renderError(w, r, &sess, herald.Errorf(herald.ECodeInvalid, "The form could not be read."))
				return
			}
			token := r.PostForm.Get("csrf")
			if token == "" {
				token = r.Header.Get("X-CSRF-Token")
			}
			if subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRFToken)) != 1 {
				s.renderError(w, r, &sess, herald.Errorf("forbidden",
					"The form's security token is missing or out of date: reload the page and try again."))
				return
			}
		}
		c := &pageCtx{w: w, r: r, sess: sess, now: s.Clock.Now(), zone: time.UTC}
		if !admin {
			c.tenant = herald.Tenant{ID: sess.TenantID, Name: sess.TenantName}
			c.settings, err = s.Store.Settings(r.Context(), sess.TenantID)
			if err != nil {
				s.renderError(w, r, &sess, err)
				return
			}
			c.zone = render.ResolveZone("", "", c.settings.Timezone)
		}
		if err := h(c); err != nil {
			s.renderError(w, r, &sess, err)
		}
	}
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, err := s.session(r); err == nil {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, problem string) {
	token := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/ui/", HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	s.render(w, r, status, "login", nil, map[string]any{
		"LoginCSRF": token, "Problem": problem, "Next": safeNext(r.FormValue("next")),
		"AdminEnabled": s.AdminToken != "",
	})
}

// login checks an API key or the admin token and opens a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.showLogin(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("csrf"))) != 1 {
		s.showLogin(w, r, http.StatusForbidden, "The sign-in form had expired: try again.")
		return
	}
	now := s.Clock.Now()
	if !s.SignInLimiter.Allow(clientAddress(r), now) {
		s.showLogin(w, r, http.StatusTooManyRequests, "Too many sign-in attempts from your address: wait a minute and try again.")
		return
	}
	key := strings.TrimSpace(r.PostForm.Get("key"))
	sess := herald.DashboardSession{CSRFToken: rand.Text(), CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
	switch {
	case key == "":
		s.showLogin(w, r, http.StatusUnauthorized, "Enter an API key.")
		return
	case s.AdminToken != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.AdminToken)) == 1:
		sess.Admin = true
		sess.KeyHash = herald.HashAPIKey(key)
	default:
		t, err := s.Store.TenantByAPIKey(r.Context(), key)
		if herald.ErrorCode(err) == herald.ECodeUnauthorized {
			s.showLogin(w, r, http.StatusUnauthorized, "That key is not valid.")
			return
		}
		if err != nil {
			s.renderError(w, r, nil, err)
			return
		}
		sess.TenantID, sess.TenantName, sess.KeyHash = t.ID, t.Name, herald.HashAPIKey(key)
	}
	token := rand.Text() + rand.Text()
	sess.TokenHash = herald.HashAPIKey(token)
	if err := s.Dashboard.CreateDashboardSession(r.Context(), sess); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	clearCookie(w, loginCookie, s.Secure)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/ui/", HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.SessionTTL.Seconds())})
	next := safeNext(r.PostForm.Get("next"))
	if next == "" || sess.Admin != strings.HasPrefix(next, "/ui/admin/") {
		next = "/ui/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session. It needs the session's CSRF token, so that no
// other site can sign a user out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err == nil {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		_ = r.ParseForm()
		if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(sess.CSRFToken)) != 1 {
			s.renderError(w, r, &sess, herald.Errorf("forbidden", "The form's security token is missing or out of date."))
			return
		}
		if err := s.Dashboard.DeleteDashboardSession(r.Context(), sess.TokenHash); err != nil {
			s.renderError(w, r, &sess, err)
			return
		}
	}
	clearCookie(w, sessionCookie, s.Secure)
	http.Redirect(w, r, "/ui/login?signed_out=1", http.StatusSeeOther)
}

func clearCookie(w http.ResponseWriter, name string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/ui/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// safeNext keeps a return path only when it is a dashboard page, so the
// sign-in form cannot send anyone elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/ui/") || strings.HasPrefix(next, "/ui/login") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	return next
}

// clientAddress is the address sign-in attempts are counted by: the
// connection's, never a header the client could choose.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
