package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Claims are the token claims the check reads. They are decoded
// without verifying the signature: the token was just received over TLS from the issuer, and
// the proof API call is what shows it works.
type Claims struct {
	Subject    string
	UserID     string
	Issuer     string
	TenantID   string
	Tenant     string
	BUID       int64
	ClusterID  string
	Name       string
	GivenName  string
	FamilyName string
	Area       string
	Expiry     time.Time
}

// flexString accepts a JSON string or number.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return nil // another type (object, bool): ignore rather than fail the whole token
	}
	*f = flexString(n.String())
	return nil
}

func (f flexString) int64() int64 {
	s := strings.TrimSpace(string(f))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && v >= -9e18 && v <= 9e18 {
		return int64(v)
	}
	return 0
}

// ParseClaims decodes a JWT's payload (the middle part, base64url) without verifying it.
func ParseClaims(jwt string) (Claims, error) {
	parts := strings.Split(strings.TrimSpace(jwt), ".")
	if len(parts) != 3 {
		return Claims{}, errors.New("the token is not a JWT (want three dot-separated parts)")
	}
	seg := strings.TrimRight(parts[1], "=")
	payload, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		if payload, err = base64.RawStdEncoding.DecodeString(seg); err != nil {
			return Claims{}, errors.New("the token's payload is not base64url")
		}
	}
	var raw struct {
		Sub        flexString `json:"sub"`
		UserID     flexString `json:"userId"`
		Iss        flexString `json:"iss"`
		TenantID   flexString `json:"tenantId"`
		Tenant     flexString `json:"tenant"`
		BU         flexString `json:"icBUId"`
		Cluster    flexString `json:"icClusterId"`
		Name       flexString `json:"name"`
		GivenName  flexString `json:"given_name"`
		FamilyName flexString `json:"family_name"`
		Area       flexString `json:"area"`
		Exp        flexString `json:"exp"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return Claims{}, errors.New("the token's payload is not a JSON object")
	}
	c := Claims{
		Subject: string(raw.Sub), UserID: string(raw.UserID), Issuer: string(raw.Iss),
		TenantID: string(raw.TenantID), Tenant: string(raw.Tenant), BUID: raw.BU.int64(),
		ClusterID: string(raw.Cluster), Name: string(raw.Name), GivenName: string(raw.GivenName),
		FamilyName: string(raw.FamilyName), Area: string(raw.Area),
	}
	if exp := raw.Exp.int64(); exp > 0 && exp < 1<<40 {
		c.Expiry = time.Unix(exp, 0).UTC()
	}
	return c, nil
}

// user names the user for people: the name claim (often the login), else given and family
// name, else the user ID or subject.
func (c Claims) user() string {
	if c.Name != "" {
		return c.Name
	}
	if n := strings.TrimSpace(c.GivenName + " " + c.FamilyName); n != "" {
		return n
	}
	if c.UserID != "" {
		return c.UserID
	}
	return c.Subject
}
