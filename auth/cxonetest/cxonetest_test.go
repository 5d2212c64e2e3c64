package cxonetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The emulator's own strictness, with plain net/http: the client's tests rely on it refusing
// what CXone refuses.

func tokenRequest(t *testing.T, s *Server, form url.Values, mod func(*http.Request)) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/auth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(
		url.QueryEscape(DefaultCredentials.ClientID)+":"+url.QueryEscape(DefaultCredentials.ClientSecret))))
	if mod != nil {
		mod(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func goodForm() url.Values {
	return url.Values{"grant_type": {"password"}, "username": {DefaultCredentials.AccessKeyID}, "password": {DefaultCredentials.AccessKeySecret}}
}

func TestEmulatorToken(t *testing.T) {
	s := Start(t, Config{})
	status, body := tokenRequest(t, s, goodForm(), nil)
	if status != 200 {
		t.Fatalf("good request: HTTP %d %v", status, body)
	}
	claims, err := VerifyJWT(body["id_token"].(string))
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	u := DefaultUser
	for k, want := range map[string]any{"tenantId": u.TenantID, "tenant": u.Tenant, "name": u.Name, "area": u.Area,
		"icClusterId": u.Cluster, "aud": DefaultCredentials.ClientID, "iss": s.URL, "icBUId": float64(u.BusinessUnitID)} {
		if claims[k] != want {
			t.Errorf("id_token %s = %v, want %v", k, claims[k], want)
		}
	}
	if at, err := VerifyJWT(body["access_token"].(string)); err != nil || at["role"] == nil {
		t.Errorf("access token: %v, role %v", err, at["role"])
	}
	if body["expires_in"] != float64(3600) || body["token_type"] != "Bearer" {
		t.Errorf("expires_in %v, token_type %v", body["expires_in"], body["token_type"])
	}

	for _, tt := range []struct {
		name   string
		form   url.Values
		mod    func(*http.Request)
		status int
		code   string
	}{
		{"json content type", goodForm(), func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, 400, "invalid_request"},
		{"grant type", url.Values{"grant_type": {"client_credentials"}}, nil, 400, "unsupported_grant_type"},
		{"no password", url.Values{"grant_type": {"password"}, "username": {"x"}}, nil, 400, "invalid_request"},
		{"two client authentications", func() url.Values { f := goodForm(); f.Set("client_id", DefaultCredentials.ClientID); return f }(), nil, 400, "invalid_request"},
		{"no client authentication", goodForm(), func(r *http.Request) { r.Header.Del("Authorization") }, 401, "invalid_client"},
		{"basic without url-encoding is still fine for plain ids", goodForm(), func(r *http.Request) {
			r.SetBasicAuth(DefaultCredentials.ClientID, DefaultCredentials.ClientSecret)
		}, 200, ""},
		{"wrong client secret", goodForm(), func(r *http.Request) { r.SetBasicAuth(DefaultCredentials.ClientID, "nope") }, 401, "invalid_client"},
		{"wrong key secret", url.Values{"grant_type": {"password"}, "username": {DefaultCredentials.AccessKeyID}, "password": {"nope"}}, nil, 400, "invalid_grant"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := tokenRequest(t, s, tt.form, tt.mod)
			if status != tt.status || (tt.code != "" && body["error"] != tt.code) {
				t.Errorf("HTTP %d %v, want %d %s", status, body["error"], tt.status, tt.code)
			}
			if tt.code != "" && body["errorDescription"] == nil {
				t.Errorf("no errorDescription in %v", body)
			}
		})
	}
}

func TestEmulatorAPIAndFaults(t *testing.T) {
	s := Start(t, Config{})
	_, body := tokenRequest(t, s, goodForm(), nil)
	tok := body["access_token"].(string)
	get := func(accept, bearer string) int {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/inContactAPI/services/v31.0/business-unit", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tt := range []struct {
		name, accept, bearer string
		want                 int
	}{
		{"ok", "application/json", tok, 200},
		{"no Accept", "", tok, 406},
		{"no token", "application/json", "", 401},
		{"unknown token", "application/json", "eyJ.x.y", 401},
	} {
		if got := get(tt.accept, tt.bearer); got != tt.want {
			t.Errorf("%s: HTTP %d, want %d", tt.name, got, tt.want)
		}
	}

	s.SetFault(EndpointAPI, Fault{Kind: FaultStatus, Status: 503, Times: 2})
	got := []int{get("application/json", tok), get("application/json", tok), get("application/json", tok)}
	if got[0] != 503 || got[1] != 503 || got[2] != 200 {
		t.Errorf("fault with Times 2: %v, want [503 503 200]", got)
	}
	s.RevokeTokens()
	if code := get("application/json", tok); code != 401 {
		t.Errorf("revoked token: HTTP %d, want 401", code)
	}
	if n := len(s.RequestsTo(EndpointAPI)); n != 8 {
		t.Errorf("recorded %d API requests, want 8", n)
	}
	s.ResetRequests()
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests after reset", n)
	}
}

