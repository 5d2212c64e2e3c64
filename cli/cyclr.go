// cyclr.go: the `cyclr` command and what its subcommands share: the options, the exit codes of
// a Cyclr failure, and the Cyclr session (a client with a usable token).

package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/cyclr"
	"cxone-auth/store"
)

// CyclrOptions are the parsed options of the `cyclr` commands.
type CyclrOptions struct {
	F       *Factory
	FromEnv bool
	EnvFile string
	Account string
	Name    string
	Maps    []string
	DryRun  bool
	Live    bool
	JSON    bool
}

// The Cyclr API client's variables (cyclr login --from-env / --env-file).
const (
	cyclrEnvClientID     = "CYCLR_CLIENT_ID"
	cyclrEnvClientSecret = "CYCLR_CLIENT_SECRET"
	cyclrEnvDomain       = "CYCLR_API_DOMAIN"
)

func newCyclrCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cyclr",
		Short: "Put a profile to work in Cyclr",
		Long: `cyclr installs a verified profile into Cyclr accounts as the NICE CXone connector's account credentials (the Access Key ID and Secret), with Cyclr's partner API.

The Cyclr partner enters the CXone Client ID and Client Secret once, in the Cyclr console: Connectors → Application Connector Library → Nice CXOne → Setup Required (username = Client ID, password = Client Secret). Each account that installs the connector then gets the access key of a user on the business unit its calls are for: that is what 'cxone-auth cyclr install' sends, after checking the profile live against CXone.

Exit codes: 0 ok, 1 network or server failure, 2 usage, 3 rejected (by CXone, or a 401 from Cyclr, or an install Cyclr does not report as authenticated), 4 no such profile, account, connector or Cyclr login.`,
		Example: `  cxone-auth cyclr login --env-file cyclr.env
  cxone-auth cyclr inspect
  cxone-auth cyclr install --profile prod --account ACCOUNT_ID
  cxone-auth cyclr list --live`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorHint(helpHint(cmd), "cyclr needs a command: login, inspect, install or list")
		},
	}
	cmd.AddCommand(newCyclrLoginCmd(f), newCyclrInspectCmd(f), newCyclrInstallCmd(f), newCyclrListCmd(f))
	return cmd
}

// cyclrErr gives a Cyclr failure its exit code: 3 for a 401 or a rejected API client, 4 for
// a missing account or connector, else the error as it is (1).
func cyclrErr(err error, hint string) error {
	switch cyclr.KindOf(err) {
	case cyclr.KindRejected:
		return &exitError{code: exitRejected, err: err, hint: hint}
	case cyclr.KindNotFound:
		return &exitError{code: exitNotFound, err: err, hint: hint}
	}
	return err
}

// cyclrReadLine asks for a value that is not a secret, where the other prompts go (the
// controlling terminal, else stderr).
func cyclrReadLine(ctx context.Context, io *IOStreams, prompt string) (string, error) {
	return io.ReadLine(ctx, prompt)
}

// cyclrSession is a Cyclr client with a usable token: the cached one, else a new one (cached
// again in the keyring item).
type cyclrSession struct {
	c      *cyclr.Client
	sec    store.CyclrSecret
	st     *store.Store
	f      *Factory
	cached bool
}

func (f *Factory) cyclrSession(ctx context.Context, s *store.Store) (*cyclrSession, error) {
	sec, err := s.LoadCyclr(ctx)
	if err != nil {
		return nil, err
	}
	base, err := cyclr.ParseDomain(sec.APIDomain)
	if err != nil {
		return nil, fmt.Errorf("the stored Cyclr API domain: %w; run 'cxone-auth cyclr login' again", err)
	}
	cs := &cyclrSession{c: &cyclr.Client{Base: base, HTTP: f.Client(), Log: f.Settings.Logger}, sec: sec, st: s, f: f}
	if tok, ok := sec.UsableToken(time.Now()); ok {
		cs.c.Token, cs.cached = tok, true
		return cs, nil
	}
	return cs, cs.refresh(ctx)
}

func (cs *cyclrSession) refresh(ctx context.Context) error {
	tok, err := cs.c.NewToken(ctx, cs.sec.ClientID, cs.sec.ClientSecret)
	if err != nil {
		return cyclrErr(err, "Run 'cxone-auth cyclr login' to store a working API client.")
	}
	cs.c.Token, cs.cached = tok.AccessToken, false
	if err := cs.st.UpdateCyclrToken(ctx, cs.sec, tok.AccessToken, tok.ExpiresAt); err != nil {
		cs.f.Settings.Logger.Debug("cyclr token not cached", "err", err)
	}
	return nil
}

// do runs fn, and once more with a new token when Cyclr refused a cached one (401: nothing
// was done).
func (cs *cyclrSession) do(ctx context.Context, fn func() error) error {
	err := fn()
	// Only a 401 says the cached token went stale and nothing was done: a 403 refuses the
	// request itself, and sending a write (with the access key in it) again would not help.
	var ce *cyclr.Error
	if err != nil && cs.cached && errors.As(err, &ce) && ce.Kind == cyclr.KindRejected && ce.Status == 401 {
		if rerr := cs.refresh(ctx); rerr != nil {
			return rerr
		}
		err = fn()
	}
	return err
}

// connector finds the NICE CXone connector, by its exact name.
func (cs *cyclrSession) connector(ctx context.Context, account string) (cyclr.Connector, error) {
	var list []cyclr.Connector
	err := cs.do(ctx, func() error {
		var err error
		list, err = cs.c.Connectors(ctx, account)
		return err
	})
	if err != nil {
		if cyclr.KindOf(err) == cyclr.KindNotFound && account != "" {
			return cyclr.Connector{}, cyclrErr(fmt.Errorf("the Cyclr account %s: %w", auth.Sanitize(account), err), "The account ID is in the Cyclr console: Accounts → Account Management → Settings.")
		}
		return cyclr.Connector{}, cyclrErr(err, "")
	}
	conn, ok := cyclr.FindConnector(list, cyclr.ConnectorName)
	if !ok {
		var near []string
		for _, x := range list {
			if strings.Contains(strings.ToLower(x.Name), "nice") {
				near = append(near, fmt.Sprintf("%q", auth.Sanitize(x.Name)))
			}
		}
		msg := fmt.Sprintf("Cyclr's connector library has no connector named %q", cyclr.ConnectorName)
		if len(near) > 0 {
			msg += " (it has " + strings.Join(near, ", ") + ", which are not it)"
		}
		return cyclr.Connector{}, &exitError{code: exitNotFound, err: errors.New(msg), hint: "Enable the connector for your Cyclr partner (Connectors → Application Connector Library)."}
	}
	return conn, nil
}
