package store

import (
	"fmt"
	"strconv"
	"time"

	"cxone-auth/auth"
)

// View is what a person or a script is shown of a profile: its non-secret identity and what
// its last check learnt, with the IDs masked (in full in Full, for JSON) and every string made
// safe for a terminal. `list`,
// `check` (text and JSON), the wizard's check and done steps and the profiles screen all show
// a profile through it, so a field is formatted in one place only. It never holds a secret.
type View struct {
	Name           string `json:"profile"`
	Issuer         string `json:"issuer,omitempty"`
	ClientID       string `json:"client_id,omitempty"`     // masked
	AccessKeyID    string `json:"access_key_id,omitempty"` // masked
	User           string `json:"user,omitempty"`
	TenantID       string `json:"tenant_id,omitempty"` // masked
	Tenant         string `json:"tenant,omitempty"`
	BusinessUnitID int64  `json:"business_unit_id,omitempty"`
	BusinessUnit   string `json:"business_unit,omitempty"`
	Area           string `json:"area,omitempty"`
	Cluster        string `json:"cluster,omitempty"`
	APIEndpoint    string `json:"api_endpoint,omitempty"`
	AuthMethod     string `json:"auth_method,omitempty"`
	// Full has the IDs unmasked (sanitised), for the JSON outputs: scripts use them and they
	// are not secrets. The text outputs show the masked fields above.
	Full FullIDs `json:"-"`
}

// FullIDs are a profile's IDs in full.
type FullIDs struct {
	ClientID, AccessKeyID, TenantID string
}

// ViewOfMeta is the view of a stored profile's config entry. The config file can be edited by
// anyone who can write it, so every string is sanitised.
func ViewOfMeta(name string, m Meta) View {
	return View{
		Name:           auth.Sanitize(name),
		Issuer:         auth.Sanitize(m.Issuer),
		ClientID:       auth.Sanitize(auth.Mask(m.ClientID)),
		AccessKeyID:    auth.Sanitize(auth.Mask(m.AccessKeyID)),
		User:           auth.Sanitize(m.User),
		TenantID:       auth.Sanitize(auth.Mask(m.TenantID)),
		Tenant:         auth.Sanitize(m.Tenant),
		BusinessUnitID: m.BusinessUnitID,
		BusinessUnit:   auth.Sanitize(m.BusinessUnit),
		Area:           auth.Sanitize(m.Area),
		Cluster:        auth.Sanitize(m.Cluster),
		APIEndpoint:    auth.Sanitize(m.APIEndpoint),
		AuthMethod:     auth.Sanitize(m.AuthMethod),
		Full:           FullIDs{ClientID: auth.Sanitize(m.ClientID), AccessKeyID: auth.Sanitize(m.AccessKeyID), TenantID: auth.Sanitize(m.TenantID)},
	}
}

// ViewOfCheck is the view of credentials that were just checked; r may be nil (the check
// failed: only the identity is known).
func ViewOfCheck(name, issuer string, c auth.Credentials, r *auth.Result) View {
	v := View{
		Name:        auth.Sanitize(name),
		Issuer:      auth.Sanitize(issuer),
		ClientID:    auth.Sanitize(auth.Mask(c.ClientID)),
		AccessKeyID: auth.Sanitize(auth.Mask(c.AccessKeyID)),
		Full:        FullIDs{ClientID: auth.Sanitize(c.ClientID), AccessKeyID: auth.Sanitize(c.AccessKeyID)},
	}
	if r == nil {
		return v
	}
	v.Full.TenantID = auth.Sanitize(r.TenantID)
	v.Cluster = auth.Sanitize(r.Cluster)
	v.User, v.TenantID, v.Tenant = auth.Sanitize(r.User), auth.Sanitize(auth.Mask(r.TenantID)), auth.Sanitize(r.Tenant)
	v.BusinessUnitID, v.BusinessUnit = r.BusinessUnitID, auth.Sanitize(r.BusinessUnit)
	v.Area, v.APIEndpoint, v.AuthMethod = auth.Sanitize(r.Area), auth.Sanitize(r.APIEndpoint), auth.Sanitize(r.AuthMethod)
	return v
}

// BusinessUnitText is the business unit as people read it: "Acme (4601234)", the name or the
// number alone when only one is known, "" when neither is.
func (v View) BusinessUnitText() string {
	switch {
	case v.BusinessUnitID != 0 && v.BusinessUnit != "":
		return fmt.Sprintf("%s (%d)", v.BusinessUnit, v.BusinessUnitID)
	case v.BusinessUnitID != 0:
		return strconv.FormatInt(v.BusinessUnitID, 10)
	}
	return v.BusinessUnit
}

// TenantText is the tenant's name, else its masked ID, else "".
func (v View) TenantText() string {
	if v.Tenant != "" {
		return v.Tenant
	}
	return v.TenantID
}

// Or returns s, or "unknown" when it is empty: for screens that list every field.
func Or(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Age says how long ago t was, in the largest whole unit: "just now", "5m ago", "3h ago",
// "2d ago"; "never" for the zero time.
func Age(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
}
