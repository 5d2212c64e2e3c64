// Package cxonetest emulates NICE CXone's authentication and API endpoints on loopback, for
// tests and demos: OIDC discovery, the password-grant token endpoint (Basic or post client
// authentication per client), tenant discovery, JWKS and the business-unit API, with RS256
// JWTs carrying CXone's claims, strict request checks, injectable latency and faults, and a
// record of every request.
//
// It is written from CXone's documented wire protocol and deliberately does not import the
// client it tests, so the two cannot share a misunderstanding through common code. Sink is a
// second, hostile server: it stands for an origin that must never receive a credential.
package cxonetest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials are the four values a CXone integrator holds.
type Credentials struct {
	ClientID        string
	ClientSecret    string
	AccessKeyID     string
	AccessKeySecret string
}

// User is the CXone user an access key belongs to, and what the token says about them.
type User struct {
	ID               string
	Name             string // login name, the `name` claim
	GivenName        string
	FamilyName       string
	TenantID         string
	Tenant           string
	BusinessUnitID   int64
	BusinessUnitName string
	Area             string // the `area` claim; empty leaves the claim out
	Cluster          string
	Role             string
	// NoBusinessUnitView makes the business-unit API answer 403 for this user's tokens.
	NoBusinessUnitView bool
}

// Auth methods a client may be registered with.
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
)

// DefaultCredentials are registered in every new server: a client accepting both methods and
// an access key of DefaultUser. The values are fake and have the real formats (a GUID, an
// uppercase hex secret, 56-character base32 keys).
var DefaultCredentials = Credentials{
	ClientID:        "485a2498-41b6-42f1-9e01-f85a40fe647f",
	ClientSecret:    "7D1E5A6C0B9F48A2B3C4D5E6F708192A3B4C5D6E7F8091A2",
	AccessKeyID:     "ZO4EBONGDHBHNBQK2BVM4NIQJXEYHQ4WVBO2BC66J54H6P7KO2NA====",
	AccessKeySecret: "QQID2WDRJZIIWMNAN2MSH3HA6DSCB7JPINYF2I6YT6OV26Y7Z6DA====",
}

// DefaultUser owns DefaultCredentials' access key.
var DefaultUser = User{
	ID:               "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
	Name:             "api.user@acme.example",
	GivenName:        "API",
	FamilyName:       "User",
	TenantID:         "11eb660f-4c6d-34a0-8733-0242ac110002",
	Tenant:           "acme_corp12345",
	BusinessUnitID:   4601234,
	BusinessUnitName: "Acme",
	Area:             "na1",
	Cluster:          "B32",
	Role:             "Administrator",
}

// Config shapes a server.
type Config struct {
	// Latency is added before every answer (a round trip to a distant data centre).
	Latency time.Duration
	// AuthMethods are listed in discovery's token_endpoint_auth_methods_supported; nil lists
	// both. Listing a method does not change what each client accepts (see AddClient).
	AuthMethods []string
	// TLS serves https with a certificate made for this server alone (a fresh key, a leaf
	// certificate for 127.0.0.1, ::1 and localhost, not a CA); use Server.Client's
	// transport, or trust Server.CertificatePEM (cxone-auth: CXONE_CA_FILE).
	TLS bool
	// HTTP2 offers h2 as well as http/1.1 on a TLS server, as CXone's endpoints do: one
	// connection then carries many concurrent requests.
	HTTP2 bool
	// ConnLatency delays the first byte read on each new connection: the round trips of a
	// TCP and TLS handshake with a distant server, which a client pays once per connection
	// and saves by reusing connections. Latency is paid per request on top.
	ConnLatency time.Duration
	// APIEndpoint overrides the api_endpoint of tenant discovery (default: the server itself).
	APIEndpoint string
	// TokenEndpoint overrides the token_endpoint of OIDC discovery (default: the server's own
	// /auth/token), to stage a discovery document that points the client elsewhere.
	TokenEndpoint string
	// TokenTTL is the tokens' lifetime (default 3600 s, as CXone).
	TokenTTL time.Duration
	// ExpiresInString sends expires_in as a JSON string, as some gateways do.
	ExpiresInString bool
	// NoIDToken leaves the id_token out of token answers.
	NoIDToken bool
	// SigningAlg signs the tokens: RS256 (the default, as CXone) or ES256 (cheaper, for
	// benchmarks; see ES256).
	SigningAlg string
	// BasicMatch is how the token endpoint reads the halves of a Basic header: BasicDecoded
	// (also when empty) form-decodes them as RFC 6749 section 2.3.1 says; BasicAsSent compares
	// them as sent, like a server that never decodes; BasicEither takes a decoded match, else
	// a raw match (the lenient default of the standalone emulator).
	BasicMatch string
	// Lenient accepts what CXone itself is seen to accept (docs/emulator.md): any Accept that
	// admits JSON, or none; the API path in any casing (/InContactAPI/, /incontactapi/); form
	// bodies labelled application/json on the token endpoint; grant_type=refresh_token, with
	// or without client authentication; and Basic halves raw or form-encoded (BasicEither,
	// unless BasicMatch says otherwise). Off, the server is strict: the product's own tests
	// prove it sends the exact documented form. New and Start are strict unless this is set;
	// the standalone emulator is lenient unless run with -strict.
	Lenient bool
	// NewKeyDelay is how long an access key created through the access-key API gets
	// invalid_grant before it works (CXone may take a moment); see SetNewKeyDelay.
	NewKeyDelay time.Duration
}

