package auth

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// ValidateIssuer checks an issuer URL and returns it normalised (no trailing slash). The issuer
// must be https, except on a loopback host (see IsLoopback), which may use http for local
// testing.
func ValidateIssuer(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("the issuer is empty")
	}
	if hasUnsafe(raw) {
		return "", errors.New("the issuer contains control or invisible formatting characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("%q is not a URL: want something like %s", Sanitize(raw), IssuerCommercial)
	}
	if u.User != nil {
		return "", errors.New("the issuer URL must not contain a user name or password")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("the issuer %s must not have a query or fragment", Sanitize(u.Scheme+"://"+u.Host+u.Path))
	}
	if err := checkSecureURL(u); err != nil {
		return "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/"), nil
}

// checkSecureURL enforces https except on loopback hosts.
func checkSecureURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%s uses http: CXone endpoints must be https (http is allowed only on loopback hosts, for testing)", Sanitize(u.Host))
	}
	return fmt.Errorf("%s: want an https URL", Sanitize(u.Scheme+"://"+u.Host))
}

// checkEndpoint parses an endpoint URL that a server named (discovery's token_endpoint, tenant
// discovery's api_endpoint) or that an earlier check remembered (Options.Cache), and applies
// the rules that keep credentials where they belong: an absolute http(s) URL without user
// information, control characters or fragment; https, or http on a loopback host; and never
// less secure than the issuer, so an https issuer's endpoints are https. The cache comes from
// the keyring item and is otherwise trusted, but a tampered or stale value must not be able to
// send the secrets in clear text.
func checkEndpoint(issuer *url.URL, raw, what string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if hasUnsafe(raw) {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the %s contains control or invisible formatting characters", what)}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the %s %q is not an absolute http(s) URL", what, Sanitize(raw))}
	}
	if u.User != nil {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the %s must not contain a user name or password", what)}
	}
	if u.Fragment != "" {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the %s must not have a fragment", what)}
	}
	if err := checkSecureURL(u); err != nil {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the %s is not secure: %v", what, err)}
	}
	if strings.EqualFold(issuer.Scheme, "https") && !strings.EqualFold(u.Scheme, "https") {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the %s %s is less secure than the issuer %s: an https issuer's endpoints must be https",
			what, Sanitize(origin(u)), Sanitize(origin(issuer)))}
	}
	return u, nil
}

// origin is scheme://host:port in lower case with the default port written out, so that
// https://h and https://H:443 compare equal. Credentials are only ever sent to the origin they
// were addressed to.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// IsLoopback reports whether host (a URL's host name: no port, no brackets) names this machine:
// an IPv4 literal in 127.0.0.0/8, the IPv6 literal ::1, or exactly "localhost" in any case.
// Subdomains such as foo.localhost and the absolute name "localhost." are not loopback: some
// resolvers hand them to DNS like any other name. Even for "localhost" the client verifies
// that the connection really reached a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return false
	}
	return loopbackAddr(a)
}

// loopbackAddr reports an address in 127.0.0.0/8 or ::1.
func loopbackAddr(a netip.Addr) bool {
	return (a.Is4() && a.As4()[0] == 127) || a == netip.IPv6Loopback()
}

// issuerMismatch checks discovery's `issuer` against the issuer the document was fetched
// from (OpenID Connect Discovery 1.0 section 4.3: they must be identical), allowing only a
// trailing slash of difference. A document that names another issuer, or none, is someone
// else's configuration (a proxy, a mirror, a typo'd host that answers): its endpoints are not
// used. The message is "" when they match.
func issuerMismatch(got, want string) string {
	if got == "" {
		return "the OpenID configuration names no issuer, so it cannot be the configuration of " + Sanitize(want)
	}
	if strings.TrimSuffix(got, "/") != strings.TrimSuffix(want, "/") {
		return "the OpenID configuration is for the issuer " + tokenTypeQuote(got) + ", not " + Sanitize(want) + ": check the issuer URL"
	}
	return ""
}
