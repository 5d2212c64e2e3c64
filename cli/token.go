package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// TokenOptions are the parsed options of `token`.
type TokenOptions struct {
	F     *Factory
	Fresh bool
}

func newTokenCmd(f *Factory, runF func(context.Context, *TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{F: f}
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print an access token",
		Long:  `Token prints an access token for the profile, alone on one line, for pipes and scripts. The last token is kept in the keyring and reused while it has at least 5 minutes left; --fresh always asks CXone for a new one.`,
		Example: `  curl -H "Authorization: Bearer $(cxone-auth token)" \
    "$CXONE_API_ENDPOINT/inContactAPI/services/v31.0/business-unit"
  cxone-auth token --profile staging --fresh`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Fresh, "fresh", false, "ignore the cached token and get a new one")
	return cmd
}

func tokenRun(ctx context.Context, o *TokenOptions) error {
	o.F.warnLooseConfig()
	p, err := o.F.profileWithToken(ctx, o.F.ProfileName(), o.Fresh)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(o.F.IO.Out, p.token.AccessToken); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// profileToken is a stored profile with a usable access token.
type profileToken struct {
	sec   store.Secret
	meta  store.Meta
	token *auth.Result
}

// profileWithToken loads the profile and gives it a usable access token: the one cached in
// its keyring item while it has at least 5 minutes left (one read, no request), else a new one
// through the cached token endpoint (the proof call is skipped: the caller is about to use the
// token anyway), which then replaces the cached one, unless the profile changed meanwhile.
func (f *Factory) profileWithToken(ctx context.Context, name string, fresh bool) (profileToken, error) {
	sec, meta, err := f.loadProfile(ctx, name)
	if err != nil {
		return profileToken{}, err
	}
	if !fresh {
		if tok, exp, ok := sec.Cache.UsableToken(time.Now()); ok {
			f.Settings.Logger.Debug("token from the keyring", "profile", name, "expires", exp)
			c := sec.Cache
			return profileToken{sec: sec, meta: meta, token: &auth.Result{Issuer: sec.Issuer, AccessToken: tok, TokenExpiresAt: exp,
				TenantID: c.TenantID, APIEndpoint: c.APIEndpoint, TokenEndpoint: c.TokenEndpoint, AuthMethod: c.AuthMethod, BasicEncoding: c.BasicEncoding}}, nil
		}
	}
	issuer := sec.Issuer
	if issuer == "" {
		issuer = f.Settings.Issuer
	}
	res, err := f.Client().Check(ctx, sec.Credentials(), auth.Options{
		Issuer: issuer, Scope: f.Settings.Scope, Cache: sec.AuthCache(), Logger: f.Settings.Logger, SkipProof: true,
	})
	if err != nil {
		return profileToken{}, err
	}
	if s, err := f.Store(); err == nil && sec.Issuer != "" {
		fresh := store.CacheFromResult(res)
		fresh.Inherit(sec.Cache)
		if _, err := s.UpdateSecret(ctx, name, sec, func(x *store.Secret) { x.Cache = fresh }); err != nil {
			f.Settings.Logger.Debug("token not cached", "profile", name, "err", err)
		}
	}
	return profileToken{sec: sec, meta: meta, token: res}, nil
}

// exportValues are the variables a profile is exported as; tok may be nil. Everything but the
// four credentials comes from the profile's keyring item (its cache, bound to its issuer) or
// from tok, a check of that item just now; never from config.json, which anyone who can write
// that file could point elsewhere (docs/trust.md). What neither knows is left out.
func exportValues(sec store.Secret, tok *auth.Result) store.ExportValues {
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
