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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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
	// TLS serves https with httptest's certificate.
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

// Request is one request as the server saw it, body included.
type Request struct {
	Endpoint Endpoint
	Method   string
	Path     string
	Header   http.Header
	Body     []byte
	At       time.Time
}

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
		s.ts.StartTLS()
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

// Writes returns the requests that would change something in Cyclr: every POST and PUT
// other than the token request.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Endpoint != EndpointToken && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch || r.Method == http.MethodDelete) {
			out = append(out, r)
		}
	}
	return out
}

// Saw reports whether any request so far carried b (in its path, a header or its body),
// base64-encoded forms included: how a test proves an access key never reached Cyclr.
func (s *Server) Saw(b string) bool {
	needles := []string{b, base64.StdEncoding.EncodeToString([]byte(b)), url.QueryEscape(b)}
	for _, r := range s.Requests() {
		hay := r.Path + "\n" + string(r.Body)
		for k, vs := range r.Header {
			hay += "\n" + k + ": " + strings.Join(vs, ",")
		}
		for _, n := range needles {
			if n != "" && strings.Contains(hay, n) {
				return true
			}
		}
		// A Basic AuthValue holds the key only inside base64(ID:secret): decode what looks
		// like base64 and look again.
		for _, tok := range strings.FieldsFunc(string(r.Body), func(c rune) bool { return c == '"' || c == ' ' || c == ',' || c == ':' }) {
			if d, err := base64.StdEncoding.DecodeString(tok); err == nil && strings.Contains(string(d), b) {
				return true
			}
		}
	}
	return false
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

var (
	installPath = regexp.MustCompile(`^/v1\.0/connectors/([0-9]+)/install$`)
	acPath      = regexp.MustCompile(`^/v1\.0/account/connectors(?:/([0-9]+))?$`)
)

func endpointOf(path string) Endpoint {
	switch {
	case path == "/oauth/token":
		return EndpointToken
	case path == "/v1.0/connectors":
		return EndpointConnectors
	case installPath.MatchString(path):
		return EndpointInstall
	case acPath.MatchString(path):
		return EndpointAccountConnectors
	case path == "/v1.0/accounts":
		return EndpointAccounts
	}
	return EndpointOther
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep := endpointOf(r.URL.Path)
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Endpoint: ep, Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, At: time.Now()})
	var fault *Fault
	if f := s.faults[ep]; f != nil {
		c := *f
		fault = &c
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				delete(s.faults, ep)
			}
		}
	}
	s.mu.Unlock()
	if s.cfg.Latency > 0 {
		t := time.NewTimer(s.cfg.Latency)
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
	if ep == EndpointToken {
		s.token(w, r)
		return
	}
	if ep == EndpointOther {
		message(w, http.StatusNotFound, "No HTTP resource was found that matches the request URI.")
		return
	}
	if !s.authorised(r) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		message(w, http.StatusUnauthorized, "Authorization has been denied for this request.")
		return
	}
	switch ep {
	case EndpointAccounts:
		s.serveAccounts(w, r)
	case EndpointConnectors:
		s.serveConnectors(w, r)
	case EndpointInstall:
		s.serveInstall(w, r)
	case EndpointAccountConnectors:
		s.serveAccountConnectors(w, r)
	}
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
	}
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// message is ASP.NET Web API's error shape, which Cyclr's API answers with.
func message(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"Message": msg})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// token is the client-credentials grant as Cyclr documents it: a form body with grant_type,
// client_id and client_secret.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "invalid_request"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "form body expected"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	id, secret := f.Get("client_id"), f.Get("client_secret")
	s.mu.Lock()
	want, ok := s.clients[id]
	s.mu.Unlock()
	if id == "" || !ok || want != secret {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_client"})
		return
	}
	tok := randomHex(32)
	s.mu.Lock()
	s.tokens[tok] = time.Now().Add(s.cfg.TokenTTL)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "bearer", "access_token": tok,
		"expires_in": int(s.cfg.TokenTTL/time.Second) - 1, "clientId": id})
}

func (s *Server) authorised(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	exp, known := s.tokens[tok]
	s.mu.Unlock()
	return known && time.Now().Before(exp)
}

