package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// settings are the global options after SPEC section 2's precedence: flag, then the
// --env-file file, then the process environment, then the default.
type settings struct {
	profile     string
	issuer      string
	scope       string
	backend     string
	keyringDir  string
	configDir   string
	timeout     time.Duration
	noColor     bool
	accessible  bool
	debug       bool
	envFile     map[string]string // values read from --env-file, nil without one
	envFilePath string
	logger      *slog.Logger
}

// app is what every command shares: the streams, the environment and the resolved settings.
type app struct {
	ctx    context.Context
	io     stdio
	getenv func(string) string
	flags  *globalFlags
	set    settings
}

// globalFlags are the raw values of the persistent flags.
type globalFlags struct {
	profile, issuer, environment, backend, keyringDir, configDir, timeout string
	noColor, accessible, debug                                            bool
}

func newRootCmd(ctx context.Context, io stdio, getenv func(string) string) *cobra.Command {
	a := &app{ctx: ctx, io: io, getenv: getenv, flags: &globalFlags{}}
	root := &cobra.Command{
		Use:   "cxone-auth",
		Short: "Set up, check and use NICE CXone API credentials",
		Long: `cxone-auth takes you from "I need to call the NICE CXone APIs" to working, verified,
safely stored credentials, and keeps them working.

Run it with no arguments on a terminal to start the setup wizard.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !a.interactive() {
				fmt.Fprint(a.io.err, shortUsage)
				return &exitError{code: exitUsage, silent: true}
			}
			return a.runSetup(cmd, &setupFlags{})
		},
	}
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageError("%v", err)
	})
	root.SetContext(ctx)

	f := root.PersistentFlags()
	f.StringVar(&a.flags.profile, "profile", "", "profile to use (env CXONE_PROFILE, default \"default\")")
	f.StringVar(&a.flags.issuer, "issuer", "", "CXone authentication issuer URL (env CXONE_ISSUER)")
	f.StringVar(&a.flags.environment, "environment", "", "shorthand for the issuer: commercial or fedramp")
	f.StringVar(&a.flags.backend, "keyring-backend", "", "keyring backend: auto, keychain, wincred, secret-service, kwallet, pass, keyctl, file (env CXONE_KEYRING_BACKEND)")
	f.StringVar(&a.flags.keyringDir, "keyring-dir", "", "folder of the encrypted-file backend (env CXONE_KEYRING_DIR)")
	f.StringVar(&a.flags.configDir, "config-dir", "", "folder of the non-secret config (env CXONE_CONFIG_DIR)")
	f.StringVar(&a.flags.timeout, "timeout", "", "bound on each HTTP request (env CXONE_TIMEOUT, default 15s)")
	f.BoolVar(&a.flags.noColor, "no-color", false, "no colour (env NO_COLOR)")
	f.BoolVar(&a.flags.accessible, "accessible", false, "plain line-by-line prompts for screen readers (env ACCESSIBLE)")
	f.BoolVar(&a.flags.debug, "debug", false, "diagnostic log on stderr; never shows a secret (env CXONE_DEBUG)")

	root.AddCommand(
		a.newSetupCmd(),
		a.newCheckCmd(),
		a.newExportCmd(),
		a.newListCmd(),
		a.newRemoveCmd(),
		a.newTokenCmd(),
		a.newExecCmd(),
		a.newVersionCmd(),
	)
	root.CompletionOptions.HiddenDefaultCmd = true
	return root
}

const shortUsage = `Usage: cxone-auth [command] [flags]

  setup    set up credentials (the wizard on a terminal; --from-env or --env-file FILE without one)
  check    check stored credentials live (--all, --json, --env-file FILE)
  export   write a profile as env, shell or json (-o FILE)
  list     list profiles
  remove   delete a profile
  token    print a fresh access token
  exec     run a command with the credentials in its environment
  version  print the version

Run 'cxone-auth --help' for the details.
`

// lookup returns the value of an environment-style setting: the --env-file file first, then
// the process environment.
func (a *app) lookup(name string) string {
	if v, ok := a.set.envFile[name]; ok {
		return v
	}
	return a.getenv(name)
}

// resolve fills a.set from the flags, the --env-file file (already read into envFile) and the
// environment. envFile may be nil.
func (a *app) resolve(cmd *cobra.Command, envFile map[string]string, envFilePath string) error {
	a.set = settings{envFile: envFile, envFilePath: envFilePath}
	fl := cmd.Flags()
	pick := func(flag, flagVal, env, def string) string {
		if flag != "" && changed(fl, flag) {
			return flagVal
		}
		if env != "" {
			if v := strings.TrimSpace(a.lookup(env)); v != "" {
				return v
			}
		}
		return def
	}

	a.set.debug = changed(fl, "debug") && a.flags.debug || truthy(a.lookup("CXONE_DEBUG"))
	a.set.logger = slog.New(slog.DiscardHandler)
	if a.set.debug {
		a.set.logger = slog.New(slog.NewTextHandler(a.io.err, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	a.set.noColor = a.flags.noColor || a.getenv("NO_COLOR") != ""
	a.set.accessible = a.flags.accessible || truthy(a.getenv("ACCESSIBLE"))

	a.set.profile = pick("profile", a.flags.profile, "CXONE_PROFILE", "default")
	if err := store.ValidProfileName(a.set.profile); err != nil {
		return usageError("%v", err)
	}

	issuer := pick("issuer", a.flags.issuer, "CXONE_ISSUER", auth.IssuerCommercial)
	if changed(fl, "environment") {
		if changed(fl, "issuer") {
			return usageError("--issuer and --environment both name the issuer: give one of them")
		}
		switch strings.ToLower(a.flags.environment) {
		case "commercial":
			issuer = auth.IssuerCommercial
		case "fedramp":
			issuer = auth.IssuerFedRAMP
		default:
			return usageError("--environment %q: want commercial or fedramp (or give --issuer URL)", a.flags.environment)
		}
	}
	norm, err := auth.ValidateIssuer(issuer)
	if err != nil {
		return usageError("issuer: %v", err)
	}
	a.set.issuer = norm
	a.set.scope = strings.TrimSpace(a.lookup("CXONE_SCOPE"))

	a.set.backend = pick("keyring-backend", a.flags.backend, "CXONE_KEYRING_BACKEND", "")
	if a.set.backend != "" {
		if err := store.ValidBackend(a.set.backend); err != nil {
			return usageError("%v", err)
		}
	}
	a.set.keyringDir = expandHome(pick("keyring-dir", a.flags.keyringDir, "CXONE_KEYRING_DIR", ""))
	a.set.configDir = expandHome(pick("config-dir", a.flags.configDir, "CXONE_CONFIG_DIR", ""))

	t := pick("timeout", a.flags.timeout, "CXONE_TIMEOUT", "15s")
	d, err := time.ParseDuration(t)
	if err != nil || d <= 0 {
		return usageError("timeout %q: want a positive duration such as 15s or 1m", t)
	}
	a.set.timeout = d
	a.set.logger.Debug("settings", "profile", a.set.profile, "issuer", a.set.issuer, "backend", a.set.backend,
		"keyring_dir", a.set.keyringDir, "config_dir", a.set.configDir, "timeout", a.set.timeout, "env_file", envFilePath)
	return nil
}

func changed(fl *pflag.FlagSet, name string) bool {
	f := fl.Lookup(name)
	return f != nil && f.Changed
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// client is the CXone client with the --timeout bound.
func (a *app) client() *auth.Client {
	return auth.NewClient(a.set.timeout)
}

// openStore opens the profile store; it does not touch the keyring until a command needs it.
func (a *app) openStore() (*store.Store, error) {
	return store.Open(store.Options{
		Backend:    a.set.backend,
		FileDir:    a.set.keyringDir,
		ConfigDir:  a.set.configDir,
		Passphrase: a.passphrasePrompt(),
		Logger:     a.set.logger,
		Getenv:     a.getenv,
	})
}

// out and errw are the data and message streams.
func (a *app) out() io.Writer  { return a.io.out }
func (a *app) errw() io.Writer { return a.io.err }
