package auth

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// Every fault the emulator can stage, counted in token POSTs: a POST carries the client secret
// and the access key, so each one that is sent again, or sent elsewhere, is a finding.

// assertClean fails when s could reach a terminal with a control character, an escape
// sequence, a bidirectional control or invalid UTF-8 (see clean in fuzz_test.go).
func assertClean(t *testing.T, what, s string) {
	t.Helper()
	if !clean(s) {
		t.Errorf("%s is not clean for a terminal: %q", what, s)
	}
}

func TestCheckTokenFaults(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		ep    cxonetest.Endpoint // default: the token endpoint
		fault func(sink *cxonetest.Sink) cxonetest.Fault
		sink  *cxonetest.SinkConfig // a server that must stay untouched
		ok    bool
		kind  Kind
		posts int
		// sleeps are the waits between attempts; nil: none.
		sleeps []time.Duration
		msg    string // in the error message
	}{
		{name: "503 once", fault: status(503, "", 1), ok: true, posts: 2, sleeps: []time.Duration{200 * ms}},
		{name: "503 always", fault: status(503, "", 0), kind: KindServer, posts: 3, sleeps: []time.Duration{200 * ms, 400 * ms}, msg: "HTTP 503"},
		{name: "500 always", fault: status(500, "", 0), kind: KindServer, posts: 3, sleeps: []time.Duration{200 * ms, 400 * ms}, msg: "HTTP 500"},
		{name: "429 with Retry-After 2", fault: status(429, "2", 1), ok: true, posts: 2, sleeps: []time.Duration{2 * time.Second}},
		{name: "429 with Retry-After 100 is capped", fault: status(429, "100", 2), ok: true, posts: 3, sleeps: []time.Duration{10 * time.Second, 10 * time.Second}},
		{name: "429 without Retry-After", fault: status(429, "", 1), ok: true, posts: 2, sleeps: []time.Duration{200 * ms}},
		{name: "429 always", fault: status(429, "1", 0), kind: KindServer, posts: 3, sleeps: []time.Duration{time.Second, time.Second}, msg: "rate limited"},
		{name: "HTML gateway page 502", fault: kind(cxonetest.FaultHTML, 502), kind: KindServer, posts: 3, sleeps: []time.Duration{200 * ms, 400 * ms}, msg: "502 Bad Gateway"},
		{name: "HTML page 400", fault: kind(cxonetest.FaultHTML, 400), kind: KindProtocol, posts: 1, msg: "HTTP 400"},
		{name: "truncated JSON", fault: kind(cxonetest.FaultTruncated, 0), kind: KindProtocol, posts: 1, msg: "not valid JSON"},
		{name: "huge body", fault: kind(cxonetest.FaultHuge, 0), kind: KindProtocol, posts: 1, msg: "1 MiB"},
		{name: "hang", fault: kind(cxonetest.FaultHang, 0), kind: KindTimeout, posts: 1, msg: "did not answer"},
		// The emulator resets after reading the request: it may have been processed, so the
		// secrets are not sent a second time.
		{name: "reset after the request was written", fault: kind(cxonetest.FaultReset, 0), kind: KindNetwork, posts: 1},
		{name: "reset once after the request was written", fault: func(*cxonetest.Sink) cxonetest.Fault {
			return cxonetest.Fault{Kind: cxonetest.FaultReset, Times: 1}
		}, kind: KindNetwork, posts: 1},
		{name: "302 to the same origin", fault: redirect(302, ""), kind: KindProtocol, posts: 1, msg: "never follows redirects"},
		{name: "307 to the same origin", fault: redirect(307, ""), kind: KindProtocol, posts: 1, msg: "never follows redirects"},
		{name: "308 to the same origin", fault: redirect(308, ""), kind: KindProtocol, posts: 1, msg: "never follows redirects"},
		{name: "307 to another port", sink: &cxonetest.SinkConfig{}, fault: redirect(307, ""), kind: KindProtocol, posts: 1, msg: "redirected to http://127.0.0.1:"},
		{name: "308 to another port", sink: &cxonetest.SinkConfig{}, fault: redirect(308, ""), kind: KindProtocol, posts: 1, msg: "redirected to http://127.0.0.1:"},
		{name: "302 to another port", sink: &cxonetest.SinkConfig{}, fault: redirect(302, ""), kind: KindProtocol, posts: 1, msg: "redirected to http://127.0.0.1:"},
		{name: "307 to another host", sink: &cxonetest.SinkConfig{Addr: "127.0.0.2:0"}, fault: redirect(307, ""), kind: KindProtocol, posts: 1, msg: "redirected to http://127.0.0.2:"},
		{name: "308 to another host", sink: &cxonetest.SinkConfig{Addr: "127.0.0.2:0"}, fault: redirect(308, ""), kind: KindProtocol, posts: 1, msg: "redirected to http://127.0.0.2:"},
		{name: "307 to localhost from 127.0.0.1", sink: &cxonetest.SinkConfig{}, fault: redirect(307, "localhost"), kind: KindProtocol, posts: 1, msg: "redirected to http://localhost:"},
		{name: "escape sequences in the description", fault: kind(cxonetest.FaultEscape, 0), kind: KindProtocol, posts: 1, msg: "bad"},
		{name: "token endpoint 404", fault: status(404, "", 0), kind: KindProtocol, posts: 1, msg: "HTTP 404"},
		{name: "tenant discovery 404", ep: cxonetest.EndpointTenant, fault: status(404, "", 0), ok: true, posts: 1},
		{name: "proof 403", ep: cxonetest.EndpointAPI, fault: status(403, "", 0), ok: true, posts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cxonetest.Config{})
			h.c.Timeout = 500 * time.Millisecond // bounds the hang; the emulator answers in microseconds
			var sink *cxonetest.Sink
			if tt.sink != nil {
				sink = cxonetest.StartSink(t, *tt.sink)
			}
			ep := tt.ep
			if ep == "" {
				ep = cxonetest.EndpointToken
			}
			h.srv.SetFault(ep, tt.fault(sink))
			res, err := h.check(t, defaultCreds())
			if (err == nil) != tt.ok || KindOf(err) != tt.kind {
				t.Fatalf("got %v (kind %q), want ok %v kind %q", err, KindOf(err), tt.ok, tt.kind)
			}
			if n := h.count(cxonetest.EndpointToken); n != tt.posts {
				t.Errorf("%d token requests, want %d", n, tt.posts)
			}
			if !equalDurations(h.sleeps, tt.sleeps) {
				t.Errorf("waits %v, want %v", h.sleeps, tt.sleeps)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("error %q does not mention %q", err, tt.msg)
				}
				assertClean(t, "error", err.Error())
			} else {
				if res.Tenant == "" {
					t.Errorf("result without claims")
				}
				if tt.ep != "" && len(res.Warnings) != 1 {
					t.Errorf("warnings %q, want one", res.Warnings)
				}
			}
			for _, e := range h.events {
				assertClean(t, "stage detail", e.Detail)
			}
			if sink != nil && sink.Touched() {
				t.Errorf("the redirect target received %d connections, %d requests; want none", sink.Conns(), len(sink.Requests()))
			}
		})
	}
}

