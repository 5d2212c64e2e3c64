package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// The live check against the emulator over real loopback HTTP: every rule of the protocol,
// asserting both what the client sent (from the emulator's record) and what it returned.

// harness is a client whose retry sleeps are recorded instead of slept.
type harness struct {
	c      *Client
	srv    *cxonetest.Server
	mu     sync.Mutex
	sleeps []time.Duration
	events []StageEvent
}

func newHarness(t *testing.T, cfg cxonetest.Config) *harness {
	t.Helper()
	h := &harness{srv: cxonetest.Start(t, cfg)}
	h.c = NewClient(ClientConfig{Timeout: 3 * time.Second})
	h.c.Sleep = func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		h.sleeps = append(h.sleeps, d)
		h.mu.Unlock()
		return ctx.Err()
	}
	if cfg.TLS {
		trust(h.c, h.srv)
	}
	return h
}

// trust makes c accept the emulator's test certificate, keeping c's own transport (its proxy
// choice and loopback check) in place.
func trust(c *Client, srv *cxonetest.Server) {
	c.tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
}

func defaultCreds() Credentials {
	c := cxonetest.DefaultCredentials
	return Credentials{ClientID: c.ClientID, ClientSecret: c.ClientSecret, AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret}
}

func (h *harness) opts() Options {
	return Options{Issuer: h.srv.URL, Progress: func(e StageEvent) {
		h.mu.Lock()
		h.events = append(h.events, e)
		h.mu.Unlock()
	}}
}

func (h *harness) check(t *testing.T, creds Credentials, mod ...func(*Options)) (*Result, error) {
	t.Helper()
	o := h.opts()
	for _, m := range mod {
		m(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return h.c.Check(ctx, creds, o)
}

func (h *harness) count(ep cxonetest.Endpoint) int { return len(h.srv.RequestsTo(ep)) }

func TestCheckHappyPath(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	creds := defaultCreds()
	res, err := h.check(t, creds)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	u := cxonetest.DefaultUser
	for _, c := range []struct{ name, got, want string }{
		{"user", res.User, u.Name},
		{"user id", res.UserID, u.ID},
		{"tenant", res.Tenant, u.Tenant},
		{"tenant id", res.TenantID, u.TenantID},
		{"business unit", res.BusinessUnit, u.BusinessUnitName},
		{"area", res.Area, u.Area},
		{"cluster", res.Cluster, u.Cluster},
		{"api endpoint", res.APIEndpoint, h.srv.URL},
		{"token endpoint", res.TokenEndpoint, h.srv.URL + "/auth/token"},
		{"auth method", res.AuthMethod, AuthBasic},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if res.BusinessUnitID != u.BusinessUnitID {
		t.Errorf("business unit id: got %d, want %d", res.BusinessUnitID, u.BusinessUnitID)
	}
	if d := time.Until(res.TokenExpiresAt); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("token expires in %v, want about 1h", d)
	}
	if len(res.Warnings) != 0 || res.UsedCache {
		t.Errorf("warnings %q, used cache %v; want none, false", res.Warnings, res.UsedCache)
	}
	if _, err := cxonetest.VerifyJWT(res.AccessToken); err != nil {
		t.Errorf("the access token is not the emulator's JWT: %v", err)
	}

	// Stages: each reported running, then done, in order.
	var got []string
	for _, e := range h.events {
		got = append(got, e.Stage.String()+":"+map[StageState]string{StateRunning: "run", StateDone: "done"}[e.State])
	}
	want := []string{"Discover the issuer:run", "Discover the issuer:done", "Get a token with the access key:run",
		"Get a token with the access key:done", "Find the tenant's API endpoint:run", "Find the tenant's API endpoint:done",
		"Call the API with the token:run", "Call the API with the token:done"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("stages:\n got %v\nwant %v", got, want)
	}

	// What was sent.
	reqs := h.srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4 (discovery, token, tenant, proof)", len(reqs))
	}
	order := []cxonetest.Endpoint{cxonetest.EndpointDiscovery, cxonetest.EndpointToken, cxonetest.EndpointTenant, cxonetest.EndpointAPI}
	for i, r := range reqs {
		if r.Endpoint != order[i] {
			t.Errorf("request %d went to %s, want %s", i, r.Endpoint, order[i])
		}
		if r.Header.Get("Accept") != "application/json" {
			t.Errorf("request %d Accept %q, want application/json", i, r.Header.Get("Accept"))
		}
	}
	tok := reqs[1]
	if tok.Method != http.MethodPost || tok.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("token request: %s with Content-Type %q", tok.Method, tok.Header.Get("Content-Type"))
	}
	if tok.Form.Get("grant_type") != "password" || tok.Form.Get("username") != creds.AccessKeyID || tok.Form.Get("password") != creds.AccessKeySecret {
		t.Errorf("token form: grant_type %q, username/password as sent do not match the access key", tok.Form.Get("grant_type"))
	}
	for _, f := range []string{"scope", "client_id", "client_secret"} {
		if _, ok := tok.Form[f]; ok {
			t.Errorf("token form has %s; want it absent with Basic and no scope", f)
		}
	}
	if id, secret := decodeBasic(t, tok.Header.Get("Authorization")); id != creds.ClientID || secret != creds.ClientSecret {
		t.Errorf("Basic header does not carry the client credentials")
	}
	if got := reqs[2].Query.Get("tenantId"); got != u.TenantID {
		t.Errorf("tenant discovery tenantId %q, want %q", got, u.TenantID)
	}
	proof := reqs[3]
	if proof.Path != "/inContactAPI/services/v31.0/business-unit" || proof.Header.Get("Authorization") != "Bearer "+res.AccessToken {
		t.Errorf("proof: path %q, Authorization is the bearer token: %v", proof.Path, proof.Header.Get("Authorization") == "Bearer "+res.AccessToken)
	}
}

