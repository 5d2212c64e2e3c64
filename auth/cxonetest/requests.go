// requests.go: the record of the requests the server received, and what tests ask of it.

package cxonetest

import (
	"net/http"
	"net/url"
	"time"
)

// Request is one request as the server saw it.
type Request struct {
	Endpoint Endpoint
	Method   string
	Host     string // the Host header; for a proxy's CONNECT, the target host:port
	Path     string
	Query    url.Values
	Header   http.Header
	Form     url.Values // the parsed body of form posts
	At       time.Time
	// RemoteAddr is the client's address and port: one per connection, so tests can count
	// the connections a client opened.
	RemoteAddr string
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsTo returns the requests received by ep.
func (s *Server) RequestsTo(ep Endpoint) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Endpoint == ep {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}