// Ways the token endpoint reads a Basic header (Config.BasicMatch).
const (
	BasicDecoded = "decoded"
	BasicAsSent  = "raw"
	BasicEither  = "either"
)

// Endpoint names a group of paths, for faults and the request record.
type Endpoint string

// The emulated endpoints.
const (
	EndpointDiscovery Endpoint = "discovery" // /.well-known/openid-configuration
	EndpointToken     Endpoint = "token"     // /auth/token
	EndpointTenant    Endpoint = "tenant"    // /.well-known/cxone-configuration
	EndpointJWKS      Endpoint = "jwks"      // /auth/jwks
	EndpointAPI       Endpoint = "api"       // /inContactAPI/services/vNN.0/...
	// EndpointAccessKeys is NICE's access-key API, /access-key-management/v1/access-keys
	// (see accesskeys.go), served on the API host.
	EndpointAccessKeys Endpoint = "accesskeys"
	EndpointOther      Endpoint = "other" // anything else (404)
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

type client struct {
	secret  string
	methods []string
}

type accessKey struct {
	secret   string
	user     User
	inactive bool
	created  time.Time
	lastUsed time.Time // zero until a token was issued for it
	activeAt time.Time // a key created through the API works only from then on
}

// refreshGrant is what a refresh token stands for.
type refreshGrant struct {
	clientID string
	keyID    string
	user     User
}

type issued struct {
	user    User
	expires time.Time
}

// Server is a running emulator.
type Server struct {
	// URL is the issuer, such as http://127.0.0.1:40123.
	URL string

	cfg    Config
	ts     *httptest.Server
	hangMu sync.Mutex
	hang   chan struct{} // closed on Close: releases hanging handlers

	mu      sync.Mutex
	latency time.Duration
	clients map[string]client
	keys    map[string]*accessKey
	tokens  map[string]issued
	refresh map[string]refreshGrant
	// newKeyDelay is how long a key created through the access-key API takes to work.
	newKeyDelay time.Duration
	faults      map[Endpoint]*Fault
	requests    []Request
}

// Start runs a server for the test and closes it when the test ends.
func Start(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := New(cfg)
	tb.Cleanup(s.Close)
	return s
}

// New runs a server on a free loopback port; Close stops it.
func New(cfg Config) *Server {
	s := newServer(cfg)
	s.ts = httptest.NewUnstartedServer(s)
	s.start()
	return s
}

// start serves on s.ts's listener as the config says.
func (s *Server) start() {
	if s.cfg.ConnLatency > 0 {
		s.ts.Listener = slowListener{Listener: s.ts.Listener, delay: s.cfg.ConnLatency}
	}
	s.ts.EnableHTTP2 = s.cfg.TLS && s.cfg.HTTP2
	// The URL is set before serving starts, as httptest would name it: the handlers read it,
	// and a first request from another process (the built binary) gives the race detector no
	// other ordering between this write and those reads.
	scheme := "http"
	if s.cfg.TLS {
		scheme = "https"
	}
	s.URL = scheme + "://" + s.ts.Listener.Addr().String()
	if s.cfg.TLS {
		startTLS(s.ts)
	} else {
		s.ts.Start()
	}
	if s.ts.URL != s.URL {
		panic("cxonetest: the server's URL is " + s.ts.URL + ", not " + s.URL)
	}
}

// CertificatePEM is the TLS server's certificate in PEM form (nil without TLS), for clients
// in other processes to trust (cxone-auth reads it from the file CXONE_CA_FILE names, and
// trusts it for loopback issuers only). It is a leaf certificate, not a CA: trusting it
// admits this server's key on loopback names and nothing else.
func (s *Server) CertificatePEM() []byte {
	if c := s.ts.Certificate(); c != nil {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return nil
}

// slowListener delays the first read of each accepted connection (ConnLatency).
type slowListener struct {
	net.Listener
	delay time.Duration
}

func (l slowListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &slowConn{Conn: c, delay: l.delay, closed: make(chan struct{})}, nil
}

// slowConn waits ConnLatency before its first read, or until it is closed.
type slowConn struct {
	net.Conn
	delay     time.Duration
	once      sync.Once
	closeOnce sync.Once
	closed    chan struct{}
}

func (c *slowConn) Read(p []byte) (int, error) {
	c.once.Do(func() {
		t := time.NewTimer(c.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.closed:
		}
	})
	return c.Conn.Read(p)
}

func (c *slowConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// Listen runs a server on addr (which must be a loopback address), for the standalone
// emulator.
func Listen(addr string, cfg Config) (*Server, error) {
	l, err := listenLoopback(addr)
	if err != nil {
		return nil, err
	}
	s := newServer(cfg)
	s.ts = &httptest.Server{Listener: l, Config: &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}}
	s.start()
	return s, nil
}

// listenLoopback listens on addr, which must name a loopback address: the emulator and the
// sink serve this machine only.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s is not a loopback address: the emulator serves this machine only", host)
	}
	return net.Listen("tcp", addr)
}