// decodeBasic reverses RFC 6749 section 2.3.1: base64, then form-decoding of each half.
func decodeBasic(t *testing.T, h string) (string, string) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
	if err != nil {
		t.Fatalf("Authorization %q is not Basic base64", h)
	}
	a, b, _ := strings.Cut(string(raw), ":")
	id, err1 := url.QueryUnescape(a)
	secret, err2 := url.QueryUnescape(b)
	if err1 != nil || err2 != nil {
		t.Fatalf("Basic parts are not form-encoded")
	}
	return id, secret
}

func TestCheckBasicEncodesSpecialCharacters(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	creds := defaultCreds()
	creds.ClientID, creds.ClientSecret = "App@Vendor:legacy+1", "s3cr:et+with%percent=&and/slash"
	h.srv.AddClient(creds.ClientID, creds.ClientSecret, cxonetest.AuthBasic)
	if _, err := h.check(t, creds); err != nil {
		t.Fatalf("check: %v", err)
	}
	tok := h.srv.RequestsTo(cxonetest.EndpointToken)[0]
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(tok.Header.Get("Authorization"), "Basic "))
	if want := url.QueryEscape(creds.ClientID) + ":" + url.QueryEscape(creds.ClientSecret); string(raw) != want {
		t.Errorf("Basic credentials are not form-encoded before base64")
	}
}

func TestCheckScope(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	if _, err := h.check(t, defaultCreds(), func(o *Options) { o.Scope = "openid" }); err != nil {
		t.Fatal(err)
	}
	if got := h.srv.RequestsTo(cxonetest.EndpointToken)[0].Form.Get("scope"); got != "openid" {
		t.Errorf("scope %q, want openid", got)
	}
}

