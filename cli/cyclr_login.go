// cyclr_login.go: `cyclr login`, storing a Cyclr API client after getting a token with it.

package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/cyclr"
	"cxone-auth/store"
)

func newCyclrLoginCmd(f *Factory) *cobra.Command {
	o := &CyclrOptions{F: f}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Store a Cyclr API client, after getting a token with it",
		Long: `login stores a Cyclr API client (Partner Console → Settings → OAuth Client Credentials) and its API domain (api.cyclr.com, api.cyclr.uk, api.eu.cyclr.com, api.apac.cyclr.com or a private instance's) as its own keyring item, after getting a token with it live. A second login replaces the stored client only once its own check passed.

The values come from a masked prompt on a terminal, or from CYCLR_CLIENT_ID, CYCLR_CLIENT_SECRET and CYCLR_API_DOMAIN with --from-env or --env-file FILE (- = stdin); never from flags. CYCLR_API_DOMAIN defaults to api.cyclr.com.`,
		Example: `  cxone-auth cyclr login
  cxone-auth cyclr login --env-file cyclr.env`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.FromEnv && o.EnvFile != "" {
				return usageErrorHint(helpHint(cmd), "--from-env and --env-file both name the Cyclr client: give one of them")
			}
			return cyclrLoginRun(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.FromEnv, "from-env", false, "read the CYCLR_* variables from the environment")
	cmd.Flags().StringVar(&o.EnvFile, "env-file", "", "read them from this file (- = stdin)")
	return cmd
}

func cyclrLoginRun(ctx context.Context, o *CyclrOptions) error {
	f := o.F
	var domain, id, secret string
	switch {
	case o.FromEnv || o.EnvFile != "":
		get, where := f.Env.Getenv, credentialWhere(o.EnvFile)
		if o.EnvFile != "" {
			vars := f.Settings.EnvFile
			get = func(k string) string { return vars[k] }
		}
		domain = strings.TrimSpace(get(cyclrEnvDomain))
		id, secret = strings.TrimSpace(get(cyclrEnvClientID)), strings.TrimSpace(get(cyclrEnvClientSecret))
		var missing []string
		if id == "" {
			missing = append(missing, cyclrEnvClientID)
		}
		if secret == "" {
			missing = append(missing, cyclrEnvClientSecret)
		}
		if len(missing) > 0 {
			return usageErrorHint("Set "+cyclrEnvClientID+" and "+cyclrEnvClientSecret+" (and "+cyclrEnvDomain+" unless it is "+cyclr.DefaultDomain+").",
				"%s: missing or empty: %s", where, strings.Join(missing, ", "))
		}
	case f.IO.IsStdinTTY():
		fmt.Fprintln(f.IO.ErrOut, "Cyclr API client: Partner Console → Settings → OAuth Client Credentials.")
		var err error
		if domain, err = cyclrReadLine(ctx, f.IO, "API domain ["+cyclr.DefaultDomain+"]: "); err != nil {
			return err
		}
		if id, err = cyclrReadLine(ctx, f.IO, "Client ID: "); err != nil {
			return err
		}
		if secret, err = f.IO.ReadSecret(ctx, "Client Secret: "); err != nil {
			return err
		}
		secret = auth.CleanInput(secret)
	default:
		return usageErrorHint("Without a terminal, give the client with --from-env or --env-file FILE ("+cyclrEnvClientID+", "+cyclrEnvClientSecret+", "+cyclrEnvDomain+").",
			"cyclr login needs a terminal for its prompts")
	}
	if domain == "" {
		domain = cyclr.DefaultDomain
	}
	base, err := cyclr.ParseDomain(domain)
	if err != nil {
		return usageError("%s: %v", cyclrEnvDomain, err)
	}
	for _, v := range [][2]string{{"the Cyclr Client ID", id}, {"the Cyclr Client Secret", secret}} {
		if v[1] == "" {
			return usageError("%s is empty", v[0])
		}
		if err := auth.ValidateValue(v[0], v[1]); err != nil {
			return usageError("%v", err)
		}
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	c := &cyclr.Client{Base: base, HTTP: f.Client(), Log: f.Settings.Logger}
	tok, err := c.NewToken(ctx, id, secret)
	if err != nil {
		return cyclrErr(fmt.Errorf("%w; nothing was stored", err), "")
	}
	sec := store.CyclrSecret{APIDomain: base, ClientID: id, ClientSecret: secret, AccessToken: tok.AccessToken, TokenExpiresAt: tok.ExpiresAt}
	if err := s.SaveCyclr(ctx, sec); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Logged in to Cyclr at %s as API client %s (token valid until %s); stored in the %s keyring.\n",
		base, auth.Mask(id), tok.ExpiresAt.Format(time.RFC3339), s.Backend())
	return nil
}