// account checks X-Cyclr-Account: false (answered) when it is missing or names no account.
func (s *Server) account(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.Header.Get("X-Cyclr-Account")
	if id == "" {
		message(w, http.StatusBadRequest, "The X-Cyclr-Account header is required for this request.")
		return "", false
	}
	s.mu.Lock()
	_, ok := s.accounts[id]
	s.mu.Unlock()
	if !ok {
		message(w, http.StatusNotFound, "Account not found.")
		return "", false
	}
	return id, true
}

func (s *Server) serveAccounts(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		out := make([]Account, 0, len(s.acctOrd))
		for _, id := range s.acctOrd {
			out = append(out, s.accounts[id])
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case http.MethodPost:
		var in struct{ Name, Description, Timezone string }
		if !decodeJSON(w, r, &in) {
			return
		}
		if strings.TrimSpace(in.Name) == "" {
			message(w, http.StatusBadRequest, "Name is required.")
			return
		}
		a := Account{ID: uuid(), Name: in.Name, Description: in.Description, Timezone: orStr(in.Timezone, "UTC")}
		s.AddAccount(a)
		s.mu.Lock()
		a = s.accounts[a.ID]
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, a)
	default:
		message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
	}
}

func uuid() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// decodeJSON reads a JSON body strictly: application/json, and no unknown fields.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		message(w, http.StatusUnsupportedMediaType, "The request entity's media type is not supported for this resource.")
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		message(w, http.StatusBadRequest, "The request is invalid: "+err.Error())
		return false
	}
	return true
}

// Connector IDs of the emulated library.
const (
	CXoneConnectorID int64 = 7105
	decoyIDA         int64 = 7104
	decoyIDB         int64 = 7106
)

// Parameter TargetNames and the Basic authentication's ID of the NICE CXone connector.
const (
	TargetAccessKeyID     = "accessKeyId"
	TargetAccessKeySecret = "accessKeySecret"
	BasicAuthID           = "3f2a9c1e-6b7d-4e5f-8a9b-0c1d2e3f4a5b"
	oauthAuthID           = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
)

type parameter struct {
	IsAccountConnectorProperty bool     `json:"IsAccountConnectorProperty"`
	TargetType                 string   `json:"TargetType"`
	TargetName                 string   `json:"TargetName"`
	IsSensitive                bool     `json:"IsSensitive"`
	ID                         int64    `json:"Id"`
	Name                       string   `json:"Name"`
	Description                string   `json:"Description"`
	IsOptional                 bool     `json:"IsOptional"`
	DataType                   string   `json:"DataType"`
	Values                     []string `json:"Values"`
}

type authentication struct {
	ID              string `json:"Id"`
	AuthName        string `json:"AuthName"`
	AuthDescription string `json:"AuthDescription"`
	AuthType        string `json:"AuthType"`
}

type connector struct {
	ID              int64            `json:"Id"`
	Name            string           `json:"Name"`
	Description     string           `json:"Description"`
	Status          string           `json:"Status"`
	Version         string           `json:"Version"`
	Icon            *string          `json:"Icon"`
	AuthDescription *string          `json:"AuthDescription"`
	AuthType        string           `json:"AuthType"`
	OAuth2Type      string           `json:"OAuth2Type"`
	AuthScheme      *string          `json:"AuthScheme"`
	Parameters      []parameter      `json:"Parameters"`
	Authentication  []authentication `json:"Authentication"`
}