func TestCheckPostRetry(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	creds := defaultCreds()
	creds.ClientID = "post-only-client"
	h.srv.AddClient(creds.ClientID, creds.ClientSecret, cxonetest.AuthPost)
	res, err := h.check(t, creds)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if res.AuthMethod != AuthPost {
		t.Errorf("auth method %q, want %q", res.AuthMethod, AuthPost)
	}
	toks := h.srv.RequestsTo(cxonetest.EndpointToken)
	if len(toks) != 2 {
		t.Fatalf("%d token requests, want 2 (Basic, then post)", len(toks))
	}
	if toks[0].Header.Get("Authorization") == "" || toks[0].Form.Get("client_id") != "" {
		t.Errorf("first attempt is not Basic")
	}
	second := toks[1]
	if second.Header.Get("Authorization") != "" || second.Form.Get("client_id") != creds.ClientID || second.Form.Get("client_secret") != creds.ClientSecret {
		t.Errorf("retry is not client_secret_post (Authorization %v, client_id %q)", second.Header.Get("Authorization") != "", second.Form.Get("client_id"))
	}

	// The cached method is used directly next time: one token request.
	h.srv.ResetRequests()
	cache := res.Cache()
	if _, err := h.check(t, creds, func(o *Options) { o.Cache = &cache }); err != nil {
		t.Fatal(err)
	}
	if toks := h.srv.RequestsTo(cxonetest.EndpointToken); len(toks) != 1 || toks[0].Form.Get("client_id") != creds.ClientID {
		t.Errorf("cached post method: %d token requests", len(toks))
	}
}

func TestCheckNoPostRetryUnlessDiscoveryListsIt(t *testing.T) {
	h := newHarness(t, cxonetest.Config{AuthMethods: []string{cxonetest.AuthBasic}})
	creds := defaultCreds()
	creds.ClientID = "post-only-client"
	h.srv.AddClient(creds.ClientID, creds.ClientSecret, cxonetest.AuthPost)
	_, err := h.check(t, creds)
	if KindOf(err) != KindInvalidClient {
		t.Fatalf("got %v (kind %q), want invalid_client", err, KindOf(err))
	}
	if n := h.count(cxonetest.EndpointToken); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func TestCheckRejections(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(h *harness, c *Credentials)
		kind   Kind
		tokens int
	}{
		{"wrong client secret", func(_ *harness, c *Credentials) { c.ClientSecret = "WRONG" }, KindInvalidClient, 2},
		{"unknown client", func(h *harness, c *Credentials) { h.srv.RemoveClient(c.ClientID) }, KindInvalidClient, 2},
		{"wrong key secret", func(_ *harness, c *Credentials) { c.AccessKeySecret = "WRONG" }, KindInvalidGrant, 1},
		{"inactive key", func(h *harness, c *Credentials) { h.srv.SetKeyInactive(c.AccessKeyID, true) }, KindInvalidGrant, 1},
		{"other 401 code", func(h *harness, _ *Credentials) {
			h.srv.SetFault(cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, Code: "access_denied"})
		}, KindInvalidGrant, 1},
		{"401 without a code", func(h *harness, _ *Credentials) {
			h.srv.SetFault(cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401})
		}, KindInvalidGrant, 1},
		{"400 invalid_client", func(h *harness, _ *Credentials) {
			h.srv.SetFault(cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 400, Code: "invalid_client"})
		}, KindInvalidClient, 2},
		{"400 invalid_request", func(h *harness, _ *Credentials) {
			h.srv.SetFault(cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 400, Code: "invalid_request"})
		}, KindProtocol, 1},
		{"400 unsupported_grant_type", func(h *harness, _ *Credentials) {
			h.srv.SetFault(cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 400, Code: "unsupported_grant_type"})
		}, KindProtocol, 1},
		{"proof 401", func(h *harness, _ *Credentials) {
			h.srv.SetFault(cxonetest.EndpointAPI, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, Code: "invalid_token"})
		}, KindUnauthorized, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cxonetest.Config{})
			creds := defaultCreds()
			tt.setup(h, &creds)
			res, err := h.check(t, creds)
			if res != nil || KindOf(err) != tt.kind {
				t.Fatalf("got %v (kind %q), want kind %q", err, KindOf(err), tt.kind)
			}
			if KindOf(err).Rejected() != (tt.kind != KindProtocol) {
				t.Errorf("Rejected() = %v for %q", KindOf(err).Rejected(), tt.kind)
			}
			if n := h.count(cxonetest.EndpointToken); n != tt.tokens {
				t.Errorf("%d token requests, want %d (4xx are never retried; invalid_client retries once with post)", n, tt.tokens)
			}
			if len(h.sleeps) != 0 {
				t.Errorf("a 4xx was retried with backoff %v", h.sleeps)
			}
			last := h.events[len(h.events)-1]
			if last.State != StateFailed {
				t.Errorf("last stage event %v, want failed", last)
			}
		})
	}
}

