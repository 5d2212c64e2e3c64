package auth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// Attacks on where credentials go: each test stages a hostile server, endpoint, name or proxy
// and asserts that a sink standing for the attacker stayed untouched.

// TestAttackEndpointLessSecureThanIssuer: an https issuer whose discovery or tenant discovery
// names an http endpoint (even on loopback) would send the secrets or the Bearer token in
// clear text.
func TestAttackEndpointLessSecureThanIssuer(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(sink string) cxonetest.Config
	}{
		{"token endpoint", func(sink string) cxonetest.Config {
			return cxonetest.Config{TLS: true, TokenEndpoint: sink + "/auth/token"}
		}},
		{"API endpoint", func(sink string) cxonetest.Config { return cxonetest.Config{TLS: true, APIEndpoint: sink} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := cxonetest.StartSink(t, cxonetest.SinkConfig{})
			h := newHarness(t, tc.cfg(sink.URL))
			_, err := h.check(t, defaultCreds())
			if KindOf(err) != KindProtocol || !strings.Contains(err.Error(), "less secure than the issuer") {
				t.Fatalf("got %v, want a protocol error: less secure than the issuer", err)
			}
			if sink.Touched() {
				t.Errorf("the http endpoint received %d connections", sink.Conns())
			}
		})
	}
}

// TestAttackCachedEndpoints: the cache comes from the keyring item and is trusted input, except
// for the rules that keep credentials safe, which hold for it as for discovery.
func TestAttackCachedEndpoints(t *testing.T) {
	h := newHarness(t, cxonetest.Config{TLS: true})
	first, err := h.check(t, defaultCreds())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		mod  func(c *Cache, sink string)
	}{
		{"token endpoint at an http sink under an https issuer", func(c *Cache, sink string) { c.TokenEndpoint = sink + "/auth/token" }},
		{"API endpoint at an http sink under an https issuer", func(c *Cache, sink string) { c.APIEndpoint = sink }},
		{"token endpoint with user information", func(c *Cache, sink string) {
			c.TokenEndpoint = strings.Replace(c.TokenEndpoint, "https://", "https://user:pw@", 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := cxonetest.StartSink(t, cxonetest.SinkConfig{})
			h.srv.ResetRequests()
			cache := first.Cache()
			tc.mod(&cache, sink.URL)
			_, err := h.check(t, defaultCreds(), func(o *Options) { o.Cache = &cache })
			if KindOf(err) != KindProtocol {
				t.Fatalf("got %v, want a protocol error", err)
			}
			if sink.Touched() || len(h.srv.RequestsTo(cxonetest.EndpointAPI)) != 0 {
				t.Errorf("the sink received %d connections; the API %d requests", sink.Conns(), len(h.srv.RequestsTo(cxonetest.EndpointAPI)))
			}
		})
	}
}

// TestAttackLoopbackLookalikes: foo.localhost and localhost. are not loopback names; an http
// issuer on them is refused before anything is sent.
func TestAttackLoopbackLookalikes(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	port := strings.TrimPrefix(h.srv.URL, "http://127.0.0.1:")
	for _, issuer := range []string{"http://foo.localhost:" + port, "http://localhost.:" + port, "http://127.0.0.1.nip.io:" + port} {
		_, err := h.check(t, defaultCreds(), func(o *Options) { o.Issuer = issuer })
		if err == nil || !strings.Contains(err.Error(), "uses http") {
			t.Errorf("issuer %s: got %v, want refused", issuer, err)
		}
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

// remoteAs reports a chosen remote address for a real connection, as if a hosts file had mapped
// localhost elsewhere.
type remoteAs struct {
	net.Conn
	remote net.Addr
}

func (c remoteAs) RemoteAddr() net.Addr { return c.remote }

// TestAttackLocalhostResolvingElsewhere: a connection made for localhost that reaches an
// address off this machine is closed before the request is written.
func TestAttackLocalhostResolvingElsewhere(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	var d net.Dialer
	h.c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, strings.Replace(addr, "localhost", "127.0.0.1", 1))
		if err != nil {
			return nil, err
		}
		return remoteAs{conn, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 80}}, nil
	}
	issuer := strings.Replace(h.srv.URL, "127.0.0.1", "localhost", 1)
	_, err := h.check(t, defaultCreds(), func(o *Options) { o.Issuer = issuer })
	var le *LoopbackError
	if !errors.As(err, &le) || KindOf(err) != KindProtocol || !strings.Contains(err.Error(), "192.0.2.7:80") {
		t.Fatalf("got %v, want a LoopbackError naming 192.0.2.7:80", err)
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the server, want 0", n)
	}
	if len(h.sleeps) != 0 {
		t.Errorf("the refusal was retried: %v", h.sleeps)
	}
}

