package cxonetest

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// issuerFor is the issuer as the request addressed the server: a client that calls it
// http://localhost:PORT must find that issuer in discovery, not http://127.0.0.1:PORT (OpenID
// Connect Discovery requires the two to be identical). Only loopback names on the server's
// own port are echoed; anything else gets the server's URL.
func (s *Server) issuerFor(r *http.Request) string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return s.URL
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil || port != u.Port() {
		return s.URL
	}
	switch strings.ToLower(host) {
	case "127.0.0.1", "localhost", "::1":
		return u.Scheme + "://" + strings.ToLower(r.Host)
	}
	return s.URL
}
