package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/internal/app"
	"cxone-auth/steps"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// SetupOptions are the parsed options of `setup`.
type SetupOptions struct {
	F       *Factory
	FromEnv bool
	EnvFile string
	Rotate  bool
	// Auto and DeleteOld: setup --rotate --auto [--delete-old] (cli/rotate_auto.go).
	Auto      bool
	DeleteOld bool
	// NoCyclrPush leaves the profile's recorded Cyclr installs with the old key on --rotate.
	NoCyclrPush bool
}

func newSetupCmd(f *Factory, runF func(context.Context, *SetupOptions) error) *cobra.Command {
	opts := &SetupOptions{F: f}
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Set up, edit or rotate a profile",
		Long: `Setup walks you through getting the four CXone values (Client ID and Secret from an application registration, Access Key ID and Secret from a CXone user), checks them live, and stores them in an encrypted keyring.

For a profile that exists, setup edits it: every field starts from the stored value (shown masked; enter keeps it, typing replaces it). --rotate goes straight to replacing the access key: create the new key in CXone, enter it, it is checked live with the stored client credentials and replaces the old one in one write; then deactivate the old key in CXone.

Without a terminal, --from-env or --env-file FILE (- = stdin) reads CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID and CXONE_ACCESS_KEY_SECRET, checks them live and stores them; with --rotate it reads only CXONE_ACCESS_KEY_ID and CXONE_ACCESS_KEY_SECRET. Credentials that fail the check are never stored.

--rotate --auto (experimental: NICE's access-key API is not confirmed) needs no new key from you: with a fresh token of the stored key it creates a new key for the same user, checks it live (waiting up to 30 s for CXone to take it), stores it in one write and deactivates the old key (--delete-old also deletes it). If CXone refuses before the new key is stored, nothing changes: on a terminal the guided rotation follows; without one it exits 3 (401 or 403) or 1.`,
		Example: `  cxone-auth setup
  cxone-auth setup --profile staging --environment fedramp
  cxone-auth setup --profile prod --rotate
  cxone-auth setup --profile prod --rotate --auto --delete-old
  cxone-auth setup --env-file creds.env --profile ci
  cxone-auth setup --profile ci --rotate --env-file new-key.env`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.FromEnv && opts.EnvFile != "" {
				return usageErrorHint(helpHint(cmd), "--from-env and --env-file both name the credentials: give one of them")
			}
			if err := validateRotateAuto(cmd, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return setupRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.FromEnv, "from-env", false, "read the four CXONE_* credentials from the environment")
	cmd.Flags().StringVar(&opts.EnvFile, "env-file", "", "read the CXONE_* credentials from this file (- = stdin)")
	cmd.Flags().BoolVar(&opts.Rotate, "rotate", false, "replace the stored profile's access key with a new one")
	rotateAutoFlags(cmd, opts)
	cmd.Flags().BoolVar(&opts.NoCyclrPush, "no-cyclr-push", false, "with --rotate: leave the Cyclr installs on the old key")
	return cmd
}