// TestUnitDialChecked covers the addresses the dial check accepts and refuses.
func TestUnitDialChecked(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		remote net.Addr
		ok     bool
	}{
		{"localhost:80", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, true},
		{"localhost:80", &net.TCPAddr{IP: net.IPv6loopback, Port: 80}, true},
		{"127.0.0.1:80", &net.TCPAddr{IP: net.IPv4(127, 9, 9, 9), Port: 80}, true},
		{"localhost:80", &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 80}, false},
		{"[::1]:80", &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 80}, false},
		{"localhost:80", &net.UnixAddr{Name: "/tmp/x", Net: "unix"}, false},
		{"cxone.niceincontact.com:443", &net.TCPAddr{IP: net.IPv4(203, 0, 113, 5), Port: 443}, true},
	} {
		c := NewClient(ClientConfig{})
		var closed bool
		c.dial = func(context.Context, string, string) (net.Conn, error) {
			a, b := net.Pipe()
			t.Cleanup(func() { b.Close() })
			return closeSpy{remoteAs{a, tc.remote}, &closed}, nil
		}
		conn, err := c.dialChecked(context.Background(), "tcp", tc.addr)
		if (err == nil) != tc.ok {
			t.Errorf("%s reaching %s: %v, want ok %v", tc.addr, tc.remote, err, tc.ok)
		}
		if !tc.ok && !closed {
			t.Errorf("%s reaching %s: the refused connection was left open", tc.addr, tc.remote)
		}
		if conn != nil {
			conn.Close()
		}
	}
}

type closeSpy struct {
	net.Conn
	closed *bool
}

func (c closeSpy) Close() error { *c.closed = true; return c.Conn.Close() }

// TestAttackProxy: a plain-http request to a loopback host never goes through a proxy, whatever
// the proxy setting says; an https request does (the proxy sees only a CONNECT).
func TestAttackProxy(t *testing.T) {
	for _, tc := range []struct {
		name  string
		proxy func(proxy string) func(*http.Request) (*url.URL, error)
	}{
		{"a proxy for every request", func(proxy string) func(*http.Request) (*url.URL, error) {
			u, _ := url.Parse(proxy)
			return func(*http.Request) (*url.URL, error) { return u, nil }
		}},
		{"the environment's proxy", func(proxy string) func(*http.Request) (*url.URL, error) {
			env := map[string]string{"HTTPS_PROXY": proxy, "HTTP_PROXY": proxy}
			return ProxyFromEnv(func(k string) string { return env[k] })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy := cxonetest.StartSink(t, cxonetest.SinkConfig{})
			srv := cxonetest.Start(t, cxonetest.Config{})
			c := NewClient(ClientConfig{Timeout: 3 * time.Second, Proxy: tc.proxy(proxy.URL)})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := c.Check(ctx, defaultCreds(), Options{Issuer: srv.URL}); err != nil {
				t.Fatalf("check of a loopback http issuer: %v", err)
			}
			if proxy.Touched() {
				t.Fatalf("the proxy received %d connections for a loopback http issuer", proxy.Conns())
			}

			_, err := c.Check(ctx, defaultCreds(), Options{Issuer: "https://cxone.example.com"})
			if err == nil {
				t.Fatal("the check through a refusing proxy succeeded")
			}
			reqs := proxy.Requests()
			if len(reqs) != 1 || reqs[0].Method != http.MethodConnect || reqs[0].Host != "cxone.example.com:443" {
				t.Errorf("the proxy saw %s, want one CONNECT cxone.example.com:443", methodsAndHosts(reqs))
			}
		})
	}
}

