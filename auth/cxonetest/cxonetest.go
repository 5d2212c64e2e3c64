// cxonetest.go: the emulator's configuration and types, starting and stopping a server, and
// what tests set up on it (clients, access keys, latency, revoked tokens).

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
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
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
		StartTLS(s.ts)
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