func TestCheckWarnings(t *testing.T) {
	t.Run("proof 403 is valid with a warning", func(t *testing.T) {
		h := newHarness(t, cxonetest.Config{})
		u := cxonetest.DefaultUser
		u.NoBusinessUnitView = true
		h.srv.AddAccessKey("KEY403", "SECRET403", u)
		creds := defaultCreds()
		creds.AccessKeyID, creds.AccessKeySecret = "KEY403", "SECRET403"
		res, err := h.check(t, creds)
		if err != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "403") {
			t.Fatalf("got %v, %v; want valid with a 403 warning", res, err)
		}
		if res.BusinessUnitID != u.BusinessUnitID {
			t.Errorf("business unit id %d, want the icBUId claim %d", res.BusinessUnitID, u.BusinessUnitID)
		}
	})
	t.Run("tenant discovery 404", func(t *testing.T) {
		h := newHarness(t, cxonetest.Config{})
		h.srv.SetFault(cxonetest.EndpointTenant, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 404})
		res, err := h.check(t, defaultCreds())
		if err != nil || res.APIEndpoint != "" || len(res.Warnings) != 1 {
			t.Fatalf("got %+v, %v; want valid, API endpoint unknown, one warning", res, err)
		}
		if n := h.count(cxonetest.EndpointAPI); n != 0 {
			t.Errorf("%d proof requests, want 0 (API endpoint unknown)", n)
		}
	})
	t.Run("token without tenantId", func(t *testing.T) {
		h := newHarness(t, cxonetest.Config{})
		h.srv.AddAccessKey("PLAINKEY", "PLAINSECRET", cxonetest.User{ID: "u1", Name: "plain user"})
		creds := defaultCreds()
		creds.AccessKeyID, creds.AccessKeySecret = "PLAINKEY", "PLAINSECRET"
		res, err := h.check(t, creds)
		if err != nil || res.APIEndpoint != "" || res.TenantID != "" || len(res.Warnings) != 1 || res.User != "plain user" {
			t.Fatalf("got %+v, %v; want valid, no tenant, one warning", res, err)
		}
		if n := h.count(cxonetest.EndpointTenant) + h.count(cxonetest.EndpointAPI); n != 0 {
			t.Errorf("%d tenant/proof requests, want 0", n)
		}
	})
	t.Run("claims from the access token when there is no id_token; expires_in as a string", func(t *testing.T) {
		h := newHarness(t, cxonetest.Config{NoIDToken: true, ExpiresInString: true, TokenTTL: 30 * time.Minute})
		res, err := h.check(t, defaultCreds())
		if err != nil || res.TenantID != cxonetest.DefaultUser.TenantID {
			t.Fatalf("got %+v, %v", res, err)
		}
		if d := time.Until(res.TokenExpiresAt); d < 29*time.Minute || d > 31*time.Minute {
			t.Errorf("token expires in %v, want about 30m", d)
		}
	})
}