func status(code int, retryAfter string, times int) func(*cxonetest.Sink) cxonetest.Fault {
	return func(*cxonetest.Sink) cxonetest.Fault {
		return cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: code, RetryAfter: retryAfter, Times: times, Description: "from the fault"}
	}
}

func kind(k cxonetest.FaultKind, code int) func(*cxonetest.Sink) cxonetest.Fault {
	return func(*cxonetest.Sink) cxonetest.Fault { return cxonetest.Fault{Kind: k, Status: code} }
}

// redirect points the endpoint at the sink (its path kept), or at itself without a sink. host
// replaces the sink's host name, to reach the same server under another name.
func redirect(code int, host string) func(*cxonetest.Sink) cxonetest.Fault {
	return func(sink *cxonetest.Sink) cxonetest.Fault {
		f := cxonetest.Fault{Kind: cxonetest.FaultRedirect, Status: code}
		if sink != nil {
			f.Location = sink.URL + "/auth/token"
			if host != "" {
				f.Location = strings.Replace(f.Location, "127.0.0.1", host, 1)
			}
		}
		return f
	}
}

// TestCheckResetBeforeWriteIsRetried: a TLS handshake reset comes before a byte of the request
// was written, so the request is sent again (twice at most).
func TestCheckResetBeforeWriteIsRetried(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	resetter := cxonetest.StartSink(t, cxonetest.SinkConfig{TLS: true, Reset: true})
	_, err := h.check(t, defaultCreds(), func(o *Options) { o.Issuer = resetter.URL })
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.sent {
		t.Fatalf("got %v, want a network error before anything was sent", err)
	}
	if n := resetter.Conns(); n != 3 {
		t.Errorf("%d connections, want 3 (the first and two retries)", n)
	}
	if len(h.sleeps) != 2 {
		t.Errorf("waits %v, want 2", h.sleeps)
	}
}