func newServer(cfg Config) *Server {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.AuthMethods == nil {
		cfg.AuthMethods = []string{AuthBasic, AuthPost}
	}
	if cfg.Lenient && cfg.BasicMatch == "" {
		cfg.BasicMatch = BasicEither
	}
	s := &Server{
		cfg:     cfg,
		latency: cfg.Latency,
		hang:    make(chan struct{}),
		clients: map[string]client{},
		keys:    map[string]*accessKey{},
		tokens:  map[string]issued{},
		refresh: map[string]refreshGrant{},

		newKeyDelay: cfg.NewKeyDelay,
		faults:      map[Endpoint]*Fault{},
	}
	s.AddClient(DefaultCredentials.ClientID, DefaultCredentials.ClientSecret)
	s.AddAccessKey(DefaultCredentials.AccessKeyID, DefaultCredentials.AccessKeySecret, DefaultUser)
	return s
}

// Close releases hanging requests and stops the server.
func (s *Server) Close() {
	s.hangMu.Lock()
	select {
	case <-s.hang:
	default:
		close(s.hang)
	}
	s.hangMu.Unlock()
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Client is an HTTP client that trusts the server's certificate (with TLS).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// AddClient registers an application; methods are the client authentications it accepts
// (default: both).
func (s *Server) AddClient(id, secret string, methods ...string) {
	if len(methods) == 0 {
		methods = []string{AuthBasic, AuthPost}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[id] = client{secret: secret, methods: methods}
}

// RemoveClient disables an application: its requests get invalid_client.
func (s *Server) RemoveClient(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clients, id)
}

// AddAccessKey creates an access key for u.
func (s *Server) AddAccessKey(id, secret string, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[id] = &accessKey{secret: secret, user: u, created: time.Now().UTC()}
}

// SetKeyInactive makes an access key inactive (or active again): its grants get invalid_grant.
func (s *Server) SetKeyInactive(id string, inactive bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keys[id]; k != nil {
		k.inactive = inactive
	}
}

// RevokeTokens forgets every issued token: the API answers 401 to them.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]issued{}
}