func TestEmulatorListenRefusesOtherHosts(t *testing.T) {
	if s, err := Listen("0.0.0.0:0", Config{}); err == nil {
		s.Close()
		t.Error("Listen on 0.0.0.0 succeeded; the emulator must serve loopback only")
	}
	s, err := Listen("127.0.0.1:0", Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get(s.URL + "/.well-known/openid-configuration")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery: %v", err)
	}
	resp.Body.Close()
}

// noFollow is a client that reports redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestEmulatorRedirectFault(t *testing.T) {
	s := Start(t, Config{})
	for _, tt := range []struct {
		status   int
		location string
		want     string
	}{
		{0, "", "/auth/token"},
		{307, "http://127.0.0.2:9/steal", "http://127.0.0.2:9/steal"},
		{308, "http://localhost:9/steal", "http://localhost:9/steal"},
	} {
		s.SetFault(EndpointToken, Fault{Kind: FaultRedirect, Status: tt.status, Location: tt.location})
		resp, err := noFollow.Post(s.URL+"/auth/token", "application/x-www-form-urlencoded", strings.NewReader(goodForm().Encode()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := tt.status
		if want == 0 {
			want = http.StatusFound
		}
		if resp.StatusCode != want || resp.Header.Get("Location") != tt.want {
			t.Errorf("HTTP %d to %q, want %d to %q", resp.StatusCode, resp.Header.Get("Location"), want, tt.want)
		}
	}
}

func TestEmulatorOverridesAndHTMLTitle(t *testing.T) {
	s := Start(t, Config{TokenEndpoint: "http://127.0.0.2:9/auth/token"})
	resp, err := http.Get(s.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if d["token_endpoint"] != "http://127.0.0.2:9/auth/token" {
		t.Errorf("token_endpoint %v, want the override", d["token_endpoint"])
	}

	s.SetFault(EndpointDiscovery, Fault{Kind: FaultHTML, Status: 503, Description: "Maintenance"})
	resp, err = http.Get(s.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "<title>Maintenance</title>") {
		t.Errorf("HTTP %d %q, want 503 with the title Maintenance", resp.StatusCode, body)
	}
}

func TestSink(t *testing.T) {
	t.Run("records requests and connections", func(t *testing.T) {
		s := StartSink(t, SinkConfig{Addr: "127.0.0.2:0"})
		if s.Touched() {
			t.Fatal("a new sink is touched")
		}
		if !strings.HasPrefix(s.URL, "http://127.0.0.2:") {
			t.Errorf("URL %s, want one on 127.0.0.2", s.URL)
		}
		resp, err := http.PostForm(s.URL+"/auth/token", goodForm())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		reqs := s.Requests()
		if resp.StatusCode != http.StatusForbidden || len(reqs) != 1 || s.Conns() != 1 || !s.Touched() {
			t.Fatalf("HTTP %d, %d requests, %d connections; want 403, 1, 1", resp.StatusCode, len(reqs), s.Conns())
		}
		if r := reqs[0]; r.Endpoint != EndpointToken || r.Method != http.MethodPost || r.Form.Get("username") != DefaultCredentials.AccessKeyID {
			t.Errorf("recorded %s %s %s, form username matches: %v", r.Endpoint, r.Method, r.Path, r.Form.Get("username") == DefaultCredentials.AccessKeyID)
		}
	})
	t.Run("reset mode counts connections that never carried a request", func(t *testing.T) {
		s := StartSink(t, SinkConfig{Reset: true, TLS: true})
		if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
			t.Errorf("URL %s", s.URL)
		}
		_, err := http.Get(s.URL)
		if err == nil {
			t.Fatal("a request to a resetting sink succeeded")
		}
		if s.Conns() != 1 || len(s.Requests()) != 0 {
			t.Errorf("%d connections, %d requests; want 1, 0", s.Conns(), len(s.Requests()))
		}
	})
	t.Run("a proxy's CONNECT", func(t *testing.T) {
		s := StartSink(t, SinkConfig{})
		proxy, _ := url.Parse(s.URL)
		c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
		if _, err := c.Get("https://cxone.example.com/"); err == nil {
			t.Fatal("a request through the refusing proxy succeeded")
		}
		reqs := s.Requests()
		if len(reqs) != 1 {
			t.Fatalf("recorded %d requests, want one CONNECT", len(reqs))
		}
		if reqs[0].Method != http.MethodConnect || reqs[0].Host != "cxone.example.com:443" {
			t.Errorf("recorded %s %s, want CONNECT cxone.example.com:443", reqs[0].Method, reqs[0].Host)
		}
	})
	t.Run("loopback only", func(t *testing.T) {
		if s, err := NewSink(SinkConfig{Addr: "0.0.0.0:0"}); err == nil {
			s.Close()
			t.Error("a sink on 0.0.0.0 started")
		}
	})
}

// TestEmulatorES256 is the benchmarks' cheaper signature: the same claims, signed with ES256,
// and the key published in the JWKS.
func TestEmulatorES256(t *testing.T) {
	u := DefaultUser
	es := Start(t, Config{SigningAlg: ES256})
	status, body := tokenRequest(t, es, goodForm(), nil)
	if status != 200 {
		t.Fatalf("ES256 server: HTTP %d %v", status, body)
	}
	for _, k := range []string{"id_token", "access_token", "refresh_token"} {
		tok, _ := body[k].(string)
		hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
		claims, err := VerifyJWT(tok)
		if err != nil || !strings.Contains(string(hdr), `"alg":"ES256"`) || claims["tenantId"] != u.TenantID {
			t.Errorf("ES256 %s: %v, header %s, tenantId %v", k, err, hdr, claims["tenantId"])
		}
	}
	resp, err := http.Get(es.URL + "/auth/jwks")
	if err != nil {
		t.Fatal(err)
	}
	var jwks struct {
		Keys []map[string]string `json:"keys"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&jwks)
	resp.Body.Close()
	if len(jwks.Keys) != 1 || jwks.Keys[0]["kty"] != "EC" || jwks.Keys[0]["alg"] != ES256 || len(jwks.Keys[0]["x"]) != 43 {
		t.Errorf("ES256 JWKS: %v", jwks.Keys)
	}
}

// TestEmulatorTLSAndHTTP2: with TLS and HTTP2 the emulator speaks h2, and a client that
// trusts CertificatePEM (as cxone-auth in another process does through CXONE_CA_FILE) gets through.
func TestEmulatorTLSAndHTTP2(t *testing.T) {
	s := Start(t, Config{TLS: true, HTTP2: true})
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CertificatePEM()) {
		t.Fatal("CertificatePEM is not a PEM certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := c.Get(s.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Proto != "HTTP/2.0" {
		t.Errorf("got %s %d, want HTTP/2.0 200", resp.Proto, resp.StatusCode)
	}
	if plain := Start(t, Config{}); plain.CertificatePEM() != nil {
		t.Error("a plain-http server has a certificate")
	}
}

// TestEmulatorConnLatency: a new connection's first request waits ConnLatency (here far
// longer than the client waits), and closing the server releases it.
func TestEmulatorConnLatency(t *testing.T) {
	s := Start(t, Config{ConnLatency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/.well-known/openid-configuration", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a request on a new connection was answered before ConnLatency passed")
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("the server read %d requests before ConnLatency passed", n)
	}
}