// library is the connector list: the NICE CXone connector in the configured schema between
// two decoys whose names also start with "Nice".
func (s *Server) library() []connector {
	cx := connector{ID: CXoneConnectorID, Name: ConnectorName, Description: "NICE CXone contact centre platform.", Status: "Approved", Version: "1.2",
		OAuth2Type: "Unknown", Parameters: []parameter{}, Authentication: []authentication{}}
	switch s.cfg.Schema {
	case SchemaBasic:
		cx.AuthType = "Basic"
		cx.Authentication = []authentication{{ID: BasicAuthID, AuthName: "HTTP Basic", AuthType: "Basic",
			AuthDescription: "username = Access Key ID, password = Access Key Secret"}}
	case SchemaOAuth:
		cx.AuthType = "OAuth2"
		cx.OAuth2Type = "AuthorisationCode"
		cx.Authentication = []authentication{{ID: oauthAuthID, AuthName: "OAuth 2.0", AuthType: "OAuth2"}}
	default:
		cx.AuthType = "None"
		cx.Parameters = []parameter{
			{IsAccountConnectorProperty: true, TargetType: "Script", TargetName: TargetAccessKeyID, ID: 880101, Name: "Access Key ID",
				Description: "The user access key id from a user on the business unit you want to make the API call against.", DataType: "Text", Values: []string{}},
			{IsAccountConnectorProperty: true, TargetType: "Script", TargetName: TargetAccessKeySecret, IsSensitive: true, ID: 880102, Name: "Access Key Secret",
				Description: "The user access key secret from a user on the business unit you want to make the API call against.", DataType: "Text", Values: []string{}},
		}
	}
	decoy := func(id int64, name string) connector {
		return connector{ID: id, Name: name, Description: "Not the CXone connector.", Status: "Approved", Version: "1.0", AuthType: "ApiKey",
			OAuth2Type: "Unknown", Parameters: []parameter{{IsAccountConnectorProperty: true, TargetName: "apiKey", ID: int64(id*10 + 1), Name: "API Key", DataType: "Text", Values: []string{}}},
			Authentication: []authentication{{ID: "00000000-0000-4000-8000-" + fmt.Sprintf("%012d", id), AuthName: "API Key", AuthType: "ApiKey"}}}
	}
	return []connector{decoy(decoyIDA, "Nice Inbound Router"), cx, decoy(decoyIDB, "Nice CXOne Legacy")}
}

func (s *Server) findConnector(id int64) (connector, bool) {
	for _, c := range s.library() {
		if c.ID == id {
			return c, true
		}
	}
	return connector{}, false
}

func (s *Server) serveConnectors(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
		return
	}
	if r.Header.Get("X-Cyclr-Account") != "" {
		if _, ok := s.account(w, r); !ok {
			return
		}
	}
	writeJSON(w, http.StatusOK, s.library())
}

type installBody struct {
	Name             string     `json:"Name"`
	Description      string     `json:"Description"`
	AuthenticationID string     `json:"AuthenticationId"`
	AuthValue        *string    `json:"AuthValue"`
	Properties       []Property `json:"Properties"`
}

// checkBody applies what the connector's description says an install must hold.
func checkBody(c connector, b installBody) string {
	props := map[string]parameter{}
	for _, p := range c.Parameters {
		if p.IsAccountConnectorProperty {
			props[p.TargetName] = p
		}
	}
	for _, p := range b.Properties {
		param, ok := props[p.Name]
		if !ok {
			return fmt.Sprintf("%q is not an account connector property of %s.", p.Name, c.Name)
		}
		if p.ID != 0 && p.ID != param.ID {
			return fmt.Sprintf("Property %q has Id %d, not %d.", p.Name, p.ID, param.ID)
		}
	}
	if b.AuthenticationID != "" {
		found := false
		for _, a := range c.Authentication {
			found = found || a.ID == b.AuthenticationID
		}
		if !found {
			return "AuthenticationId does not name an authentication of this connector."
		}
	}
	return ""
}

func (s *Server) serveInstall(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
		return
	}
	acct, ok := s.account(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(installPath.FindStringSubmatch(r.URL.Path)[1], 10, 64)
	c, ok := s.findConnector(id)
	if !ok {
		message(w, http.StatusNotFound, "Connector not found.")
		return
	}
	var b installBody
	if !decodeJSON(w, r, &b) {
		return
	}
	if strings.TrimSpace(b.Name) == "" {
		message(w, http.StatusBadRequest, "Name is required.")
		return
	}
	if msg := checkBody(c, b); msg != "" {
		message(w, http.StatusBadRequest, msg)
		return
	}
	s.mu.Lock()
	ac := &AccountConnector{ID: s.nextID, Account: acct, ConnectorID: id, Name: b.Name, Description: b.Description,
		AuthenticationID: b.AuthenticationID, Properties: b.Properties}
	if b.AuthValue != nil {
		ac.AuthValue = *b.AuthValue
	}
	s.nextID++
	s.installs[ac.ID] = ac
	copyAC := *ac
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.view(r.Context(), copyAC, c))
}