// SetLatency changes the latency added before every answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
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

var (
	apiPath = regexp.MustCompile(`^/inContactAPI/services/v[0-9]{1,2}\.0/(.+)$`)
	// apiPathAnyCase is the lenient server's: public clients write /InContactAPI/,
	// /incontactapi/ and /incontactApi/, and CXone answers all of them.
	apiPathAnyCase = regexp.MustCompile(`^/(?i:incontactapi)/services/v[0-9]{1,2}\.0/(.+)$`)
)

// apiPath is the API path pattern this server answers.
func (s *Server) apiPath() *regexp.Regexp {
	if s.cfg.Lenient {
		return apiPathAnyCase
	}
	return apiPath
}

// endpointOf names the endpoint of a path, with the server's rules for the API path.
func (s *Server) endpointOf(path string) Endpoint {
	if ep := endpointOf(path); ep != EndpointOther || !s.cfg.Lenient || !apiPathAnyCase.MatchString(path) {
		return ep
	}
	return EndpointAPI
}

func endpointOf(path string) Endpoint {
	switch {
	case path == "/.well-known/openid-configuration":
		return EndpointDiscovery
	case path == "/auth/token":
		return EndpointToken
	case path == "/.well-known/cxone-configuration":
		return EndpointTenant
	case path == "/auth/jwks":
		return EndpointJWKS
	case apiPath.MatchString(path):
		return EndpointAPI
	case path == accessKeysPath || strings.HasPrefix(path, accessKeysPath+"/"):
		return EndpointAccessKeys
	}
	return EndpointOther
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep := s.endpointOf(r.URL.Path)
	rec := Request{Endpoint: ep, Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), At: time.Now(), RemoteAddr: r.RemoteAddr}
	formErr := error(nil)
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if s.cfg.Lenient && ep == EndpointToken && isJSONLabel(r.Header.Get("Content-Type")) {
			formErr = parseLabelledJSON(r)
		} else {
			formErr = r.ParseForm()
		}
		rec.Form = r.PostForm
	}

	s.mu.Lock()
	s.requests = append(s.requests, rec)
	latency := s.latency
	var fault *Fault
	if f := s.faults[ep]; f != nil && (f.Method == "" || f.Method == r.Method) {
		copied := *f
		fault = &copied
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				delete(s.faults, ep)
			}
		}
	}
	s.mu.Unlock()

	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fault != nil {
		s.serveFault(w, r, *fault)
		return
	}
	switch ep {
	case EndpointDiscovery:
		s.discovery(w, r)
	case EndpointToken:
		s.token(w, r, formErr)
	case EndpointTenant:
		s.tenant(w, r)
	case EndpointJWKS:
		s.jwks(w, r)
	case EndpointAPI:
		s.api(w, r)
	case EndpointAccessKeys:
		s.accessKeys(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "not_found", "message": "No resource at " + r.URL.Path})
	}
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

