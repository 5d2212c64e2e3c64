// requests.go: the record of the requests the server received, and what tests ask of it.

package cyclrtest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is one request as the server saw it, body included.
type Request struct {
	Endpoint Endpoint
	Method   string
	Path     string
	Header   http.Header
	Body     []byte
	At       time.Time
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Writes returns the requests that would change something in Cyclr: every POST and PUT
// other than the token request.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Endpoint != EndpointToken && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch || r.Method == http.MethodDelete) {
			out = append(out, r)
		}
	}
	return out
}

// Saw reports whether any request so far carried b (in its path, a header or its body),
// base64-encoded forms included: how a test proves an access key never reached Cyclr.
func (s *Server) Saw(b string) bool {
	needles := []string{b, base64.StdEncoding.EncodeToString([]byte(b)), url.QueryEscape(b)}
	for _, r := range s.Requests() {
		hay := r.Path + "\n" + string(r.Body)
		for k, vs := range r.Header {
			hay += "\n" + k + ": " + strings.Join(vs, ",")
		}
		for _, n := range needles {
			if n != "" && strings.Contains(hay, n) {
				return true
			}
		}
		// A Basic AuthValue holds the key only inside base64(ID:secret): decode what looks
		// like base64 and look again.
		for _, tok := range strings.FieldsFunc(string(r.Body), func(c rune) bool { return c == '"' || c == ' ' || c == ',' || c == ':' }) {
			if d, err := base64.StdEncoding.DecodeString(tok); err == nil && strings.Contains(string(d), b) {
				return true
			}
		}
	}
	return false
}
