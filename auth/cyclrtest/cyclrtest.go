// cyclrtest.go: the emulator's configuration and types, starting and stopping a server, and
// what tests set up and read on it (clients, accounts, tokens, installs).

// Package cyclrtest emulates the parts of Cyclr's partner API that cxone-auth uses, on
// loopback, for tests and demos: the client-credentials token endpoint (14-day tokens), the
// connector list with a "Nice CXOne" connector (and decoys whose names also start with
// "Nice"), installing a connector into an account, reading and updating account connectors,
// and listing and creating accounts. Account-level calls require X-Cyclr-Account.
//
// It is written from Cyclr's public API documentation (docs/cyclr.md records which parts are
// documented and which are guesses) and does not import the client it tests. An account
// connector is "Authenticated" only when the access key it holds is one that CXone accepts:
// Verify decides that, and VerifyWithCXone asks a CXone issuer (the cxonetest emulator) with a
// real password grant, as Cyclr's connector would.
package cyclrtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// ConnectorName is the exact name of the NICE CXone connector in Cyclr's library.
const ConnectorName = "Nice CXOne"

// Schema is the shape of the emulated NICE CXone connector's authentication: where the
// access key goes.
type Schema string

// The schemas the emulator can present.
const (
	// SchemaProperties: the Access Key ID and Secret are account-connector parameters
	// (IsAccountConnectorProperty), installed as Properties by their TargetName.
	SchemaProperties Schema = "properties"
	// SchemaBasic: the connector uses HTTP Basic authentication; the access key goes in
	// AuthValue as base64(ID ":" secret).
	SchemaBasic Schema = "basic"
	// SchemaOAuth: an authentication the product cannot fill (an OAuth flow), for the refusal
	// path.
	SchemaOAuth Schema = "oauth"
)

// Credentials of the partner's Cyclr API client.
type Credentials struct {
	ClientID     string
	ClientSecret string
}

// DefaultCredentials is the API client every new server accepts (fake values).
var DefaultCredentials = Credentials{
	ClientID:     "cyclr-client-5e1f0c2a",
	ClientSecret: "CYCLRSECRETdemo0123456789abcdefABCDEF",
}

// DefaultAccountID is the account every new server has.
const DefaultAccountID = "7b3c2a10-5d4e-4f60-9a8b-1c2d3e4f5a6b"

// Config shapes a server.
type Config struct {
	// Schema is the NICE CXone connector's authentication shape (default SchemaProperties).
	Schema Schema
	// Verify says whether CXone accepts an access key; nil accepts none (every install reads
	// back "Authenticated": false). See VerifyWithCXone.
	Verify func(ctx context.Context, accessKeyID, accessKeySecret string) bool
	// TokenTTL is the tokens' lifetime (default 14 days, as Cyclr).
	TokenTTL time.Duration
	// TLS serves https with a fresh leaf certificate for loopback names (cxonetest.StartTLS),
	// never httptest's CA, whose key is public; Client trusts it.
	TLS bool
	// Latency is added before every answer.
	Latency time.Duration
}

// Endpoint names a group of paths, for faults and the request record.
type Endpoint string

// The emulated endpoints.
const (
	EndpointToken             Endpoint = "token"              // POST /oauth/token
	EndpointConnectors        Endpoint = "connectors"         // GET /v1.0/connectors
	EndpointInstall           Endpoint = "install"            // POST /v1.0/connectors/{id}/install
	EndpointAccountConnectors Endpoint = "account-connectors" // /v1.0/account/connectors[/{id}]
	EndpointAccounts          Endpoint = "accounts"           // /v1.0/accounts
	EndpointOther             Endpoint = "other"
)

// Endpoints lists the endpoints that take faults.
var Endpoints = []Endpoint{EndpointToken, EndpointConnectors, EndpointInstall, EndpointAccountConnectors, EndpointAccounts}