func orString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError writes an OAuth error with both description spellings CXone is seen to use.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="cxone"`)
	}
	writeJSON(w, status, map[string]any{"error": code, "error_description": desc, "errorDescription": desc})
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "method not allowed"})
		return
	}
	iss := s.issuerFor(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/auth/authorize",
		"token_endpoint":                        orString(s.cfg.TokenEndpoint, iss+"/auth/token"),
		"userinfo_endpoint":                     iss + "/auth/userinfo",
		"jwks_uri":                              iss + "/auth/jwks",
		"token_endpoint_auth_methods_supported": s.cfg.AuthMethods,
		"scopes_supported":                      []string{"openid"},
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		// Read by NICE's own SDK.
		"end_session_endpoint":             iss + "/auth/logout",
		"display_values_supported":         []string{"page", "popup"},
		"code_challenge_methods_supported": []string{"S256"},
	})
}

// token is the password grant with CXone's strictness: form content type, grant_type
// password, username and password present, exactly one client authentication, and a client
// authentication method the client was registered with.
func (s *Server) token(w http.ResponseWriter, r *http.Request, formErr error) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint accepts POST only.")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") && !(s.cfg.Lenient && isJSONLabel(ct)) {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
		return
	}
	if formErr != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}
	f := r.PostForm
	if s.cfg.Lenient && f.Get("grant_type") == "refresh_token" {
		s.refreshGrant(w, r, f)
		return
	}
	if gt := f.Get("grant_type"); gt != "password" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant type is not supported.")
		return
	}
	username, password := f.Get("username"), f.Get("password")
	if username == "" || password == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "username and password are required.")
		return
	}
	basic, hasBasic, err := parseBasic(r.Header.Get("Authorization"))
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The Authorization header is malformed.")
		return
	}
	_, hasPostID := f["client_id"]
	if hasBasic && hasPostID {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Use only one client authentication method.")
		return
	}
	method := AuthPost
	id, secret := f.Get("client_id"), f.Get("client_secret")
	if hasBasic {
		method = AuthBasic
		id, secret = s.basicClient(basic)
	}
	s.mu.Lock()
	c, okClient := s.clients[id]
	key := s.keys[username]
	var keyCopy accessKey
	if key != nil {
		keyCopy = *key
	}
	s.mu.Unlock()
	if id == "" || !okClient || c.secret != secret || !contains(c.methods, method) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	if key == nil || keyCopy.secret != password {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The access key is invalid.")
		return
	}
	if keyCopy.inactive {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The access key is inactive.")
		return
	}
	if time.Now().Before(keyCopy.activeAt) {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The access key is not active yet.")
		return
	}
	s.mu.Lock()
	if k := s.keys[username]; k != nil {
		k.lastUsed = time.Now().UTC()
	}
	s.mu.Unlock()
	s.issue(w, id, username, keyCopy.user, f.Get("scope"))
}

// refreshGrant is grant_type=refresh_token (lenient servers only). NICE's SDK sends it with no
// client authentication; a request that does authenticate must do so correctly, and a public
// client_id alone must be the one the token was issued to. The refresh token stays valid (as
// many servers do), but not once its access key is inactive or gone.
func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request, f url.Values) {
	rt := f.Get("refresh_token")
	if rt == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "refresh_token is required.")
		return
	}
	basic, hasBasic, err := parseBasic(r.Header.Get("Authorization"))
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The Authorization header is malformed.")
		return
	}
	_, hasSecret := f["client_secret"]
	clientID := f.Get("client_id")
	authenticated := hasBasic || hasSecret
	if authenticated {
		method, id, secret := AuthPost, clientID, f.Get("client_secret")
		if hasBasic {
			method = AuthBasic
			id, secret = s.basicClient(basic)
		}
		s.mu.Lock()
		c, ok := s.clients[id]
		s.mu.Unlock()
		if id == "" || !ok || c.secret != secret || !contains(c.methods, method) {
			oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
			return
		}
		clientID = id
	}
	s.mu.Lock()
	g, ok := s.refresh[rt]
	key := s.keys[g.keyID]
	live := key != nil && !key.inactive
	s.mu.Unlock()
	if !ok || !live || (clientID != "" && clientID != g.clientID) {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid.")
		return
	}
	s.issue(w, g.clientID, g.keyID, g.user, f.Get("scope"))
}

// isJSONLabel reports a Content-Type of application/json (with any parameters).
func isJSONLabel(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// parseLabelledJSON reads a token request labelled application/json, as NICE's SDK sends
// it: usually a form body under that label, sometimes a JSON object of strings.
func parseLabelledJSON(r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	vals := url.Values{}
	if trimmed := strings.TrimSpace(string(body)); strings.HasPrefix(trimmed, "{") {
		var m map[string]any
		if err := json.Unmarshal([]byte(trimmed), &m); err != nil {
			return err
		}
		for k, v := range m {
			if sv, ok := v.(string); ok {
				vals.Set(k, sv)
			}
		}
	} else if vals, err = url.ParseQuery(trimmed); err != nil {
		return err
	}
	r.PostForm, r.Form = vals, vals
	return nil
}

// acceptsJSON reports whether an Accept header admits application/json: none at all, or a
// range such as */*, application/* or application/json whose q is not 0.
func acceptsJSON(h string) bool {
	if strings.TrimSpace(h) == "" {
		return true
	}
	for _, part := range strings.Split(h, ",") {
		mt, params, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "*/*", "application/*", "application/json":
		default:
			continue
		}
		if q := qValue(params); q > 0 {
			return true
		}
	}
	return false
}

// qValue reads q= from a media range's parameters (1 when absent or unreadable).
func qValue(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			var q float64
			if _, err := fmt.Sscan(strings.TrimSpace(v), &q); err == nil {
				return q
			}
		}
	}
	return 1
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// basicHalves is a Basic header's two halves as sent, and form-decoded (ok false when a
// half does not decode).
type basicHalves struct {
	rawID, rawSecret string
	id, secret       string
	decoded          bool
}

// parseBasic reads a Basic header: base64 of two halves joined by the first colon.
func parseBasic(h string) (basicHalves, bool, error) {
	var b basicHalves
	if h == "" {
		return b, false, nil
	}
	scheme, rest, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return b, false, fmt.Errorf("not basic")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return b, false, err
	}
	var ok bool
	if b.rawID, b.rawSecret, ok = strings.Cut(string(raw), ":"); !ok {
		return b, false, fmt.Errorf("no colon")
	}
	id, err1 := url.QueryUnescape(b.rawID)
	secret, err2 := url.QueryUnescape(b.rawSecret)
	if err1 == nil && err2 == nil {
		b.id, b.secret, b.decoded = id, secret, true
	}
	return b, true, nil
}

// basicClient picks the client ID and secret a Basic header stands for, as Config.BasicMatch
// says. A pair that matches no client comes back as sent, to fail the comparison.
func (s *Server) basicClient(b basicHalves) (id, secret string) {
	matches := func(id, secret string) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		c, ok := s.clients[id]
		return ok && c.secret == secret
	}
	switch s.cfg.BasicMatch {
	case BasicAsSent:
		return b.rawID, b.rawSecret
	case BasicEither:
		if b.decoded && matches(b.id, b.secret) {
			return b.id, b.secret
		}
		return b.rawID, b.rawSecret
	}
	if !b.decoded {
		return "", ""
	}
	return b.id, b.secret
}

func (s *Server) issue(w http.ResponseWriter, clientID, keyID string, u User, scope string) {
	now := time.Now()
	exp := now.Add(s.cfg.TokenTTL)
	common := map[string]any{
		"sub": "user:" + u.ID, "userId": u.ID, "iss": s.URL, "aud": clientID,
		"tenantId": u.TenantID, "tenant": u.Tenant, "icBUId": u.BusinessUnitID,
		"icClusterId": u.Cluster, "icDomain": "niceincontact.com", "icAgentId": "123456",
		"iat": now.Unix(), "exp": exp.Unix(),
	}
	if u.TenantID == "" {
		// A plain OIDC user: no CXone claims at all.
		for _, k := range []string{"tenantId", "tenant", "icBUId", "icClusterId", "icDomain", "icAgentId"} {
			delete(common, k)
		}
	}
	if u.Area != "" {
		common["area"] = u.Area
	}
	idc := clone(common)
	idc["name"], idc["given_name"], idc["family_name"] = u.Name, u.GivenName, u.FamilyName
	atc := clone(common)
	// CXone's access token names an internal issuer that differs from the OIDC issuer: a client
	// must read the id_token's claims first.
	atc["iss"] = "https://auth.internal.example/" + strings.ToLower(u.Cluster)
	atc["role"] = map[string]any{"legacyId": u.Role, "id": "11e0-role", "lastUpdateTime": now.Unix()}
	atc["jti"] = randomID()
	access, err := signJWT(s.cfg.SigningAlg, atc)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	resp := map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": int(s.cfg.TokenTTL / time.Second),
		"issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
	}
	if s.cfg.ExpiresInString {
		resp["expires_in"] = fmt.Sprint(int(s.cfg.TokenTTL / time.Second))
	}
	if !s.cfg.NoIDToken {
		idt, err := signJWT(s.cfg.SigningAlg, idc)
		if err != nil {
			oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
			return
		}
		resp["id_token"] = idt
	}
	refresh := clone(common)
	refresh["jti"] = randomID()
	rt, rtErr := signJWT(s.cfg.SigningAlg, refresh)
	if rtErr == nil {
		resp["refresh_token"] = rt
	}
	if scope != "" {
		resp["scope"] = scope
	}
	s.mu.Lock()
	s.tokens[access] = issued{user: u, expires: exp}
	if rtErr == nil {
		s.refresh[rt] = refreshGrant{clientID: clientID, keyID: keyID, user: u}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) tenant(w http.ResponseWriter, r *http.Request) {
	tid := r.URL.Query().Get("tenantId")
	if tid == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "message": "tenantId is required"})
		return
	}
	var u *User
	s.mu.Lock()
	for _, k := range s.keys {
		if k.user.TenantID == tid {
			uc := k.user
			u = &uc
			break
		}
	}
	s.mu.Unlock()
	if u == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Tenant not found"})
		return
	}
	api := s.cfg.APIEndpoint
	if api == "" {
		api = s.URL
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"private": false, "area": u.Area, "cluster": u.Cluster, "domain": "niceincontact.com",
		"acdDomain": "nice-incontact.com", "uhDomain": "nice-incontact.com",
		"ui_endpoint": s.URL, "auth_endpoint": s.URL, "api_endpoint": api, "tenantId": tid,
	})
}

func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	if s.cfg.SigningAlg == ES256 {
		k, err := ecKey()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "no key"})
			return
		}
		pt, err := k.PublicKey.Bytes() // 0x04, then X and Y, 32 bytes each
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "no key"})
			return
		}
		x, y := pt[1:33], pt[33:]
		writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
			"kty": "EC", "use": "sig", "alg": ES256, "kid": "default", "crv": "P-256",
			"x": base64.RawURLEncoding.EncodeToString(x), "y": base64.RawURLEncoding.EncodeToString(y),
		}}})
		return
	}
	k, err := signingKey()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "no key"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "default",
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(bigEndian(k.E)),
	}}})
}

func bigEndian(e int) []byte {
	var b []byte
	for e > 0 {
		b = append([]byte{byte(e)}, b...)
		e >>= 8
	}
	return b
}

// api serves the business-unit and server-time resources to holders of a live token who ask
// for JSON.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	accept := r.Header.Get("Accept")
	if !(strings.Contains(accept, "application/json") || (s.cfg.Lenient && acceptsJSON(accept))) {
		writeJSON(w, http.StatusNotAcceptable, map[string]any{"message": "No known way to render data"})
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	iss, known := s.tokens[tok]
	s.mu.Unlock()
	if !ok || !known || time.Now().After(iss.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "error_description": "Invalid or expired token"})
		return
	}
	resource := s.apiPath().FindStringSubmatch(r.URL.Path)[1]
	switch resource {
	case "business-unit":
		if iss.user.NoBusinessUnitView {
			writeJSON(w, http.StatusForbidden, map[string]any{"error": "forbidden", "message": "Insufficient permissions: Business Unit view"})
			return
		}
		u := iss.user
		writeJSON(w, http.StatusOK, map[string]any{"businessUnits": []map[string]any{{
			"businessUnitId": u.BusinessUnitID, "businessUnitName": u.BusinessUnitName, "tenantId": u.TenantID,
			"defaultTimeZone": "Mountain Standard Time", "isActive": true,
		}}})
	case "server-time":
		writeJSON(w, http.StatusOK, map[string]any{"ServerTime": time.Now().UTC().Format(time.RFC3339Nano)})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "No resource " + resource})
	}
}

// Key generation is slow (tens of milliseconds): one key serves every server in the process.
var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

func signingKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() { key, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	return key, keyErr
}