// methodsAndHosts describes recorded requests without their headers or forms, which may hold
// credentials.
func methodsAndHosts(reqs []cxonetest.Request) string {
	var parts []string
	for _, r := range reqs {
		parts = append(parts, r.Method+" "+r.Host+r.Path)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func TestUnitProxyFromEnv(t *testing.T) {
	req := func(s string) *http.Request { u, _ := url.Parse(s); return &http.Request{URL: u} }
	for _, tc := range []struct {
		name string
		env  map[string]string
		url  string
		want string
	}{
		{"nothing set", nil, "https://cxone.niceincontact.com", ""},
		{"HTTPS_PROXY", map[string]string{"HTTPS_PROXY": "http://proxy:3128"}, "https://cxone.niceincontact.com", "http://proxy:3128"},
		{"https_proxy", map[string]string{"https_proxy": "http://lower:3128"}, "https://cxone.niceincontact.com", "http://lower:3128"},
		{"upper case wins", map[string]string{"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}, "https://cxone.niceincontact.com", "http://upper:1"},
		{"HTTP_PROXY is not for https", map[string]string{"HTTP_PROXY": "http://proxy:3128"}, "https://cxone.niceincontact.com", ""},
		{"NO_PROXY domain", map[string]string{"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": ".niceincontact.com"}, "https://cxone.niceincontact.com", ""},
		{"no_proxy", map[string]string{"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "cxone.niceincontact.com"}, "https://cxone.niceincontact.com", ""},
		{"loopback goes direct", map[string]string{"HTTP_PROXY": "http://proxy:3128"}, "http://127.0.0.1:8080", ""},
		{"CGI refuses HTTP_PROXY", map[string]string{"HTTP_PROXY": "http://proxy:3128", "REQUEST_METHOD": "GET"}, "http://cxone.example.com", "error"},
		{"CGI keeps HTTPS_PROXY", map[string]string{"HTTPS_PROXY": "http://proxy:3128", "REQUEST_METHOD": "GET"}, "https://cxone.example.com", "http://proxy:3128"},
	} {
		got, err := ProxyFromEnv(func(k string) string { return tc.env[k] })(req(tc.url))
		s := "error"
		if err == nil {
			s = ""
			if got != nil {
				s = got.String()
			}
		}
		if s != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, s, err, tc.want)
		}
	}
}

// TestAttackEscapesFromTheServer puts escape payloads in every server string that reaches a
// Result, an error message or a stage detail.
func TestAttackEscapesFromTheServer(t *testing.T) {
	evil := cxonetest.EscapeText
	t.Run("claims, tenant discovery and proof", func(t *testing.T) {
		h := newHarness(t, cxonetest.Config{})
		u := cxonetest.DefaultUser
		u.ID, u.Name, u.Tenant, u.BusinessUnitName, u.Area, u.Cluster = "id"+evil, "name"+evil, "tenant"+evil, "bu"+evil, "area"+evil, "cluster"+evil
		u.TenantID = "22eb660f-4c6d-34a0-8733-0242ac110002" // its own tenant, so tenant discovery answers with its area and cluster
		h.srv.AddAccessKey("EVILKEY", "EVILSECRET", u)
		creds := defaultCreds()
		creds.AccessKeyID, creds.AccessKeySecret = "EVILKEY", "EVILSECRET"
		res, err := h.check(t, creds)
		if err != nil {
			t.Fatalf("check: %v", err)
		}
		assertAllClean(t, reflect.ValueOf(*res), "Result")
		for _, w := range []string{res.User, res.Tenant, res.BusinessUnit, res.Area, res.Cluster, res.UserID} {
			if !strings.Contains(w, "bad") || !strings.Contains(w, "end") {
				t.Errorf("the visible text was lost: %q", w)
			}
		}
		for _, e := range h.events {
			assertClean(t, "stage detail", e.Detail)
		}
	})
	for _, tc := range []struct {
		name  string
		ep    cxonetest.Endpoint
		fault cxonetest.Fault
	}{
		{"token error description", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultEscape}},
		{"token error code and description", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 400, Code: evil, Description: evil}},
		{"token 401 description", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, Code: "invalid_client", Description: evil}},
		{"token 503 description", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503, Description: evil}},
		{"token HTML excerpt", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultHTML, Status: 502, Description: evil}},
		{"discovery HTML excerpt", cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultHTML, Status: 404, Description: evil}},
		{"discovery error", cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 400, Code: evil, Description: evil}},
		{"tenant error", cxonetest.EndpointTenant, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 500, Description: evil}},
		{"proof 401 description", cxonetest.EndpointAPI, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, Description: evil}},
		{"proof 400", cxonetest.EndpointAPI, cxonetest.Fault{Kind: cxonetest.FaultEscape}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, cxonetest.Config{})
			h.srv.SetFault(tc.ep, tc.fault)
			_, err := h.check(t, defaultCreds())
			if err == nil {
				t.Fatal("check passed")
			}
			assertClean(t, "error", err.Error())
			if !strings.Contains(err.Error(), "bad") {
				t.Errorf("the server's words are missing: %q", err)
			}
			for _, e := range h.events {
				assertClean(t, "stage detail", e.Detail)
			}
		})
	}
}

// assertAllClean checks every string field (and string slice element) of a struct value.
func assertAllClean(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		assertClean(t, path, v.String())
	case reflect.Slice:
		for i := range v.Len() {
			assertAllClean(t, v.Index(i), path+"[]")
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				assertAllClean(t, v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	}
}
