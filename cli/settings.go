package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// Settings are the global options after their precedence: flag, then the --env-file file,
// then the process environment, then the default. The root command resolves them once, before
// any command runs.
type Settings struct {
	Profile     string
	ProfileSet  bool // chosen by --profile or CXONE_PROFILE, not the config's default
	Issuer      string
	IssuerSet   bool // chosen by --issuer, --environment or CXONE_ISSUER
	Scope       string
	Backend     string // "" = the config's, else auto
	BackendSet  bool   // chosen by --keyring-backend or CXONE_KEYRING_BACKEND
	KeyringDir  string
	ConfigDir   string
	Timeout     time.Duration
	NoColor     bool
	Accessible  bool
	Debug       bool
	EnvFile     map[string]string // values read from --env-file, nil without one
	EnvFilePath string
	Passphrase  string // CXONE_KEYRING_PASSPHRASE, for unattended use
	Logger      *slog.Logger
	// LoopbackRoots are the certificates of CXONE_CA_FILE, trusted for loopback https hosts
	// only (an emulator's own certificate); nil without it. Read from the process environment
	// only, never from an --env-file: a file handed around must not change what is trusted.
	LoopbackRoots *x509.CertPool
}

// globalFlags are the raw values of the persistent flags.
type globalFlags struct {
	profile, issuer, environment, backend, keyringDir, configDir, timeout string
	noColor, accessible, debug                                            bool
}

func (g *globalFlags) register(f *pflag.FlagSet) {
	f.StringVar(&g.profile, "profile", "", "use the profile `NAME` (env CXONE_PROFILE)")
	f.StringVar(&g.issuer, "issuer", "", "CXone issuer `URL` (env CXONE_ISSUER)")
	f.StringVar(&g.environment, "environment", "", "issuer shorthand `NAME`: commercial or fedramp")
	f.StringVar(&g.backend, "keyring-backend", "", "keyring backend `NAME` (env CXONE_KEYRING_BACKEND)")
	f.StringVar(&g.keyringDir, "keyring-dir", "", "file keyring folder `DIR` (env CXONE_KEYRING_DIR)")
	f.StringVar(&g.configDir, "config-dir", "", "config folder `DIR` (env CXONE_CONFIG_DIR)")
	f.StringVar(&g.timeout, "timeout", "", "bound `DUR` on each request (env CXONE_TIMEOUT)")
	f.BoolVar(&g.noColor, "no-color", false, "no colour (env NO_COLOR)")
	f.BoolVar(&g.accessible, "accessible", false, "plain line-by-line prompts (env ACCESSIBLE)")
	f.BoolVar(&g.debug, "debug", false, "log on stderr (env CXONE_DEBUG)")
}

