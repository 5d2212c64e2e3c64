package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/steps"
	"cxone-auth/store"
)

// SetupOptions are the parsed options of `setup`.
type SetupOptions struct {
	F       *Factory
	FromEnv bool
	EnvFile string
}

func newSetupCmd(f *Factory, runF func(context.Context, *SetupOptions) error) *cobra.Command {
	opts := &SetupOptions{F: f}
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Set up a profile (the wizard, or --env-file)",
		Long: `Setup walks you through getting the four CXone values (Client ID and Secret from an application registration, Access Key ID and Secret from a CXone user), checks them live, and stores them in an encrypted keyring.

Without a terminal, --from-env or --env-file FILE (- = stdin) reads CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID and CXONE_ACCESS_KEY_SECRET, checks them live and stores them. Credentials that fail the check are never stored.`,
		Example: `  cxone-auth setup
  cxone-auth setup --profile staging --environment fedramp
  cxone-auth setup --env-file creds.env --profile ci`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.FromEnv && opts.EnvFile != "" {
				return usageErrorHint(helpHint(cmd), "--from-env and --env-file both name the credentials: give one of them")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return setupRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.FromEnv, "from-env", false, "read the four CXONE_* credentials from the environment")
	cmd.Flags().StringVar(&opts.EnvFile, "env-file", "", "read the CXONE_* credentials from this file (- = stdin)")
	return cmd
}

func setupRun(ctx context.Context, o *SetupOptions) error {
	f := o.F
	if o.FromEnv || o.EnvFile != "" {
		var vars map[string]string
		if o.EnvFile != "" {
			vars = f.Settings.EnvFile
		}
		return f.setupUnattended(ctx, vars, o.EnvFile)
	}
	if !f.IO.Interactive() {
		return usageErrorHint("Without a terminal, give the credentials with --from-env (the CXONE_* variables) or --env-file FILE.",
			"setup needs a terminal for the wizard")
	}
	return f.runWizard(ctx)
}

// setupUnattended checks the four values from the environment or an env file and stores them.
func (f *Factory) setupUnattended(ctx context.Context, vars map[string]string, path string) error {
	creds, err := f.credentialsFrom(vars, path)
	if err != nil {
		return err
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	name := f.ProfileName()
	_, metaErr := s.Meta(name)
	existed := metaErr == nil
	e := f.checkCredentials(ctx, name, "keyring", f.Settings.Issuer, creds, nil, true)
	if e.Status != statusValid {
		writeCheckReport(styledWriter(f.IO.Out, f.Env, f.Settings.NoColor), []checkEntry{e})
		fmt.Fprintln(f.IO.ErrOut, "cxone-auth: nothing was stored")
		return silentExit(checkExitCode([]checkEntry{e}))
	}
	meta := store.MetaFromResult(f.Settings.Issuer, creds, e.result)
	if err := s.Save(ctx, name, store.NewSecret(f.Settings.Issuer, creds, e.result), meta); err != nil {
		return fmt.Errorf("save profile %q: %w", name, err)
	}
	verb := "Saved"
	if existed {
		verb = "Updated"
	}
	fmt.Fprintf(f.IO.ErrOut, "%s profile %q (%s, tenant %s) in the %s keyring.\n", verb, name, store.Or(e.User), store.Or(e.TenantText()), s.Backend())
	return nil
}

// runWizard runs the interactive setup. The full-screen wizard draws on stderr (stdout stays
// free for data, as with every command); --debug lines are held back while it runs and printed
// after it, so they do not tear the screen.
func (f *Factory) runWizard(ctx context.Context) error {
	var held bytes.Buffer
	logger := f.Settings.Logger
	if f.Settings.Debug && !f.Settings.Accessible {
		f.Settings.Logger = slog.New(slog.NewTextHandler(&held, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	defer func() {
		f.Settings.Logger = logger
		if held.Len() > 0 {
			_, _ = f.IO.ErrOut.Write(held.Bytes()) // the log of a finished run; stderr may be gone
		}
	}()
	cfg := steps.Config{
		Profile:           f.ProfileName(),
		Issuer:            f.Settings.Issuer,
		Accessible:        f.Settings.Accessible,
		NoColor:           f.Settings.NoColor,
		PassphraseFromEnv: f.Settings.Passphrase != "",
	}
	if f.Settings.BackendSet && f.Settings.Backend != store.BackendAuto {
		cfg.Backend = f.Settings.Backend
	}
	out, err := steps.Run(ctx, f.wizardDeps(), cfg, f.IO.In, f.IO.ErrOut)
	f.printRecords(out)
	if err != nil {
		if errors.Is(err, steps.ErrCancelled) {
			return &exitError{code: exitCancelled, err: err}
		}
		return err
	}
	if out.Saved {
		f.Settings.Logger.Debug("wizard saved", "profile", out.Profile, "backend", out.Backend, "at", time.Now().UTC())
	}
	return nil
}

// printRecords leaves on the normal screen, once the wizard's screen is gone, what it did: the
// record of every saved profile, or where to register the application when the person
// stopped to do that first. Line prompts said it all already.
func (f *Factory) printRecords(out steps.Outcome) {
	if f.Settings.Accessible {
		return
	}
	w := styledWriter(f.IO.ErrOut, f.Env, f.Settings.NoColor)
	for _, r := range out.Records {
		for i, l := range r.Lines() {
			if i == 0 {
				l = styles.ok.Render("✓") + styles.bold.Render(strings.TrimPrefix(l, "✓"))
			}
			fmt.Fprintln(w, l)
		}
	}
	if out.Later && len(out.Records) == 0 {
		fmt.Fprintf(w, "Register a back-end application first: %s\nRun 'cxone-auth setup' again when the Client ID and Client Secret arrive (typically 2–3 business days).\n", steps.RegistrationURL)
	}
}

// runHome is `cxone-auth` with no command on a terminal.
func runHome(ctx context.Context, f *Factory) error {
	return f.runWizard(ctx)
}
