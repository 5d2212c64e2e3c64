package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/steps"
	"cxone-auth/store"
)

type setupFlags struct {
	fromEnv bool
	envFile string
}

func (a *app) newSetupCmd() *cobra.Command {
	var f setupFlags
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Set up credentials: the wizard, or --from-env / --env-file without a terminal",
		Long: `Setup walks you through getting the four CXone values (Client ID and Secret from an
application registration, Access Key ID and Secret from a CXone user), checks them live, and
stores them in an encrypted keyring.

Without a terminal, --from-env or --env-file FILE reads CXONE_CLIENT_ID, CXONE_CLIENT_SECRET,
CXONE_ACCESS_KEY_ID and CXONE_ACCESS_KEY_SECRET, checks them live and stores them. Credentials
that fail the check are never stored.`,
		Example: `  cxone-auth setup
  cxone-auth setup --profile staging --environment fedramp
  cxone-auth setup --env-file creds.env --profile ci`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runSetup(cmd, &f) },
	}
	cmd.Flags().BoolVar(&f.fromEnv, "from-env", false, "read the four CXONE_* credential variables from the environment (no wizard)")
	cmd.Flags().StringVar(&f.envFile, "env-file", "", "read the CXONE_* variables from this env file (no wizard)")
	return cmd
}

func (a *app) runSetup(cmd *cobra.Command, f *setupFlags) error {
	if f.fromEnv && f.envFile != "" {
		return usageError("--from-env and --env-file both name the credentials: give one of them")
	}
	envFile, err := a.readEnvFileFlag(f.envFile)
	if err != nil {
		return err
	}
	if err := a.resolve(cmd, envFile, f.envFile); err != nil {
		return err
	}
	if f.fromEnv || f.envFile != "" {
		return a.setupUnattended(cmd.Context(), envFile, f.envFile)
	}
	if !a.interactive() {
		return usageErrorHint("Without a terminal, give the credentials with --from-env (the CXONE_* variables) or --env-file FILE.",
			"setup needs a terminal for the wizard")
	}
	return a.runWizard(cmd.Context())
}

// setupUnattended checks the four values from the environment or an env file and stores them.
func (a *app) setupUnattended(ctx context.Context, vars map[string]string, path string) error {
	creds, err := a.credentialsFrom(vars, path)
	if err != nil {
		return err
	}
	s, err := a.openStore()
	if err != nil {
		return err
	}
	name := a.set.profile
	_, metaErr := s.Meta(name)
	existed := metaErr == nil
	e := a.checkCredentials(ctx, name, "keyring", a.set.issuer, creds, nil, true)
	if e.Status != statusValid {
		a.writeCheckReport([]checkEntry{e})
		fmt.Fprintln(a.errw(), "cxone-auth: nothing was stored")
		return &exitError{code: checkExitCode([]checkEntry{e}), silent: true}
	}
	meta := store.MetaFromResult(a.set.issuer, creds, e.result)
	if err := s.Save(ctx, name, store.NewSecret(a.set.issuer, creds, e.result), meta); err != nil {
		return fmt.Errorf("save profile %q: %w", name, err)
	}
	verb := "Saved"
	if existed {
		verb = "Updated"
	}
	fmt.Fprintf(a.errw(), "%s profile %q (%s, tenant %s) in the %s keyring.\n", verb, name, e.User, orUnknown(e.Tenant), s.Backend())
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// runWizard runs the interactive setup. The full-screen wizard draws on stderr (stdout stays
// free for data, as with every command); --debug lines are held back while it runs and printed
// after it, so they do not tear the screen.
func (a *app) runWizard(ctx context.Context) error {
	var held bytes.Buffer
	logger := a.set.logger
	if a.set.debug && !a.set.accessible {
		a.set.logger = slog.New(slog.NewTextHandler(&held, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	defer func() {
		a.set.logger = logger
		if held.Len() > 0 {
			a.errw().Write(held.Bytes())
		}
	}()
	deps := a.wizardDeps()
	cfg := steps.Config{
		Profile:           a.set.profile,
		Issuer:            a.set.issuer,
		Accessible:        a.set.accessible,
		NoColor:           a.set.noColor,
		PassphraseFromEnv: a.getenv("CXONE_KEYRING_PASSPHRASE") != "",
	}
	run := steps.Run
	if a.set.accessible {
		run = steps.RunAccessible
	}
	out, err := run(ctx, deps, cfg, a.io.in, a.io.err)
	if err != nil {
		if errors.Is(err, steps.ErrCancelled) {
			return &exitError{code: exitCancelled, err: err}
		}
		return err
	}
	if out.Saved {
		a.set.logger.Debug("wizard saved", "profile", out.Profile, "backend", out.Backend, "at", time.Now().UTC())
	}
	return nil
}
