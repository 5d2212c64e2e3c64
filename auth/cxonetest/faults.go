// faults.go: the faults an endpoint can be made to answer with, and how they are served.

package cxonetest

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// FaultKind is a way for an endpoint to misbehave.
type FaultKind int

// Fault kinds.
const (
	// FaultStatus answers Fault.Status with a JSON error body (Code, Description), and
	// Retry-After when set.
	FaultStatus FaultKind = iota + 1
	// FaultHTML answers Fault.Status (default 502) with a gateway's HTML page; its title is
	// Fault.Description when set (default "502 Bad Gateway").
	FaultHTML
	// FaultTruncated answers 200 with JSON cut off in the middle.
	FaultTruncated
	// FaultHuge answers 200 with a 2 MiB JSON body.
	FaultHuge
	// FaultHang never answers until the client gives up (or the server closes).
	FaultHang
	// FaultReset closes the connection with a TCP reset before answering.
	FaultReset
	// FaultRedirect answers Fault.Status (default 302; 301, 303, 307 and 308 work too) with
	// Location set to Fault.Location (default: the same URL again, a loop). A 307 or 308 asks
	// the client to send the same method and body again, credentials included, to Location.
	FaultRedirect
	// FaultEscape answers Fault.Status (default 400) with an error whose description holds
	// terminal escape sequences and control characters.
	FaultEscape
)

var faultNames = map[string]FaultKind{
	"status": FaultStatus, "html": FaultHTML, "truncated": FaultTruncated, "huge": FaultHuge,
	"hang": FaultHang, "reset": FaultReset, "redirect": FaultRedirect, "escape": FaultEscape,
}

// ParseFaultKind reads a fault kind's name: status, html, truncated, huge, hang, reset,
// redirect, escape.
func ParseFaultKind(name string) (FaultKind, error) {
	if k, ok := faultNames[name]; ok {
		return k, nil
	}
	return 0, fmt.Errorf("unknown fault %q (status, html, truncated, huge, hang, reset, redirect, escape)", name)
}

// EscapeText is the description FaultEscape sends, and a payload for any other server string:
// a terminal title change, colours, a hyperlink, a bell, the 8-bit (C1) forms of CSI, OSC,
// DCS, SOS, PM and APC with their bodies, bidirectional overrides and isolates, and a line
// separator. Every character of it that is not plain text must be stripped before display.
const EscapeText = "bad\x1b]0;pwned\x07 client\x1b[31m red\x1b[0m \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\\r\x08 end" +
	" \u009b2J\u009d0;c1title\u009c\u0090dcs\u009c\u0098sos\u009c\u009epm\u009c\u009fapc\u009c" +
	" \u202egnp.exe\u202c \u2066iso\u2069\u200f\u061c\u2028tail\x7f\x00"

// Fault makes an endpoint misbehave.
type Fault struct {
	Kind        FaultKind
	Status      int    // FaultStatus, FaultHTML, FaultEscape
	Code        string // FaultStatus: the `error` field (empty: none)
	Description string // FaultStatus: the `errorDescription` field
	RetryAfter  string // FaultStatus: the Retry-After header (empty: none)
	// StatusDescription is FaultStatus's icStatusDescription header, where CXone's API puts an
	// error's text; with neither Code nor Description the body is then empty, as CXone sends it.
	StatusDescription string
	Location          string // FaultRedirect: where to (empty: the same URL)
	// Times is how many requests the fault hits before the endpoint behaves again; 0 means
	// every request.
	Times int
	// Method limits the fault to requests with this method (empty: every method), such as
	// PATCH on EndpointAccessKeys to fail a deactivation only.
	Method string
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
		if f.StatusDescription != "" {
			w.Header().Set("icStatusDescription", f.StatusDescription)
			if f.Code == "" && f.Description == "" {
				w.WriteHeader(orDefault(f.Status, http.StatusInternalServerError))
				return
			}
		}
		body := map[string]any{}
		if f.Code != "" {
			body["error"] = f.Code
		}
		if f.Description != "" {
			body["errorDescription"] = f.Description
		}
		writeJSON(w, orDefault(f.Status, http.StatusInternalServerError), body)
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(orDefault(f.Status, http.StatusBadGateway))
		title := f.Description
		if title == "" {
			title = "502 Bad Gateway"
		}
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%s</title></head>\n<body><center><h1>%[1]s</h1></center><hr><center>gateway</center></body></html>\n", title)
	case FaultTruncated:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlZmF1bHQifQ.eyJzdWIiOi`)
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
		if sc, ok := conn.(*slowConn); ok {
			conn = sc.Conn
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST, not FIN
		}
		conn.Close()
	case FaultRedirect:
		loc := f.Location
		if loc == "" {
			loc = r.URL.RequestURI()
		}
		http.Redirect(w, r, loc, orDefault(f.Status, http.StatusFound))
	case FaultEscape:
		writeJSON(w, orDefault(f.Status, http.StatusBadRequest), map[string]any{"error": "invalid_request", "errorDescription": EscapeText})
	default:
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "server_error", "message": "unknown fault"})
	}
}