// TestCheckRedirectsOfGETs: discovery, tenant discovery and the proof (which carries the
// Bearer token) follow redirects only within their origin.
func TestCheckRedirectsOfGETs(t *testing.T) {
	t.Run("three redirects within the origin are followed", func(t *testing.T) {
		h := newHarness(t, cxonetest.Config{})
		h.srv.SetFault(cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultRedirect, Status: 307, Times: 3})
		if _, err := h.check(t, defaultCreds()); err != nil {
			t.Fatalf("check through 3 redirects: %v", err)
		}
		if n := h.count(cxonetest.EndpointDiscovery); n != 4 {
			t.Errorf("%d discovery requests, want 4", n)
		}
	})
	t.Run("a fourth is refused", func(t *testing.T) {
		h := newHarness(t, cxonetest.Config{})
		h.srv.SetFault(cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultRedirect, Times: 4})
		_, err := h.check(t, defaultCreds())
		if KindOf(err) != KindProtocol || !strings.Contains(err.Error(), "more than 3 redirects") {
			t.Fatalf("got %v, want a protocol error about redirects", err)
		}
		if n := h.count(cxonetest.EndpointDiscovery); n != 4 {
			t.Errorf("%d discovery requests, want 4", n)
		}
	})
	t.Run("https to http on the same host and port is refused", func(t *testing.T) {
		h := newHarness(t, cxonetest.Config{TLS: true})
		sink := cxonetest.StartSink(t, cxonetest.SinkConfig{})
		h.srv.SetFault(cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultRedirect, Location: sink.URL + "/.well-known/openid-configuration"})
		_, err := h.check(t, defaultCreds())
		if KindOf(err) != KindProtocol || !strings.Contains(err.Error(), "redirect to http://") {
			t.Fatalf("got %v, want a refused downgrade", err)
		}
		if sink.Touched() {
			t.Errorf("the http server was contacted")
		}
	})
	sinks := []struct {
		name string
		cfg  cxonetest.SinkConfig
		host string
	}{
		{"another port", cxonetest.SinkConfig{}, ""},
		{"another host", cxonetest.SinkConfig{Addr: "127.0.0.2:0"}, ""},
		{"localhost instead of 127.0.0.1", cxonetest.SinkConfig{}, "localhost"},
	}
	for _, ep := range []cxonetest.Endpoint{cxonetest.EndpointDiscovery, cxonetest.EndpointTenant, cxonetest.EndpointAPI} {
		for _, sc := range sinks {
			for _, code := range []int{302, 307, 308} {
				t.Run(string(ep)+" "+http.StatusText(code)+" to "+sc.name, func(t *testing.T) {
					h := newHarness(t, cxonetest.Config{})
					sink := cxonetest.StartSink(t, sc.cfg)
					loc := sink.URL + "/inContactAPI/services/v31.0/business-unit"
					if sc.host != "" {
						loc = strings.Replace(loc, "127.0.0.1", sc.host, 1)
					}
					h.srv.SetFault(ep, cxonetest.Fault{Kind: cxonetest.FaultRedirect, Status: code, Location: loc})
					_, err := h.check(t, defaultCreds())
					if KindOf(err) != KindProtocol || !strings.Contains(err.Error(), "redirect to http://") {
						t.Fatalf("got %v, want a refused redirect", err)
					}
					assertClean(t, "error", err.Error())
					if sink.Touched() {
						t.Errorf("the redirect target received %d connections, %d requests; want none", sink.Conns(), len(sink.Requests()))
					}
				})
			}
		}
	}
}