// Account is a Cyclr account.
type Account struct {
	ID          string `json:"Id"`
	Name        string `json:"Name"`
	Description string `json:"Description"`
	Timezone    string `json:"Timezone"`
	CreatedDate string `json:"CreatedDate"`
}

// Property is one installed account-connector property.
type Property struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
	ID    int64  `json:"Id,omitempty"`
}

// AccountConnector is a connector installed into an account, as the server holds it.
type AccountConnector struct {
	ID               int64
	Account          string
	ConnectorID      int64
	Name             string
	Description      string
	AuthenticationID string
	AuthValue        string
	Properties       []Property
}

// Server is a running emulator.
type Server struct {
	// URL is the API domain as a URL, such as http://127.0.0.1:40123.
	URL string

	cfg    Config
	ts     *httptest.Server
	hangMu sync.Mutex
	hang   chan struct{}

	mu       sync.Mutex
	clients  map[string]string
	tokens   map[string]time.Time
	accounts map[string]Account
	acctOrd  []string
	installs map[int64]*AccountConnector
	nextID   int64
	faults   map[Endpoint]*Fault
	requests []Request
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

// Listen runs a server on addr, which must be a loopback address.
func Listen(addr string, cfg Config) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s is not a loopback address: the emulator serves this machine only", host)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer(cfg)
	s.ts = &httptest.Server{Listener: l, Config: &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}}
	s.start()
	return s, nil
}

func (s *Server) start() {
	if s.cfg.TLS {
		cxonetest.StartTLS(s.ts)
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL
}

func newServer(cfg Config) *Server {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 14 * 24 * time.Hour
	}
	if cfg.Schema == "" {
		cfg.Schema = SchemaProperties
	}
	s := &Server{cfg: cfg, hang: make(chan struct{}), clients: map[string]string{}, tokens: map[string]time.Time{},
		accounts: map[string]Account{}, installs: map[int64]*AccountConnector{}, nextID: 50001, faults: map[Endpoint]*Fault{}}
	s.clients[DefaultCredentials.ClientID] = DefaultCredentials.ClientSecret
	s.AddAccount(Account{ID: DefaultAccountID, Name: "Acme Integration", Description: "Default emulator account", Timezone: "Europe/London"})
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

// AddClient registers a partner API client.
func (s *Server) AddClient(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[id] = secret
}

// AddAccount creates an account (CreatedDate is filled in when empty).
func (s *Server) AddAccount(a Account) {
	if a.CreatedDate == "" {
		a.CreatedDate = time.Now().UTC().Format(time.RFC3339)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[a.ID]; !ok {
		s.acctOrd = append(s.acctOrd, a.ID)
	}
	s.accounts[a.ID] = a
}

// RevokeTokens forgets every issued token: the API answers 401 to them.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// Tokens returns the access tokens issued so far (for tests that look for them where they
// must not be).
func (s *Server) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for t := range s.tokens {
		out = append(out, t)
	}
	return out
}

// Installs returns the account connectors, by ID.
func (s *Server) Installs() []AccountConnector {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.installs))
	for id := range s.installs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]AccountConnector, 0, len(ids))
	for _, id := range ids {
		ac := *s.installs[id]
		ac.Properties = append([]Property(nil), ac.Properties...)
		out = append(out, ac)
	}
	return out
}

// VerifyWithCXone is a Config.Verify that asks a CXone issuer whether it accepts an access
// key, with the password grant and the partner's CXone client credentials (the connector's
// username and password at partner level): what Cyclr's NICE CXone connector does when it
// authenticates. tokenURL is the issuer's token endpoint (cxonetest serves {issuer}/auth/token).
func VerifyWithCXone(tokenURL, clientID, clientSecret string) func(ctx context.Context, id, secret string) bool {
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return func(ctx context.Context, id, secret string) bool {
		form := url.Values{"grant_type": {"password"}, "username": {id}, "password": {secret}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
		if err != nil {
			return false
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(clientSecret))
		resp, err := hc.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode == http.StatusOK
	}
}
