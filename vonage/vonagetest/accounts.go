package vonagetest

import "time"

// Parameters the handler adds to an accepted request's form, for the
// record of accepted parts; they never come from a client.
const (
	acceptedKeyParam = "\x00api-key"
	acceptedAtParam  = "\x00at"
)

// account is one API key's credentials and request budget. The Server's
// own key is an account too.
type account struct {
	secret    string
	perSecond int
	// windowStart and windowCount count the requests of the current
	// calendar second.
	windowStart time.Time
	windowCount int
	throttled   int
}

// WithThroughput makes the Server answer status 1 (Throttled), as Vonage
// does, to requests of its own API key beyond perSecond in one second (each
// calendar second counted on its own).
func WithThroughput(perSecond int) Option {
	return func(s *Server) { s.throughput = perSecond }
}

// WithAccount adds another API key the Server accepts, with its own
// throughput limit (0: none), as a tenant's own Vonage account beside the
// operator's.
func WithAccount(key, secret string, perSecond int) Option {
	return func(s *Server) { s.accounts[key] = &account{secret: secret, perSecond: perSecond} }
}

// validCredentials reports whether key and secret are the Server's own or
// those of an added account.
func (s *Server) validCredentials(key, secret string) bool {
	if key == s.apiKey {
		return secret == s.apiSecret
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[key]
	return a != nil && a.secret == secret
}

// throttle counts a valid request of key arriving at and reports whether
// it is over the key's limit.
func (s *Server) throttle(key string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[key]
	if a == nil {
		a = &account{secret: s.apiSecret, perSecond: s.throughput}
		s.accounts[key] = a
	}
	if a.perSecond <= 0 {
		return false
	}
	if second := at.Truncate(time.Second); !second.Equal(a.windowStart) {
		a.windowStart, a.windowCount = second, 0
	}
	a.windowCount++
	if a.windowCount > a.perSecond {
		a.throttled++
		return true
	}
	return false
}

// Throttled returns how many requests of key the Server answered with
// status 1 because of its throughput limit.
func (s *Server) Throttled(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[key]; a != nil {
		return a.throttled
	}
	return 0
}