func TestCheckCached(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	first, err := h.check(t, defaultCreds())
	if err != nil {
		t.Fatal(err)
	}
	cache := first.Cache()

	h.srv.ResetRequests()
	res, err := h.check(t, defaultCreds(), func(o *Options) { o.Cache = &cache })
	if err != nil || !res.UsedCache {
		t.Fatalf("cached check: %v, used cache %v", err, res != nil && res.UsedCache)
	}
	reqs := h.srv.Requests()
	if len(reqs) != 2 || reqs[0].Endpoint != cxonetest.EndpointToken || reqs[1].Endpoint != cxonetest.EndpointAPI {
		t.Errorf("cached check made %d requests, want token and proof only", len(reqs))
	}
	if res.Tenant != cxonetest.DefaultUser.Tenant || res.BusinessUnit != cxonetest.DefaultUser.BusinessUnitName {
		t.Errorf("cached check lost the claims or the proof: %+v", res)
	}

	for _, tc := range []struct {
		name  string
		token string
	}{
		{"cached token endpoint gone (404)", h.srv.URL + "/gone"},
		{"cached token endpoint unreachable", "http://" + closedPort(t) + "/auth/token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.srv.ResetRequests()
			c := cache
			c.TokenEndpoint = tc.token
			res, err := h.check(t, defaultCreds(), func(o *Options) { o.Cache = &c })
			if err != nil || res.UsedCache || res.TokenEndpoint != h.srv.URL+"/auth/token" {
				t.Fatalf("got %+v, %v; want a fresh full check", res, err)
			}
			if n := h.count(cxonetest.EndpointDiscovery); n != 1 {
				t.Errorf("%d discovery requests, want 1", n)
			}
		})
	}

	// After a reset or a timeout on a connection that stood, the token request may have been
	// processed: the cached endpoint is not rediscovered and the secrets are not posted again.
	for _, tc := range []struct {
		name  string
		fault cxonetest.Fault
		kind  Kind
	}{
		{"cached token endpoint resets after the request", cxonetest.Fault{Kind: cxonetest.FaultReset}, KindNetwork},
		{"cached token endpoint times out after the request", cxonetest.Fault{Kind: cxonetest.FaultHang}, KindTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.srv.ResetRequests()
			h.srv.SetFault(cxonetest.EndpointToken, tc.fault)
			defer h.srv.ClearFaults()
			h.c.Timeout = 500 * time.Millisecond
			defer func() { h.c.Timeout = 3 * time.Second }()
			c := cache
			_, err := h.check(t, defaultCreds(), func(o *Options) { o.Cache = &c })
			if KindOf(err) != tc.kind {
				t.Fatalf("got %v (kind %q), want %q", err, KindOf(err), tc.kind)
			}
			if d, p := h.count(cxonetest.EndpointDiscovery), h.count(cxonetest.EndpointToken); d != 0 || p != 1 {
				t.Errorf("%d discovery requests, %d token requests; want 0, 1", d, p)
			}
		})
	}

	t.Run("cached endpoint over http off loopback", func(t *testing.T) {
		c := cache
		c.TokenEndpoint = "http://cxone.example.com/auth/token"
		_, err := h.check(t, defaultCreds(), func(o *Options) { o.Cache = &c })
		if KindOf(err) != KindProtocol || !strings.Contains(err.Error(), "https") {
			t.Errorf("got %v, want a protocol error about https", err)
		}
	})
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCheckFaults(t *testing.T) {
	tests := []struct {
		name  string
		ep    cxonetest.Endpoint
		fault cxonetest.Fault
		kind  Kind
		msg   string
	}{
		{"HTML page on discovery", cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultHTML, Status: 404}, KindProtocol, "HTTP 404"},
		{"truncated JSON", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultTruncated}, KindProtocol, "not valid JSON"},
		{"truncated discovery", cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultTruncated}, KindProtocol, "not valid JSON"},
		{"huge body", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultHuge}, KindProtocol, "1 MiB"},
		{"huge proof", cxonetest.EndpointAPI, cxonetest.Fault{Kind: cxonetest.FaultHuge}, KindProtocol, "1 MiB"},
		{"redirect loop", cxonetest.EndpointDiscovery, cxonetest.Fault{Kind: cxonetest.FaultRedirect}, KindProtocol, "more than 3 redirects"},
		{"tenant discovery 500", cxonetest.EndpointTenant, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 500}, KindServer, "HTTP 500"},
		{"proof 500", cxonetest.EndpointAPI, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 500, Description: "internal"}, KindServer, "internal"},
		{"escape sequences", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultEscape}, KindProtocol, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cxonetest.Config{})
			h.srv.SetFault(tt.ep, tt.fault)
			_, err := h.check(t, defaultCreds())
			if KindOf(err) != tt.kind || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v (kind %q), want kind %q mentioning %q", err, KindOf(err), tt.kind, tt.msg)
			}
			assertClean(t, "error", err.Error())
			for _, e := range h.events {
				assertClean(t, "stage detail", e.Detail)
			}
		})
	}
}

