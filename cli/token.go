package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/internal/app"
	"cxone-auth/store"
)

// TokenOptions are the parsed options of `token`.
type TokenOptions struct {
	F     *Factory
	Fresh bool
	Creds credentialSource
}

func newTokenCmd(f *Factory, runF func(context.Context, *TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{F: f}
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print an access token",
		Long: `Token prints an access token for the profile, alone on one line, for pipes and scripts. The last token is kept in the keyring and reused while it has at least 5 minutes left; --fresh always asks CXone for a new one.

--from-env or --env-file FILE (- = stdin) takes the four CXONE_* credentials from there instead of a stored profile (for CI): the token is requested live and nothing is read from or written to the keyring or the config.`,
		Example: `  curl -H "Authorization: Bearer $(cxone-auth token)" \
    "$CXONE_API_ENDPOINT/inContactAPI/services/v31.0/business-unit"
  cxone-auth token --profile staging --fresh
  cxone-auth token --env-file ci.env`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Creds.read(cmd)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Fresh, "fresh", false, "ignore the cached token and get a new one")
	opts.Creds.addFlags(cmd)
	return cmd
}

func tokenRun(ctx context.Context, o *TokenOptions) error {
	p, err := o.F.tokenFor(ctx, &o.Creds, o.Fresh)
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
	// stateless: the credentials came from the environment or an env file, not the store.
	stateless bool
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
	s, _ := f.Store() // loadProfile opened it
	tok, err := f.newApp(s).Token(ctx, name, sec, fresh)
	if err != nil {
		return profileToken{}, err
	}
	return profileToken{sec: sec, meta: meta, token: tok}, nil
}

// exportValues are the variables a profile is exported as (app.ExportValues); tok may be nil.
func exportValues(sec store.Secret, tok *auth.Result) store.ExportValues {
	return app.ExportValues(sec, tok)
}

// credentialSource is the --from-env and --env-file choice of token, exec and export (as
// check has): with either, the four credentials come from there, a token is requested live,
// and nothing is read from or written to the keyring or the config.
type credentialSource struct {
	FromEnv bool
	EnvFile string
	// profileFlag is set when --profile was given: then the stored profile is meant.
	profileFlag bool
}

func (c *credentialSource) addFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&c.FromEnv, "from-env", false, "credentials of the environment, not a profile")
	cmd.Flags().StringVar(&c.EnvFile, "env-file", "", "credentials of this file (- = stdin), not a profile")
}

// read records what the command line chose; it runs in RunE, after the flags are parsed.
func (c *credentialSource) read(cmd *cobra.Command) { c.profileFlag = changed(cmd.Flags(), "profile") }

// stateless reports whether the credentials come from the environment or a file.
func (c *credentialSource) stateless() bool { return c.FromEnv || c.EnvFile != "" }

// tokenFor is the profile with a usable token for token, exec and export: from the
// environment or the env file when c says so (a live token, no keyring, no config), else the
// stored profile (its cached token while it has 5 minutes left, unless fresh).
func (f *Factory) tokenFor(ctx context.Context, c *credentialSource, fresh bool) (profileToken, error) {
	if c.stateless() {
		return f.statelessToken(ctx, c)
	}
	f.noticeIgnoredEnvironment(c)
	f.warnLooseConfig()
	return f.profileWithToken(ctx, f.ProfileName(), fresh)
}

// statelessToken requests a token for the credentials of the environment or the env file.
// It never opens the store: no keyring item, no config.json, no token cache.
func (f *Factory) statelessToken(ctx context.Context, c *credentialSource) (profileToken, error) {
	var vars map[string]string
	if c.EnvFile != "" {
		vars = f.Settings.EnvFile
	}
	creds, err := f.credentialsFrom(vars, c.EnvFile)
	if err != nil {
		return profileToken{}, err
	}
	res, err := f.Client().Check(ctx, creds, auth.Options{
		Issuer: f.Settings.Issuer, Scope: f.Settings.Scope, Logger: f.Settings.Logger, SkipProof: true,
	})
	if err != nil {
		return profileToken{}, err
	}
	sec := store.Secret{Issuer: f.Settings.Issuer, ClientID: creds.ClientID, ClientSecret: creds.ClientSecret,
		AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret}
	return profileToken{sec: sec, token: res, stateless: true}, nil
}

// noticeIgnoredEnvironment says, in one line on stderr, that the four credential variables of
// the environment are not what this command uses: neither --from-env nor --profile was given,
// so the stored profile is.
func (f *Factory) noticeIgnoredEnvironment(c *credentialSource) {
	if c.profileFlag {
		return
	}
	for _, name := range credentialNames {
		if f.Env.Getenv(name) == "" {
			return
		}
	}
	fmt.Fprintf(f.IO.ErrOut, "cxone-auth: using the stored profile %q; the CXONE_* credentials of the environment are not used (--from-env would use them).\n", f.ProfileName())
}
