package outbound

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"herald"
)

// Resolver finds the addresses of a host name; net.DefaultResolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard decides which URLs may receive events. An endpoint must be https
// to a public address. With AllowPrivate (HERALD_WEBHOOK_ALLOW_PRIVATE=1)
// it may also lead to a private, loopback or link-local address, over
// https or http. The host is resolved and every address it resolves to is
// checked when the endpoint is saved, and the address actually dialled is
// checked again at each delivery, so a DNS change cannot point an
// endpoint inside the network.
type Guard struct {
	AllowPrivate bool
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
}

// internal reports whether addr is not a public unicast address, and
// whether it is one that AllowPrivate admits.
func internal(addr netip.Addr) (internal, admissible bool) {
	addr = addr.Unmap()
	switch {
	case addr.IsLoopback(), addr.IsPrivate(), addr.IsLinkLocalUnicast():
		return true, true
	case !addr.IsValid(), addr.IsUnspecified(), addr.IsMulticast(), addr.IsLinkLocalMulticast(),
		addr.IsInterfaceLocalMulticast():
		return true, false
	}
	for _, p := range reserved {
		if p.Contains(addr) {
			return true, true
		}
	}
	return false, false
}

// reserved are ranges that are not public though the standard library
// does not call them private: shared address space (carrier-grade NAT),
// "this network", IPv6's IPv4-compatible (deprecated), NAT64 (well-known
// and local-use) and discard prefixes.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
}

// allowAddr says why a delivery over scheme may not go to addr, or nil.
func (g *Guard) allowAddr(scheme string, addr netip.Addr) error {
	in, admissible := internal(addr)
	switch {
	case in && (!g.AllowPrivate || !admissible):
		return fmt.Errorf("%s is a private, loopback or link-local address", addr)
	case !in && scheme != "https":
		return fmt.Errorf("plain http is allowed only to a private or loopback address; use https")
	}
	return nil
}

// CheckURL checks an endpoint URL and returns it normalised. A malformed
// URL is an invalid_url *herald.Error, one that leads somewhere not
// allowed a url_not_allowed one; both name the field "url".
func (g *Guard) CheckURL(ctx context.Context, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return "", herald.FieldErrorf(herald.ECodeInvalidURL, "url", "url must be an absolute http(s) URL without credentials")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", herald.FieldErrorf(herald.ECodeInvalidURL, "url", "url must be https (or http to a private address)")
	}
	if len(raw) > 2000 {
		return "", herald.FieldErrorf(herald.ECodeInvalidURL, "url", "url is longer than 2000 characters")
	}
	u.Fragment = ""
	addrs, err := g.resolve(ctx, u.Hostname())
	if err != nil {
		return "", herald.FieldErrorf(herald.ECodeURLNotAllowed, "url", "the host %s does not resolve", u.Hostname())
	}
	for _, a := range addrs {
		if err := g.allowAddr(u.Scheme, a); err != nil {
			return "", herald.FieldErrorf(herald.ECodeURLNotAllowed, "url", "%s resolves to %v", u.Hostname(), err)
		}
	}
	return u.String(), nil
}

func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if addr, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{addr}, nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err == nil && len(addrs) == 0 {
		err = fmt.Errorf("no addresses")
	}
	return addrs, err
}

// Client returns an HTTP client for deliveries over scheme: its dialer
// refuses any address the guard does not allow, whatever the name
// resolved to at the time of the request. It uses no proxy from the
// environment, whose address would be checked in place of the target's.
func (g *Guard) Client(scheme string, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{
		Timeout: timeout,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			addr, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if err := g.allowAddr(scheme, addr); err != nil {
				return fmt.Errorf("refused: %w", err)
			}
			return nil
		},
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		// A redirect is not followed: the endpoint is the URL the tenant
		// saved, and a 3xx answer counts as a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
