package cxonetest

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// SinkConfig shapes a Sink.
type SinkConfig struct {
	// Addr is the loopback address to listen on (default 127.0.0.1:0). Another loopback
	// address such as 127.0.0.2:0 makes a different host on the same machine.
	Addr string
	// TLS serves https with a fresh loopback leaf certificate (see Config.TLS).
	TLS bool
	// Reset closes every connection with a TCP reset as soon as it is accepted, before a byte
	// is read or written: with TLS URLs, a failure that certainly comes before the client
	// wrote its request.
	Reset bool
}

// Sink is a loopback server that stands for an origin a credential must never reach: the
// target of a hostile redirect, a tampered endpoint, or a proxy. It records every connection
// and every request (a proxy's CONNECT included) and answers them all with 403, so a test can
// assert that it stayed untouched.
type Sink struct {
	// URL is the sink's origin, such as http://127.0.0.2:40125.
	URL string

	ts   *httptest.Server // nil in Reset mode
	ln   net.Listener     // Reset mode
	done chan struct{}    // Reset mode: closed when the accept loop ends

	mu       sync.Mutex
	conns    int
	requests []Request
}

// StartSink runs a sink for the test and closes it when the test ends.
func StartSink(tb testing.TB, cfg SinkConfig) *Sink {
	tb.Helper()
	s, err := NewSink(cfg)
	if err != nil {
		tb.Fatalf("sink: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// NewSink runs a sink on cfg.Addr, which must be a loopback address; Close stops it.
func NewSink(cfg SinkConfig) (*Sink, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	ln, err := listenLoopback(cfg.Addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{}
	scheme := "http://"
	if cfg.TLS {
		scheme = "https://"
	}
	if cfg.Reset {
		s.ln, s.done = ln, make(chan struct{})
		s.URL = scheme + ln.Addr().String()
		go s.resetLoop()
		return s, nil
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.ts.Listener.Close()
	s.ts.Listener = ln
	s.ts.Config.ReadHeaderTimeout = 10 * time.Second
	s.ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
		}
	}
	if cfg.TLS {
		StartTLS(s.ts)
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL
	return s, nil
}

func (s *Sink) resetLoop() {
	defer close(s.done)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST, not FIN
		}
		c.Close()
	}
}

func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	rec := Request{Endpoint: endpointOf(r.URL.Path), Method: r.Method, Host: r.Host, Path: r.URL.Path,
		Query: r.URL.Query(), Header: r.Header.Clone(), At: time.Now()}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		_ = r.ParseForm()
		rec.Form = r.PostForm
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	writeJSON(w, http.StatusForbidden, map[string]any{"error": "access_denied", "message": "sink: this origin must never be contacted"})
}

// Conns is the number of connections accepted so far, whether or not a request followed.
func (s *Sink) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Requests returns the requests received so far, oldest first.
func (s *Sink) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Touched reports whether anything reached the sink: a connection or a request.
func (s *Sink) Touched() bool { return s.Conns() > 0 || len(s.Requests()) > 0 }

// Close stops the sink.
func (s *Sink) Close() {
	if s.ts != nil {
		s.ts.CloseClientConnections()
		s.ts.Close()
		return
	}
	s.ln.Close()
	<-s.done
}
