// faults.go: the faults an endpoint can be made to answer with, and how they are served.

package cyclrtest

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// FaultKind is a way for an endpoint to misbehave (the same kinds as cxonetest's).
type FaultKind int

// Fault kinds.
const (
	FaultStatus    FaultKind = iota + 1 // Fault.Status with a JSON Message
	FaultHTML                           // a gateway's HTML page (default 502)
	FaultTruncated                      // 200 with JSON cut off
	FaultHuge                           // 200 with a 2 MiB body
	FaultHang                           // never answers until the client gives up
	FaultReset                          // TCP reset before answering
	FaultRedirect                       // a redirect (default 302) to Fault.Location
	FaultEscape                         // an error (default 400) whose message holds escape sequences
)

var faultNames = map[string]FaultKind{
	"status": FaultStatus, "html": FaultHTML, "truncated": FaultTruncated, "huge": FaultHuge,
	"hang": FaultHang, "reset": FaultReset, "redirect": FaultRedirect, "escape": FaultEscape,
}

// ParseFaultKind reads a fault kind's name.
func ParseFaultKind(name string) (FaultKind, error) {
	if k, ok := faultNames[name]; ok {
		return k, nil
	}
	return 0, fmt.Errorf("unknown fault %q (status, html, truncated, huge, hang, reset, redirect, escape)", name)
}

// EscapeText is what FaultEscape (and a hostile connector description) sends: a title
// change, colours, a hyperlink, C1 controls and bidirectional overrides.
const EscapeText = "bad\x1b]0;pwned\x07 \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ \u009b2J \u202egnp.exe\u202c end"

// Fault makes an endpoint misbehave.
type Fault struct {
	Kind       FaultKind
	Status     int
	Message    string
	RetryAfter string
	Location   string
	Times      int // requests hit before the endpoint heals; 0 = every request
}

// SetFault makes ep misbehave; ClearFaults heals every endpoint.
func (s *Server) SetFault(ep Endpoint, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[ep] = &f
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[Endpoint]*Fault{}
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f.Kind {
	case FaultStatus:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		message(w, orInt(f.Status, http.StatusInternalServerError), orStr(f.Message, "An error has occurred."))
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(orInt(f.Status, http.StatusBadGateway))
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body><h1>%[1]s</h1></body></html>\n", orStr(f.Message, "502 Bad Gateway"))
	case FaultTruncated:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `[{"Id":1,"Name":"Nice CX`)
	case FaultHuge:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"padding":"`)
		chunk := strings.Repeat("x", 64<<10)
		for range 32 {
			if _, err := fmt.Fprint(w, chunk); err != nil {
				return
			}
		}
		fmt.Fprint(w, `"}`)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.hang:
		}
	case FaultReset:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		conn.Close()
	case FaultRedirect:
		http.Redirect(w, r, orStr(f.Location, r.URL.RequestURI()), orInt(f.Status, http.StatusFound))
	case FaultEscape:
		message(w, orInt(f.Status, http.StatusBadRequest), EscapeText)
	default: // a Fault without a Kind is a mistake in the test, not a success (as in cxonetest)
		message(w, http.StatusInternalServerError, "unknown fault")
	}
}