// resolve computes the settings for cmd from the flags, the --env-file values (envFile may be
// nil) and the environment. Errors are usage errors (exit 2).
func resolve(cmd *cobra.Command, g *globalFlags, env Env, errOut io.Writer, envFile map[string]string, envFilePath string) (*Settings, error) {
	s := &Settings{EnvFile: envFile, EnvFilePath: envFilePath}
	fl := cmd.Flags()
	warnEnvFileSettings(errOut, envFile, envFilePath)
	lookup := func(name string) string {
		if v, ok := envFile[name]; ok && envFileNames[name] {
			return v
		}
		return env.Getenv(name)
	}
	pick := func(flag, flagVal, envName, def string) (string, bool) {
		if changed(fl, flag) {
			return flagVal, true
		}
		if envName != "" {
			if v := strings.TrimSpace(lookup(envName)); v != "" {
				return v, true
			}
		}
		return def, false
	}

	s.Debug = changed(fl, "debug") && g.debug || truthy(lookup("CXONE_DEBUG"))
	s.Logger = slog.New(slog.DiscardHandler)
	if s.Debug {
		s.Logger = slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s.NoColor = g.noColor || env.Getenv("NO_COLOR") != ""
	s.Accessible = g.accessible || truthy(env.Getenv("ACCESSIBLE"))

	s.Profile, s.ProfileSet = pick("profile", g.profile, "CXONE_PROFILE", "")
	if s.ProfileSet {
		if err := store.ValidProfileName(s.Profile); err != nil {
			return nil, usageError("%v", err)
		}
	}

	issuer, issuerSet := pick("issuer", g.issuer, "CXONE_ISSUER", auth.IssuerCommercial)
	if changed(fl, "environment") {
		if changed(fl, "issuer") {
			return nil, usageError("--issuer and --environment both name the issuer: give one of them")
		}
		switch strings.ToLower(g.environment) {
		case "commercial":
			issuer = auth.IssuerCommercial
		case "fedramp":
			issuer = auth.IssuerFedRAMP
		default:
			return nil, usageError("--environment %q: want commercial or fedramp (or give --issuer URL)", g.environment)
		}
		issuerSet = true
	}
	norm, err := auth.ValidateIssuer(issuer)
	if err != nil {
		return nil, usageError("issuer: %v", err)
	}
	s.Issuer, s.IssuerSet = norm, issuerSet
	s.Scope = strings.TrimSpace(lookup("CXONE_SCOPE"))

	s.Backend, s.BackendSet = pick("keyring-backend", g.backend, "CXONE_KEYRING_BACKEND", "")
	if s.Backend != "" {
		if err := store.ValidBackend(s.Backend); err != nil {
			return nil, usageError("%v", err)
		}
	}
	dir, _ := pick("keyring-dir", g.keyringDir, "CXONE_KEYRING_DIR", "")
	s.KeyringDir = expandHome(dir, env)
	dir, _ = pick("config-dir", g.configDir, "CXONE_CONFIG_DIR", "")
	s.ConfigDir = configFolder(dir, env)

	t, _ := pick("timeout", g.timeout, "CXONE_TIMEOUT", "15s")
	d, err := time.ParseDuration(t)
	if err != nil || d <= 0 {
		return nil, usageError("timeout %q: want a positive duration such as 15s or 1m", t)
	}
	s.Timeout = d
	s.Passphrase = env.Getenv("CXONE_KEYRING_PASSPHRASE")
	if ca := strings.TrimSpace(env.Getenv("CXONE_CA_FILE")); ca != "" {
		pool, err := auth.ReadLoopbackRoots(expandHome(ca, env))
		if err != nil {
			return nil, usageError("CXONE_CA_FILE: %v", err)
		}
		s.LoopbackRoots = pool
	}
	s.Logger.Debug("settings", "profile", s.Profile, "issuer", s.Issuer, "backend", s.Backend,
		"keyring_dir", s.KeyringDir, "config_dir", s.ConfigDir, "timeout", s.Timeout, "env_file", envFilePath)
	return s, nil
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

// configFolder is the one rule for the config folder, used by the settings and by the
// completions (which run without resolved settings): the folder named (--config-dir, else
// CXONE_CONFIG_DIR; named is what the caller picked), ~ expanded, else the default,
// $XDG_CONFIG_HOME/cxone-auth or ~/.config/cxone-auth. "" when there is no home folder
// either: opening the store then asks for one.
func configFolder(named string, env Env) string {
	if named != "" {
		return expandHome(named, env)
	}
	return store.DefaultConfigDir(env.Getenv)
}

// expandHome expands a leading ~ with the HOME of the injected environment.
func expandHome(p string, env Env) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home := env.Getenv("HOME")
		if home == "" {
			home = env.Getenv("USERPROFILE")
		}
		if home != "" {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// readEnvFile reads --env-file PATH ("-" is stdin). A missing or malformed file is a usage
// error: the input named on the command line is wrong.
func readEnvFile(ctx context.Context, path string, stdin io.Reader) (map[string]string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	vars, err := store.ReadEnvFileContext(ctx, path, stdin)
	if ctx.Err() != nil {
		return nil, ctx.Err() // a signal while waiting for a pipe: exit 130
	}
	if err != nil && path == "-" {
		err = fmt.Errorf("stdin: %w", err)
	}
	if err != nil {
		return nil, usageErrorHint("The file holds lines such as CXONE_CLIENT_ID=... for "+strings.Join(credentialNames, ", ")+".", "%v", err)
	}
	return vars, nil
}

// envFileNames are the variables an --env-file may set: the credentials, the issuer and the
// scope. Everything else (the profile, the keyring and config folders, the backend, the
// timeout, debug) comes from flags and the environment only: an env file is often someone
// else's (a colleague's, a CI secret's), and CXONE_PROFILE or CXONE_CONFIG_DIR in it would
// silently choose which profile, or which store, gets replaced (docs/trust.md).
var envFileNames = map[string]bool{
	"CXONE_CLIENT_ID": true, "CXONE_CLIENT_SECRET": true, "CXONE_ACCESS_KEY_ID": true, "CXONE_ACCESS_KEY_SECRET": true,
	"CXONE_ISSUER": true, "CXONE_SCOPE": true,
}

// envFileIgnored are the settings an env file used to be able to set and no longer may: each
// one found in a file is named in a warning, so nobody wonders why it had no effect.
var envFileIgnored = []string{"CXONE_PROFILE", "CXONE_KEYRING_BACKEND", "CXONE_KEYRING_DIR", "CXONE_KEYRING_PASSPHRASE",
	"CXONE_CONFIG_DIR", "CXONE_TIMEOUT", "CXONE_DEBUG", "CXONE_CA_FILE"}

// warnEnvFileSettings writes one line naming the settings in the env file that are ignored.
func warnEnvFileSettings(w io.Writer, vars map[string]string, path string) {
	var found []string
	for _, n := range envFileIgnored {
		if _, ok := vars[n]; ok {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return
	}
	if path == "-" {
		path = "stdin"
	}
	fmt.Fprintf(w, "cxone-auth: warning: %s sets %s: an env file gives only the credentials, CXONE_ISSUER and CXONE_SCOPE, so %s ignored (use flags or the environment)\n",
		auth.Sanitize(path), strings.Join(found, ", "), map[bool]string{true: "it is", false: "they are"}[len(found) == 1])
}

// credentialNames are the four credential variables, in the order people fill them in.
var credentialNames = []string{"CXONE_CLIENT_ID", "CXONE_CLIENT_SECRET", "CXONE_ACCESS_KEY_ID", "CXONE_ACCESS_KEY_SECRET"}