func setupRun(ctx context.Context, o *SetupOptions) error {
	f := o.F
	f.cyclrNoPush = o.NoCyclrPush
	if o.Auto {
		return f.rotateAutoRun(ctx, o)
	}
	if o.FromEnv || o.EnvFile != "" {
		var vars map[string]string
		if o.EnvFile != "" {
			vars = f.Settings.EnvFile
		}
		if o.Rotate {
			return f.rotateUnattended(ctx, vars, o.EnvFile)
		}
		return f.setupUnattended(ctx, vars, o.EnvFile)
	}
	if !f.IO.Interactive() {
		return usageErrorHint("Without a terminal, give the credentials with --from-env (the CXONE_* variables) or --env-file FILE.",
			"setup needs a terminal for the wizard")
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	name := f.ProfileName()
	_, merr := s.Meta(name)
	switch {
	case merr != nil && !errors.Is(merr, store.ErrNotFound):
		return merr
	case merr != nil && o.Rotate:
		return &profileNotFound{name: name}
	case merr != nil:
		return f.wizardWithCyclrOffer(ctx, steps.Flow{})
	}
	// An existing profile: the keyring is unlocked once for the whole run, then the flow
	// starts from its stored values.
	if err := f.unlockKeyring(ctx); err != nil {
		return err
	}
	p, err := f.storedSecret(ctx, name)
	if errors.Is(err, store.ErrNotFound) && !o.Rotate {
		// The config knows the profile but the keyring lost its item: set it up again.
		return f.runWizard(ctx, steps.Flow{})
	}
	if err != nil {
		return err
	}
	cfg := f.stepsConfig()
	deps := f.wizardDeps()
	fl := steps.EditFlow(deps, cfg, p, "", nil)
	if o.Rotate {
		fl = steps.RotateFlow(deps, cfg, p)
		return f.rotateGuidedWithCyclr(ctx, s, name, p.Creds.AccessKeyID, fl)
	}
	return f.wizardWithCyclrOffer(ctx, fl)
}

// storedSecret reads a stored profile for an edit or a rotation: its credentials, its issuer
// (the one given with --issuer, --environment or CXONE_ISSUER when set: that is how a profile
// moves) and the keyring that holds it.
func (f *Factory) storedSecret(ctx context.Context, name string) (steps.StoredSecret, error) {
	a, err := f.App()
	if err != nil {
		return steps.StoredSecret{}, err
	}
	sec, _, backend, err := a.Stored(ctx, name)
	if err != nil {
		return steps.StoredSecret{}, profileErr(name, err)
	}
	f.rememberSecret(name, sec) // its save is a compare and swap against these credentials
	issuer := sec.Issuer
	if issuer == "" || f.Settings.IssuerSet {
		issuer = f.Settings.Issuer
	}
	return steps.StoredSecret{Name: name, Issuer: issuer, Creds: sec.Credentials(), Backend: backend}, nil
}

// setupUnattended checks the four values from the environment or an env file and stores them.
func (f *Factory) setupUnattended(ctx context.Context, vars map[string]string, path string) error {
	creds, err := f.credentialsFrom(vars, path)
	if err != nil {
		return err
	}
	a, err := f.App()
	if err != nil {
		return err
	}
	// Saved only while the profile is as it was before the check: a setup or rotation that
	// finished meanwhile is not silently undone.
	r, existed, err := a.Setup(ctx, f.profileArg(), f.Settings.Issuer, creds, f.progress(true))
	if r.Status != "" && r.Status != statusValid {
		return f.refuse(entryOf(r), "nothing was stored")
	}
	if err != nil {
		return err // Save's error names the profile
	}
	e, name, s := entryOf(r), r.Name, a.Store
	verb := "Saved"
	if existed {
		verb = "Updated"
	}
	fmt.Fprintf(f.IO.ErrOut, "%s profile %q (%s, tenant %s) in the %s keyring.\n", verb, name, store.Or(e.User), store.Or(e.TenantText()), s.Backend())
	return nil
}

// newMeta is the config entry of credentials just checked. Its creation time is left for Save
// to fill: the stored profile's own when it is replaced, else now.
func newMeta(issuer string, creds auth.Credentials, r *auth.Result) store.Meta {
	return app.NewMeta(issuer, creds, r)
}

// rotateUnattended replaces a stored profile's access key with the one in the environment or an
// env file (only CXONE_ACCESS_KEY_ID and CXONE_ACCESS_KEY_SECRET are read): the new key is
// checked live with the stored client credentials at the stored issuer, then the whole keyring
// item is replaced in one write, its endpoint cache from that check. A key that fails the check
// stores nothing, and the exit code is the check's.
func (f *Factory) rotateUnattended(ctx context.Context, vars map[string]string, path string) error {
	id, secret, err := f.accessKeyFrom(vars, path)
	if err != nil {
		return err
	}
	a, err := f.App()
	if err != nil {
		return err
	}
	// Saved only while the keyring item still holds the credentials the rotation started from.
	rot, err := a.Rotate(ctx, f.profileArg(), id, secret, f.progress(true))
	if err != nil {
		return profileErr(rot.Name, err) // Save's error names the profile
	}
	if rot.Status != statusValid {
		return f.refuse(entryOf(rot.Result), "nothing was stored; the profile keeps its old access key")
	}
	s, name, issuer, creds, backend, old := a.Store, rot.Name, rot.Issuer, rot.Creds, rot.Backend, rot.Before.AccessKeyID
	e := entryOf(rot.Result)
	d := &ui.Draft{Profile: name, Issuer: issuer, Creds: creds, Result: e.result, Backend: backend,
		Saved: true, Existing: true, OldAccessKeyID: old}
	// The new key goes to the profile's Cyclr installs before the old key is named.
	pushed := f.rotationCyclrPush(ctx, s, name, rot.Saved(), false)
	f.writeRecords(steps.Outcome{Records: []steps.Record{steps.RecordOf(d)}})
	if !pushed {
		return silentExit(exitFailure)
	}
	return nil
}

// accessKeyFrom takes only the access key's two values from vars (an --env-file) or, when vars
// is nil, from the environment: a rotation keeps the stored client credentials.
func (f *Factory) accessKeyFrom(vars map[string]string, path string) (string, string, error) {
	get := f.Env.Getenv
	where := "the environment"
	if vars != nil {
		get = func(k string) string { return vars[k] }
		where = path
		if path == "-" {
			where = "stdin"
		}
	}
	id := strings.TrimSpace(get("CXONE_ACCESS_KEY_ID"))
	secret := strings.TrimSpace(get("CXONE_ACCESS_KEY_SECRET"))
	var missing []string
	if id == "" {
		missing = append(missing, "CXONE_ACCESS_KEY_ID")
	}
	if secret == "" {
		missing = append(missing, "CXONE_ACCESS_KEY_SECRET")
	}
	if len(missing) > 0 {
		return "", "", usageErrorHint("A rotation reads the new key from CXONE_ACCESS_KEY_ID and CXONE_ACCESS_KEY_SECRET.",
			"%s: missing or empty: %s", where, strings.Join(missing, ", "))
	}
	for _, v := range [][2]string{{"Access Key ID", id}, {"Access Key Secret", secret}} {
		if err := auth.ValidateValue(v[0], v[1]); err != nil {
			return "", "", usageError("%s: %v", where, err)
		}
	}
	return id, secret, nil
}

// stepsConfig is what the command line decided for the screens.
func (f *Factory) stepsConfig() steps.Config {
	cfg := steps.Config{
		Profile:         f.ProfileName(),
		Issuer:          f.Settings.Issuer,
		Accessible:      f.Settings.Accessible,
		NoColor:         f.Settings.NoColor,
		PassphraseKnown: f.passphraseKnown(),
	}
	if f.Settings.BackendSet && f.Settings.Backend != store.BackendAuto {
		cfg.Backend = f.Settings.Backend
	}
	return cfg
}

// runWizard runs one flow: the wizard for a new profile (an empty Flow), an edit or a
// rotation.
func (f *Factory) runWizard(ctx context.Context, fl steps.Flow) error {
	return f.runScreen(ctx, func(ctx context.Context, deps steps.Deps, cfg steps.Config, in io.Reader, out io.Writer) (steps.Outcome, error) {
		if fl.Steps == nil {
			fl = steps.NewProfileFlow(deps, cfg)
		}
		return steps.RunFlow(ctx, deps, cfg, fl, in, out)
	})
}

// printRecords leaves on the normal screen, once the wizard's screen is gone, what it did: the
// record of every saved profile, or where to register the application when the person
// stopped to do that first. Line prompts said it all already.
func (f *Factory) printRecords(out steps.Outcome) {
	if f.beforeRecords != nil {
		f.beforeRecords(out)
	}
	if f.Settings.Accessible {
		return
	}
	f.writeRecords(out)
}

// writeRecords prints the records of out on stderr.
func (f *Factory) writeRecords(out steps.Outcome) {
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

// refuse ends an unattended setup whose check failed: the report, what was (not) stored, and
// the check's exit code.
func (f *Factory) refuse(e checkEntry, what string) error {
	writeCheckReport(styledWriter(f.IO.Out, f.Env, f.Settings.NoColor), []checkEntry{e})
	fmt.Fprintln(f.IO.ErrOut, "cxone-auth: "+what)
	return silentExit(checkExitCode([]checkEntry{e}))
}