// view is an account connector as Cyclr answers with it. AuthValue is echoed back, as Cyclr's
// documentation shows: a client must never print it.
func (s *Server) view(ctx context.Context, ac AccountConnector, c connector) map[string]any {
	props := ac.Properties
	if props == nil {
		props = []Property{}
	}
	var authValue any
	if ac.AuthValue != "" {
		authValue = ac.AuthValue
	}
	return map[string]any{
		"Id": ac.ID, "Name": ac.Name, "Description": ac.Description, "AuthValue": authValue,
		"Authenticated": s.authenticated(ctx, ac, c),
		"Connector": map[string]any{"Id": c.ID, "Name": c.Name, "Description": c.Description, "Status": c.Status,
			"Version": c.Version, "AuthType": c.AuthType, "OAuth2Type": c.OAuth2Type},
		"IsPartnerIntegrationConnector": false, "Properties": props, "CustomFields": []any{},
	}
}

// authenticated reports whether the access key the account connector holds (in its
// properties, or its Basic AuthValue) is one CXone accepts.
func (s *Server) authenticated(ctx context.Context, ac AccountConnector, c connector) bool {
	if s.cfg.Verify == nil {
		return false
	}
	var id, secret string
	switch {
	case c.AuthType == "Basic":
		raw, err := base64.StdEncoding.DecodeString(ac.AuthValue)
		if err != nil {
			return false
		}
		var ok bool
		if id, secret, ok = strings.Cut(string(raw), ":"); !ok {
			return false
		}
	case len(c.Parameters) > 0 && c.Parameters[0].TargetName == TargetAccessKeyID:
		for _, p := range ac.Properties {
			switch p.Name {
			case TargetAccessKeyID:
				id = p.Value
			case TargetAccessKeySecret:
				secret = p.Value
			}
		}
	default:
		return false
	}
	if id == "" || secret == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return s.cfg.Verify(ctx, id, secret)
}

func (s *Server) serveAccountConnectors(w http.ResponseWriter, r *http.Request) {
	acct, ok := s.account(w, r)
	if !ok {
		return
	}
	idText := acPath.FindStringSubmatch(r.URL.Path)[1]
	if idText == "" {
		if r.Method != http.MethodGet {
			message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
			return
		}
		var out []map[string]any
		for _, ac := range s.Installs() {
			if ac.Account != acct {
				continue
			}
			c, _ := s.findConnector(ac.ConnectorID)
			out = append(out, map[string]any{"Id": ac.ID, "Name": ac.Name, "Description": ac.Description,
				"Connector": map[string]any{"Id": c.ID, "Name": c.Name}})
		}
		if out == nil {
			out = []map[string]any{}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	id, _ := strconv.ParseInt(idText, 10, 64)
	s.mu.Lock()
	ac, found := s.installs[id]
	var cur AccountConnector
	if found {
		cur = *ac
	}
	s.mu.Unlock()
	if !found || cur.Account != acct {
		message(w, http.StatusNotFound, "Account connector not found.")
		return
	}
	c, _ := s.findConnector(cur.ConnectorID)
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.view(r.Context(), cur, c))
	case http.MethodPut:
		var b installBody
		if !decodeJSON(w, r, &b) {
			return
		}
		if msg := checkBody(c, b); msg != "" {
			message(w, http.StatusBadRequest, msg)
			return
		}
		s.mu.Lock()
		ac := s.installs[id]
		if b.Name != "" {
			ac.Name = b.Name
		}
		if b.Description != "" {
			ac.Description = b.Description
		}
		if b.AuthenticationID != "" {
			ac.AuthenticationID = b.AuthenticationID
		}
		if b.AuthValue != nil {
			ac.AuthValue = *b.AuthValue
		}
		if b.Properties != nil {
			merged := append([]Property(nil), ac.Properties...)
			for _, p := range b.Properties {
				replaced := false
				for i := range merged {
					if merged[i].Name == p.Name {
						merged[i], replaced = p, true
					}
				}
				if !replaced {
					merged = append(merged, p)
				}
			}
			ac.Properties = merged
		}
		cur = *ac
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, s.view(r.Context(), cur, c))
	default:
		message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
	}
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
