// Package auth checks NICE CXone API credentials live: OIDC discovery, the password-grant
// token with the access key, unverified claims decoding, tenant discovery and a proof API call.
// It also gives its callers the product's one sanitiser for text shown on a terminal (Sanitize)
// and typed into a field (CleanInput), kept in the leaf package internal/textclean, so the CLI,
// the wizard and the tests share one implementation.
// Credentials only ever go to the origin they were addressed to: see Client.
package auth

import (
	"fmt"
	"log/slog"
	"time"

	"cxone-auth/internal/textclean"
)

// Default issuers of the two public CXone environments.
const (
	IssuerCommercial = "https://cxone.niceincontact.com"
	IssuerFedRAMP    = "https://cxone-gov.niceincontact.com"
)

// Token endpoint client authentication methods (remembered per profile).
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
)

// How the Client ID and Secret are written inside the Basic header (remembered per profile
// with client_secret_basic). RFC 6749 section 2.3.1 form-encodes both before base64; some
// servers compare the halves as sent, so a value that form-encoding changes (a secret holding
// `/`, `+` or `=`) may need them raw. See docs/protocol.md.
const (
	BasicForm = "form" // base64(urlencode(id) ":" urlencode(secret))
	BasicRaw  = "raw"  // base64(id ":" secret)
)

// Credentials are the four values CXone API access needs. Two of them are secrets: String and
// LogValue mask them so a Credentials value never leaks through fmt or slog.
type Credentials struct {
	ClientID        string
	ClientSecret    string
	AccessKeyID     string
	AccessKeySecret string
}

// String returns the non-secret identifiers masked and the secrets hidden.
func (c Credentials) String() string {
	return fmt.Sprintf("{client_id:%s client_secret:%s access_key_id:%s access_key_secret:%s}",
		Mask(c.ClientID), hidden(c.ClientSecret), Mask(c.AccessKeyID), hidden(c.AccessKeySecret))
}

// GoString keeps %#v from printing the secrets.
func (c Credentials) GoString() string { return "auth.Credentials" + c.String() }

// LogValue implements slog.LogValuer with the same masking as String.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", Mask(c.ClientID)),
		slog.String("client_secret", hidden(c.ClientSecret)),
		slog.String("access_key_id", Mask(c.AccessKeyID)),
		slog.String("access_key_secret", hidden(c.AccessKeySecret)),
	)
}

func hidden(s string) string {
	if s == "" {
		return "(empty)"
	}
	return "(hidden)"
}

// Mask shows the first 4 and last 4 characters of an identifier with "…" between them
// (textclean.Mask, the one masking rule, which the screens use too).
func Mask(s string) string { return textclean.Mask(s) }

// Cache holds what a successful check learnt, so that a later check can go straight to token
// and proof (two round trips). Any field may be empty.
type Cache struct {
	TokenEndpoint string
	AuthMethod    string // AuthBasic or AuthPost
	BasicEncoding string // with AuthBasic: BasicForm (also when empty) or BasicRaw
	TenantID      string
	APIEndpoint   string
}

// Stage is one step of the live check.
type Stage int

// The stages, in the order they run.
const (
	StageDiscovery Stage = iota // GET {issuer}/.well-known/openid-configuration
	StageToken                  // POST {token_endpoint}
	StageTenant                 // GET {issuer}/.well-known/cxone-configuration?tenantId=
	StageProof                  // GET {api_endpoint}/inContactAPI/services/vNN.0/business-unit
)

// Stages lists every stage in order, for drawing a checklist.
var Stages = []Stage{StageDiscovery, StageToken, StageTenant, StageProof}

// String names the stage for people ("Discover the issuer", ...).
func (s Stage) String() string {
	switch s {
	case StageDiscovery:
		return "Discover the issuer"
	case StageToken:
		return "Get a token with the access key"
	case StageTenant:
		return "Find the tenant's API endpoint"
	case StageProof:
		return "Call the API with the token"
	}
	return fmt.Sprintf("stage %d", int(s))
}

// StageState is where a stage stands.
type StageState int

// Stage states. A stage is reported Running, then exactly one of the others.
const (
	StateRunning StageState = iota
	StateDone
	StateWarning // passed with a caveat (403 on the proof, no tenant discovery)
	StateSkipped // not needed (cached endpoint, no tenant claim)
	StateFailed
)

// StageEvent reports progress of one stage; Detail is short, sanitised, and never a secret.
type StageEvent struct {
	Stage  Stage
	State  StageState
	Detail string
}

// Options tune one check.
type Options struct {
	Issuer    string           // required; validated with ValidateIssuer
	Scope     string           // sent as `scope` when not empty (CXONE_SCOPE)
	Cache     *Cache           // when set, the fast path is tried first
	Progress  func(StageEvent) // optional; called synchronously from the checking goroutine
	Logger    *slog.Logger     // optional debug log; never receives a secret
	SkipProof bool             // `token` and `exec` need only a token
}

// Result is what a successful check learnt. AccessToken is a secret: Result's String and
// LogValue omit it.
type Result struct {
	Issuer         string
	TokenEndpoint  string
	AuthMethod     string
	BasicEncoding  string // BasicForm or BasicRaw with AuthBasic; "" with AuthPost
	User           string // name claim (often the login), else given+family name, else sub
	UserID         string
	TenantID       string
	Tenant         string
	BusinessUnitID int64 // from the proof, else the icBUId claim; 0 when unknown
	BusinessUnit   string
	Area           string
	Cluster        string
	APIEndpoint    string // "" when unknown (no tenant discovery)
	AccessToken    string
	TokenExpiresAt time.Time
	CheckedAt      time.Time
	Duration       time.Duration
	Warnings       []string
	UsedCache      bool
}

// Cache returns what a later check can reuse.
func (r *Result) Cache() Cache {
	return Cache{TokenEndpoint: r.TokenEndpoint, AuthMethod: r.AuthMethod, BasicEncoding: r.BasicEncoding, TenantID: r.TenantID, APIEndpoint: r.APIEndpoint}
}

// String summarises the result without the token.
func (r *Result) String() string {
	return fmt.Sprintf("{user:%s tenant:%s bu:%d api:%s method:%s}", r.User, r.Tenant, r.BusinessUnitID, r.APIEndpoint, r.AuthMethod)
}

// LogValue implements slog.LogValuer without the token.
func (r *Result) LogValue() slog.Value { return slog.StringValue(r.String()) }

// Kind classifies an error for exit codes and `check --json`.
type Kind string

// Error kinds. The first three are the credentials' fault (exit 3); the rest exit 1.
const (
	KindInvalidClient Kind = "invalid_client"
	KindInvalidGrant  Kind = "invalid_grant"
	KindUnauthorized  Kind = "unauthorized"
	KindNetwork       Kind = "network"
	KindTimeout       Kind = "timeout"
	KindServer        Kind = "server"
	KindProtocol      Kind = "protocol"
)
