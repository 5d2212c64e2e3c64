package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// ExportValues are the variables a profile is exported as; tok may be nil. Everything but the
// four credentials comes from the profile's keyring item (its cache, bound to its issuer) or
// from tok, a check of that item just now; never from config.json, which anyone who can write
// that file could point elsewhere (docs/trust.md). What neither knows is left out.
func ExportValues(sec store.Secret, tok *auth.Result) store.ExportValues {
	v := store.ExportValues{
		Issuer: sec.Issuer, ClientID: sec.ClientID, ClientSecret: sec.ClientSecret,
		AccessKeyID: sec.AccessKeyID, AccessKeySecret: sec.AccessKeySecret,
	}
	if c := sec.Cache; c != nil {
		v.TenantID, v.BusinessUnitID, v.APIEndpoint, v.Area, v.Cluster = c.TenantID, c.BusinessUnitID, c.APIEndpoint, c.Area, c.Cluster
	}
	if tok != nil {
		v.AccessToken, v.TokenExpiresAt = tok.AccessToken, tok.TokenExpiresAt
		if tok.TenantID != "" && tok.TenantID != v.TenantID {
			// Another tenant than the cache's: nothing else the cache knows applies.
			v.TenantID, v.BusinessUnitID, v.APIEndpoint, v.Area, v.Cluster = tok.TenantID, 0, "", "", ""
		}
		if tok.APIEndpoint != "" {
			v.APIEndpoint = tok.APIEndpoint
		}
		if tok.BusinessUnitID != 0 {
			v.BusinessUnitID = tok.BusinessUnitID
		}
		if tok.Area != "" {
			v.Area = tok.Area
		}
		if tok.Cluster != "" {
			v.Cluster = tok.Cluster
		}
	}
	return v
}

// Export is stored profile name in format (store.Formats): its keyring item, and with
// withToken a usable access token (Token; fresh: a new one). One config read; the error of the
// read is a *ConfigError or a *LoadError.
func (a *App) Export(ctx context.Context, name, format string, withToken, fresh bool) ([]byte, error) {
	fm, ok := store.FormatNamed(format)
	if !ok {
		return nil, fmt.Errorf("unknown export format %q: want %s", format, strings.Join(store.FormatNames(), ", "))
	}
	sec, _, err := a.Load(ctx, name)
	if err != nil {
		return nil, err
	}
	var tok *auth.Result
	if withToken {
		if tok, err = a.Token(ctx, name, sec, fresh); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := fm.Write(&buf, ExportValues(sec, tok)); err != nil {
		return nil, fmt.Errorf("cannot write the %s format: %w", format, err)
	}
	return buf.Bytes(), nil
}
