package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"cxone-auth/auth"
)

// secretVersion is the version of the keyring item's JSON document (SPEC section 6).
const secretVersion = 1

// Secret is what one keyring item holds: the issuer and the four credential values, stored as
// the JSON document {"version":1,"issuer",...} of SPEC section 6. String, GoString and LogValue
// mask it, so it never leaks through fmt or slog.
type Secret struct {
	Version         int    `json:"version"`
	Issuer          string `json:"issuer"`
	ClientID        string `json:"client_id"`
	ClientSecret    string `json:"client_secret"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
}

// Credentials returns the four credential values.
func (s Secret) Credentials() auth.Credentials {
	return auth.Credentials{ClientID: s.ClientID, ClientSecret: s.ClientSecret, AccessKeyID: s.AccessKeyID, AccessKeySecret: s.AccessKeySecret}
}

// String shows the issuer and the masked credentials.
func (s Secret) String() string {
	return fmt.Sprintf("{version:%d issuer:%s credentials:%s}", s.Version, s.Issuer, s.Credentials().String())
}

// GoString keeps %#v from printing the secrets.
func (s Secret) GoString() string { return "store.Secret" + s.String() }

// LogValue implements slog.LogValuer with the same masking as String.
func (s Secret) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("version", s.Version), slog.String("issuer", s.Issuer),
		slog.Any("credentials", s.Credentials()))
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

// MarshalJSON is the keyring document. It is the only way a secret leaves this type.
func (s Secret) MarshalJSON() ([]byte, error) {
	type plain Secret
	p := plain(s)
	if p.Version == 0 {
		p.Version = secretVersion
	}
	return json.Marshal(p)
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

// Check statuses recorded in Meta.LastCheckStatus.
const (
	StatusValid    = "valid"
	StatusRejected = "rejected"
	StatusError    = "error"
)

// Meta is the non-secret configuration entry of one profile: what the last successful check
// learnt and how the last check went. It never holds a secret.
type Meta struct {
	Issuer          string    `json:"issuer,omitempty"`
	ClientID        string    `json:"client_id,omitempty"`
	AccessKeyID     string    `json:"access_key_id,omitempty"`
	User            string    `json:"user,omitempty"`
	TenantID        string    `json:"tenant_id,omitempty"`
	Tenant          string    `json:"tenant,omitempty"`
	BusinessUnitID  int64     `json:"business_unit_id,omitempty"`
	BusinessUnit    string    `json:"business_unit,omitempty"`
	Area            string    `json:"area,omitempty"`
	APIEndpoint     string    `json:"api_endpoint,omitempty"`
	TokenEndpoint   string    `json:"token_endpoint,omitempty"`
	AuthMethod      string    `json:"auth_method,omitempty"`
	CreatedAt       time.Time `json:"created_at,omitzero"`
	LastCheckAt     time.Time `json:"last_check_at,omitzero"`
	LastCheckStatus string    `json:"last_check_status,omitempty"` // StatusValid, StatusRejected or StatusError
	LastErrorKind   string    `json:"last_error_kind,omitempty"`   // an auth.Kind when the last check failed
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
	m.User, m.TenantID, m.Tenant = r.User, r.TenantID, r.Tenant
	m.BusinessUnitID, m.BusinessUnit, m.Area = r.BusinessUnitID, r.BusinessUnit, r.Area
	m.APIEndpoint, m.TokenEndpoint, m.AuthMethod = r.APIEndpoint, r.TokenEndpoint, r.AuthMethod
	m.LastCheckAt = r.CheckedAt.UTC()
	if r.CheckedAt.IsZero() {
		m.LastCheckAt = m.CreatedAt
	}
	m.LastCheckStatus = StatusValid
	return m
}

// Cache returns what a later check can reuse, or nil when nothing is cached.
func (m Meta) Cache() *auth.Cache {
	if m.TokenEndpoint == "" && m.AuthMethod == "" && m.TenantID == "" && m.APIEndpoint == "" {
		return nil
	}
	return &auth.Cache{TokenEndpoint: m.TokenEndpoint, AuthMethod: m.AuthMethod, TenantID: m.TenantID, APIEndpoint: m.APIEndpoint}
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
}
