package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"cxone-auth/auth"
)

// secretVersion is the version of the keyring item's JSON document.
const secretVersion = 1

// Secret is what one keyring item holds: the issuer and the four credential values, stored as
// the JSON document {"version":1,"issuer",...}, plus an optional cache of what the last check
// learnt. String, GoString, LogValue and Format mask the secrets and the cached token, so a
// Secret never leaks through fmt or slog.
type Secret struct {
	Version         int    `json:"version"`
	Issuer          string `json:"issuer"`
	ClientID        string `json:"client_id"`
	ClientSecret    string `json:"client_secret"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	// Cache is what a check of exactly these credentials at exactly this issuer learnt. It
	// lives in the same keyring item as the issuer, so a later check is bound to that issuer:
	// config.json has copies of the endpoints for display only, and a changed config file can
	// never send the credentials elsewhere. Save replaces the whole item, so new credentials or
	// a new issuer start without a cache.
	Cache *SecretCache `json:"cache,omitempty"`

	// named is set while a read item is checked against its config entry: the stored document
	// named its profile (checkBinding). Load clears it before handing the Secret out.
	named bool
}

// NewSecret is the keyring document of credentials just checked at issuer. r may be nil
// (nothing learnt); otherwise its endpoints and token become the cache, unless r comes from
// another issuer.
func NewSecret(issuer string, c auth.Credentials, r *auth.Result) Secret {
	s := Secret{Version: secretVersion, Issuer: issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret}
	if r != nil && (r.Issuer == "" || r.Issuer == issuer) {
		s.Cache = CacheFromResult(r)
	}
	return s
}

// Credentials returns the four credential values.
func (s Secret) Credentials() auth.Credentials {
	return auth.Credentials{ClientID: s.ClientID, ClientSecret: s.ClientSecret, AccessKeyID: s.AccessKeyID, AccessKeySecret: s.AccessKeySecret}
}

// SameIdentity reports whether o has the same issuer and the same four credential values:
// what a cache computed for s is still valid for.
func (s Secret) SameIdentity(o Secret) bool {
	return s.Issuer == o.Issuer && s.ClientID == o.ClientID && s.ClientSecret == o.ClientSecret &&
		s.AccessKeyID == o.AccessKeyID && s.AccessKeySecret == o.AccessKeySecret
}

// Equal reports whether o holds the same values, cache included (== would compare the cache
// pointers).
func (s Secret) Equal(o Secret) bool {
	if s.Version != o.Version || !s.SameIdentity(o) || (s.Cache == nil) != (o.Cache == nil) {
		return false
	}
	return s.Cache == nil || s.Cache.equal(*o.Cache)
}

// AuthCache is what a check may reuse: the cached endpoints, or nil when none are cached.
func (s Secret) AuthCache() *auth.Cache {
	if s.Cache == nil {
		return nil
	}
	return s.Cache.Endpoints()
}

// String shows the issuer, the masked credentials and the cache without its token.
func (s Secret) String() string {
	out := fmt.Sprintf("{version:%d issuer:%s credentials:%s", s.Version, s.Issuer, s.Credentials().String())
	if s.Cache != nil {
		out += " cache:" + s.Cache.String()
	}
	return out + "}"
}

// GoString keeps %#v from printing the secrets.
func (s Secret) GoString() string { return "store.Secret" + s.String() }

// LogValue implements slog.LogValuer with the same masking as String.
func (s Secret) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Int("version", s.Version), slog.String("issuer", s.Issuer),
		slog.Any("credentials", s.Credentials())}
	if s.Cache != nil {
		attrs = append(attrs, slog.Any("cache", *s.Cache))
	}
	return slog.GroupValue(attrs...)
}

// Format makes every fmt verb (%v, %+v, %s, %q, %x...) print the masked form; without it %+v
// and %x would reach the fields directly.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, s.String())
}

// TokenMinLifetime is how long a cached access token must still be valid to be handed out
// again; a shorter rest could expire while the caller uses it.
const TokenMinLifetime = 5 * time.Minute

// SecretCache is what the last check of a profile learnt, kept in the profile's keyring item:
// the endpoints and client authentication method (reused so a later check needs two round
// trips instead of four) and the last access token with its expiry (reused by `token`, `exec`
// and `export --with-token`). The token is a secret: String, GoString, LogValue and Format
// hide it.
type SecretCache struct {
	TokenEndpoint  string    `json:"token_endpoint,omitempty"`
	AuthMethod     string    `json:"auth_method,omitempty"`
	BasicEncoding  string    `json:"basic_encoding,omitempty"` // auth.BasicForm or auth.BasicRaw, with client_secret_basic
	TenantID       string    `json:"tenant_id,omitempty"`
	APIEndpoint    string    `json:"api_endpoint,omitempty"`
	AccessToken    string    `json:"access_token,omitempty"`
	TokenExpiresAt time.Time `json:"token_expires_at,omitzero"`
	// BusinessUnitID, Area and Cluster are what the check learnt of the tenant. Exports and
	// exec take them (with TenantID and APIEndpoint) from here only, never from config.json,
	// whose copies anyone who can write that file could change (docs/trust.md).
	BusinessUnitID int64  `json:"business_unit_id,omitempty"`
	Area           string `json:"area,omitempty"`
	Cluster        string `json:"cluster,omitempty"`
}

// CacheFromResult is the cache of a successful check; nil for a nil result.
func CacheFromResult(r *auth.Result) *SecretCache {
	if r == nil {
		return nil
	}
	c := &SecretCache{TokenEndpoint: r.TokenEndpoint, AuthMethod: r.AuthMethod, BasicEncoding: r.BasicEncoding, TenantID: r.TenantID, APIEndpoint: r.APIEndpoint,
		BusinessUnitID: r.BusinessUnitID, Area: r.Area, Cluster: r.Cluster}
	if r.AccessToken != "" && !r.TokenExpiresAt.IsZero() {
		c.AccessToken, c.TokenExpiresAt = r.AccessToken, r.TokenExpiresAt.UTC()
	}
	return c
}

// Inherit keeps what old learnt of the tenant (business unit, tenant ID) where c does not
// know it, and old's area and cluster: a check through the cached endpoints skips the stages
// that learn them.
// Callers make sure old belongs to the same identity (UpdateSecret checks it).
func (c *SecretCache) Inherit(old *SecretCache) {
	if c == nil || old == nil {
		return
	}
	if c.TenantID == "" {
		c.TenantID = old.TenantID
	}
	if c.TenantID != old.TenantID {
		return // another tenant: nothing of the old one applies
	}
	if c.BusinessUnitID == 0 {
		c.BusinessUnitID = old.BusinessUnitID
	}
	// Area and cluster belong to the tenant: the first ones learnt stay (tenant discovery's,
	// from the full check of a setup), so a check through the cached endpoints, which reads
	// them from the token's claims instead, never rewrites the item for a spelling of its own.
	if old.Area != "" {
		c.Area = old.Area
	}
	if old.Cluster != "" {
		c.Cluster = old.Cluster
	}
}

// SameFindings reports whether c and o cache the same endpoints and tenant findings (the
// token aside): when they do, a new check has nothing to add to the keyring item.
func (c *SecretCache) SameFindings(o *SecretCache) bool {
	if c == nil || o == nil {
		return c == o
	}
	a, b := *c, *o
	a.AccessToken, a.TokenExpiresAt, b.AccessToken, b.TokenExpiresAt = "", time.Time{}, "", time.Time{}
	return a.equal(b)
}

// Endpoints returns the cached endpoints for a check, or nil when none are cached.
func (c *SecretCache) Endpoints() *auth.Cache {
	if c == nil || (c.TokenEndpoint == "" && c.AuthMethod == "" && c.TenantID == "" && c.APIEndpoint == "") {
		return nil
	}
	return &auth.Cache{TokenEndpoint: c.TokenEndpoint, AuthMethod: c.AuthMethod, BasicEncoding: c.BasicEncoding, TenantID: c.TenantID, APIEndpoint: c.APIEndpoint}
}

// UsableToken returns the cached access token and its expiry when it is still valid for at
// least TokenMinLifetime after now.
// The token's own exp claim (when it is a JWT) bounds the recorded expiry too, so a token
// cached with a longer expiry than it carries is never handed out expired.
func (c *SecretCache) UsableToken(now time.Time) (string, time.Time, bool) {
	if c == nil || c.AccessToken == "" || c.TokenExpiresAt.IsZero() {
		return "", time.Time{}, false
	}
	exp := c.TokenExpiresAt
	if own := auth.TokenExpiry(now, 0, c.AccessToken); !own.IsZero() && own.Before(exp) {
		exp = own
	}
	if exp.Before(now.Add(TokenMinLifetime)) {
		return "", time.Time{}, false
	}
	return c.AccessToken, exp, true
}

func (c SecretCache) equal(o SecretCache) bool {
	return c.TokenEndpoint == o.TokenEndpoint && c.AuthMethod == o.AuthMethod && c.BasicEncoding == o.BasicEncoding && c.TenantID == o.TenantID &&
		c.APIEndpoint == o.APIEndpoint && c.AccessToken == o.AccessToken && c.TokenExpiresAt.Equal(o.TokenExpiresAt) &&
		c.BusinessUnitID == o.BusinessUnitID && c.Area == o.Area && c.Cluster == o.Cluster
}

func (c SecretCache) tokenState() string {
	if c.AccessToken == "" {
		return "(none)"
	}
	return "(hidden)"
}

// String shows the endpoints and hides the token.
func (c SecretCache) String() string {
	exp := ""
	if !c.TokenExpiresAt.IsZero() {
		exp = c.TokenExpiresAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("{token_endpoint:%s auth_method:%s basic_encoding:%s tenant_id:%s api_endpoint:%s access_token:%s token_expires_at:%s business_unit_id:%d area:%s cluster:%s}",
		c.TokenEndpoint, c.AuthMethod, c.BasicEncoding, c.TenantID, c.APIEndpoint, c.tokenState(), exp, c.BusinessUnitID, c.Area, c.Cluster)
}

// GoString keeps %#v from printing the token.
func (c SecretCache) GoString() string { return "store.SecretCache" + c.String() }

// LogValue implements slog.LogValuer without the token.
func (c SecretCache) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token_endpoint", c.TokenEndpoint), slog.String("auth_method", c.AuthMethod),
		slog.String("basic_encoding", c.BasicEncoding),
		slog.String("tenant_id", c.TenantID), slog.String("api_endpoint", c.APIEndpoint),
		slog.String("access_token", c.tokenState()), slog.Time("token_expires_at", c.TokenExpiresAt),
		slog.Int64("business_unit_id", c.BusinessUnitID), slog.String("area", c.Area), slog.String("cluster", c.Cluster))
}

// Format makes every fmt verb print the masked form.
func (c SecretCache) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, c.GoString())
		return
	}
	fmt.Fprint(f, c.String())
}

// MarshalJSON is the keyring document. It is the only way a secret leaves this type.
func (s Secret) MarshalJSON() ([]byte, error) {
	type plain Secret
	p := plain(s)
	if p.Version == 0 {
		p.Version = secretVersion
	}
	return json.Marshal(p)
}

// secretPlain is Secret without its methods, for encoding.
type secretPlain Secret

// secretDoc is the stored document: the Secret and the name of the profile it was saved for.
type secretDoc struct {
	secretPlain
	Profile string `json:"profile,omitempty"`
}

// marshalSecretFor is the keyring document of sec saved for profile name.
func marshalSecretFor(name string, sec Secret) ([]byte, error) {
	if sec.Version == 0 {
		sec.Version = secretVersion
	}
	return json.Marshal(secretDoc{secretPlain: secretPlain(sec), Profile: name})
}

// errOtherProfile marks a keyring item saved for another profile than the one it was read as.
var errOtherProfile = errors.New("the keyring item was saved for another profile")

// decodeSecretFor parses the keyring document of profile name. A document saved for another
// profile is errOtherProfile (never its content); one that names no profile (saved before
// items named theirs) is accepted. Errors never quote the document.
func decodeSecretFor(data []byte, name string) (Secret, error) {
	var d struct {
		Profile *string `json:"profile"`
	}
	if err := json.Unmarshal(data, &d); err == nil && d.Profile != nil && *d.Profile != name {
		return Secret{}, fmt.Errorf("%w (%q)", errOtherProfile, *d.Profile)
	}
	sec, err := decodeSecret(data)
	sec.named = err == nil && d.Profile != nil
	return sec, err
}

// decodeSecret parses a keyring document. Errors never quote the document.
func decodeSecret(data []byte) (Secret, error) {
	type plain Secret
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Secret{}, fmt.Errorf("stored item is not valid JSON (at byte %d)", se.Offset)
		}
		return Secret{}, errors.New("stored item is not a cxone-auth credentials document")
	}
	if p.Version > secretVersion {
		return Secret{}, fmt.Errorf("stored item has version %d, written by a newer cxone-auth", p.Version)
	}
	if p.Version == 0 {
		p.Version = secretVersion
	}
	return Secret(p), nil
}

// The one vocabulary of a check's status, used by list, check (text and JSON) and the profiles
// screen alike (docs/cli-habits.md): valid; rejected (the credentials were refused: exit 3);
// unreachable (CXone could not be reached or did not answer in time); error (any other
// failure: a server error, an unexpected answer, the keyring); missing (nothing is stored under
// the name). Meta.LastCheckStatus records one of the first four.
const (
	StatusValid       = "valid"
	StatusRejected    = "rejected"
	StatusUnreachable = "unreachable"
	StatusError       = "error"
	StatusMissing     = "missing"
)

// Statuses lists the vocabulary in the order above.
var Statuses = []string{StatusValid, StatusRejected, StatusUnreachable, StatusError, StatusMissing}

// StatusOf is the status of a check that failed with an error of kind k.
func StatusOf(k auth.Kind) string {
	switch {
	case k.Rejected():
		return StatusRejected
	case k == auth.KindNetwork || k == auth.KindTimeout:
		return StatusUnreachable
	case k == auth.KindNotFound:
		return StatusMissing
	}
	return StatusError
}

// ShownStatus is a recorded status in the vocabulary: entries written before "unreachable"
// existed say "error" with the kind network or timeout. Anything outside the vocabulary (an
// edited file) is "error"; "" (never checked) stays "".
func ShownStatus(status, kind string) string {
	switch status {
	case "":
		return ""
	case StatusError:
		if k := auth.Kind(kind); k == auth.KindNetwork || k == auth.KindTimeout {
			return StatusUnreachable
		}
		return StatusError
	case StatusValid, StatusRejected, StatusUnreachable, StatusMissing:
		return status
	}
	return StatusError
}

// Meta is the non-secret configuration entry of one profile: what the last successful check
// learnt and how the last check went. It never holds a secret.
type Meta struct {
	Issuer         string `json:"issuer,omitempty"`
	ClientID       string `json:"client_id,omitempty"`
	AccessKeyID    string `json:"access_key_id,omitempty"`
	User           string `json:"user,omitempty"`
	TenantID       string `json:"tenant_id,omitempty"`
	Tenant         string `json:"tenant,omitempty"`
	BusinessUnitID int64  `json:"business_unit_id,omitempty"`
	BusinessUnit   string `json:"business_unit,omitempty"`
	Area           string `json:"area,omitempty"`
	Cluster        string `json:"cluster,omitempty"`
	APIEndpoint    string `json:"api_endpoint,omitempty"`
	TokenEndpoint  string `json:"token_endpoint,omitempty"`
	AuthMethod     string `json:"auth_method,omitempty"`
	BasicEncoding  string `json:"basic_encoding,omitempty"` // auth.BasicForm or auth.BasicRaw, with client_secret_basic
	// AccessKeyCreatedAt and AccessKeyLastUsed are what CXone's access-key API said about the
	// stored key (setup --rotate --auto); zero when not known.
	AccessKeyCreatedAt time.Time `json:"access_key_created_at,omitzero"`
	AccessKeyLastUsed  time.Time `json:"access_key_last_used,omitzero"`
	CreatedAt          time.Time `json:"created_at,omitzero"`
	LastCheckAt        time.Time `json:"last_check_at,omitzero"`
	LastCheckStatus    string    `json:"last_check_status,omitempty"` // StatusValid, StatusRejected, StatusUnreachable or StatusError
	LastErrorKind      string    `json:"last_error_kind,omitempty"`   // an auth.Kind when the last check failed
	// Backend is the keyring backend holding this profile's item. Save fills it in; Load and
	// Delete use it when no backend is asked for explicitly, so profiles saved in different
	// backends all stay reachable.
	Backend string `json:"backend,omitempty"`
}

// MetaFromResult builds the entry of a profile that was just checked successfully. r may be nil
// (nothing learnt; no check recorded).
func MetaFromResult(issuer string, c auth.Credentials, r *auth.Result) Meta {
	m := Meta{Issuer: issuer, ClientID: c.ClientID, AccessKeyID: c.AccessKeyID, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	if r == nil {
		return m
	}
	m.Learn(r)
	m.LastCheckAt = r.CheckedAt.UTC()
	if r.CheckedAt.IsZero() {
		m.LastCheckAt = m.CreatedAt
	}
	m.LastCheckStatus = StatusValid
	return m
}

// Learn copies into the entry what a successful check found out: the endpoints and auth
// method it used, and the user, tenant, business unit and area where the check knew them (a
// cached check that skipped a stage leaves the earlier findings in place).
func (m *Meta) Learn(r *auth.Result) {
	m.TokenEndpoint, m.AuthMethod, m.BasicEncoding, m.APIEndpoint = r.TokenEndpoint, r.AuthMethod, r.BasicEncoding, r.APIEndpoint
	if r.User != "" {
		m.User = r.User
	}
	if r.TenantID != "" {
		m.TenantID, m.Tenant = r.TenantID, r.Tenant
	}
	if r.BusinessUnitID != 0 {
		m.BusinessUnitID, m.BusinessUnit = r.BusinessUnitID, r.BusinessUnit
	}
	if r.Area != "" {
		m.Area = r.Area
	}
	if r.Cluster != "" {
		m.Cluster = r.Cluster
	}
}

// MetaUpdate is a change to one profile's config entry computed from a check that ran with
// the identity Issuer, ClientID and AccessKeyID. UpdateMetasIf applies it only while the
// entry still has that identity, so the result of a check that raced a new setup of the
// profile is dropped instead of describing the new credentials with the old ones' findings.
type MetaUpdate struct {
	Issuer      string
	ClientID    string
	AccessKeyID string
	Apply       func(*Meta)
}

// matches reports whether m still has the identity the update was computed for.
func (u MetaUpdate) matches(m Meta) bool {
	return m.Issuer == u.Issuer && m.ClientID == u.ClientID && m.AccessKeyID == u.AccessKeyID
}

// configVersion is the version of config.json this code writes.
const configVersion = 1

// Config is the content of config.json: the backend and file folder last used, the default
// profile and every profile's Meta. It never holds a secret.
type Config struct {
	Version        int             `json:"version"`
	Backend        string          `json:"backend,omitempty"`
	FileDir        string          `json:"file_dir,omitempty"`
	DefaultProfile string          `json:"default_profile,omitempty"`
	Profiles       map[string]Meta `json:"profiles"`
	// Cyclr is the stored Cyclr API client's non-secret half and the recorded installs
	// (store/cyclr.go); nil until `cyclr login`.
	Cyclr *CyclrConfig `json:"cyclr,omitempty"`
}