func TestCheckIssuerRules(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	for _, issuer := range []string{"http://cxone.example.com", "not a url", "ftp://127.0.0.1"} {
		_, err := h.check(t, defaultCreds(), func(o *Options) { o.Issuer = issuer })
		if err == nil {
			t.Errorf("issuer %q accepted", issuer)
		}
	}
	if n := len(h.srv.Requests()); n != 0 {
		t.Errorf("%d requests for refused issuers, want 0", n)
	}

	// Discovery naming an http token endpoint off loopback is refused before the token is sent.
	var posted bool
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posted = true
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"http://` + r.Host + `","token_endpoint":"http://cxone.example.com/auth/token"}`))
	}))
	defer bad.Close()
	_, err := h.check(t, defaultCreds(), func(o *Options) { o.Issuer = bad.URL })
	if KindOf(err) != KindProtocol || posted {
		t.Errorf("http token endpoint: got %v, posted %v; want a protocol error and no post", err, posted)
	}
}

func TestCheckTimeoutAndCancel(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	h.c.Timeout = 300 * time.Millisecond
	h.srv.SetFault(cxonetest.EndpointAPI, cxonetest.Fault{Kind: cxonetest.FaultHang})
	start := time.Now()
	_, err := h.check(t, defaultCreds())
	var te *TimeoutError
	if !errors.As(err, &te) || KindOf(err) != KindTimeout {
		t.Fatalf("got %v, want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a 300ms bound took %v", d)
	}

	h.c.Timeout = 10 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start = time.Now()
	_, err = h.c.Check(ctx, defaultCreds(), h.opts())
	if !errors.Is(err, context.Canceled) || time.Since(start) > 3*time.Second {
		t.Errorf("cancelled check: %v after %v", err, time.Since(start))
	}
}

// TestCheckSecretsNeverLogged runs passing and failing checks with a debug JSON log and
// asserts that neither the log nor any error holds a secret or the token.
func TestCheckSecretsNeverLogged(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, cxonetest.Config{})
	creds := defaultCreds()
	var tokens, errs []string
	run := func(c Credentials, mod ...func(*Options)) {
		res, err := h.check(t, c, append(mod, func(o *Options) { o.Logger = log })...)
		if res != nil {
			tokens = append(tokens, res.AccessToken)
			if strings.Contains(res.String(), res.AccessToken) {
				t.Error("Result.String shows the token")
			}
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	run(creds)
	wrong := creds
	wrong.ClientSecret = "WRONG-CLIENT-SECRET-VALUE"
	run(wrong)
	wrongKey := creds
	wrongKey.AccessKeySecret = "WRONG-KEY-SECRET-VALUE"
	run(wrongKey)
	h.srv.SetFault(cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503})
	run(creds)
	h.srv.ClearFaults()
	postOnly := creds
	postOnly.ClientID = "post-client"
	h.srv.AddClient(postOnly.ClientID, postOnly.ClientSecret, cxonetest.AuthPost)
	run(postOnly)

	if buf.Len() == 0 || len(tokens) != 2 || len(errs) != 3 {
		t.Fatalf("log %d bytes, %d tokens, %d errors; want a log, 2 successes, 3 failures", buf.Len(), len(tokens), len(errs))
	}
	haystack := buf.String() + strings.Join(errs, "\n")
	for _, s := range append([]string{creds.ClientSecret, creds.AccessKeySecret, wrong.ClientSecret, wrongKey.AccessKeySecret}, tokens...) {
		if strings.Contains(haystack, s) {
			t.Errorf("a secret or token appears in the log or an error")
		}
	}
}
