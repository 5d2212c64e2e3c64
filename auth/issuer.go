package auth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ValidateIssuer checks an issuer URL and returns it normalised (no trailing slash). The issuer
// must be https, except on a loopback host (127.0.0.0/8, ::1, localhost), which may use http for
// local testing (SPEC section 5).
func ValidateIssuer(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("the issuer is empty")
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

// secureEndpoint parses an endpoint URL a server handed us and applies the https rule.
func secureEndpoint(raw, what string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the %s %q is not a URL", what, Sanitize(raw))}
	}
	if err := checkSecureURL(u); err != nil {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the %s is not secure: %v", what, err)}
	}
	return u, nil
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
