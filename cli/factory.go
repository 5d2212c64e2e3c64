package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"cxone-auth/auth"
	"cxone-auth/internal/app"
	"cxone-auth/steps"
	"cxone-auth/store"
)

// Factory is what every command shares: the streams, the environment, the settings the root
// command resolved, and the store and CXone client built from them on first use.
type Factory struct {
	IO  *IOStreams
	Env Env
	// Settings are filled by the root command before any command runs.
	Settings *Settings
	// OpenURL opens a link in a browser; nil when there is none. Tests replace it.
	OpenURL func(string) error

	flags   *globalFlags // the raw global flags, for completions
	cmdPath string       // the command being run, for usage hints
	// completing is set when the command line is a shell's completion request: only then are
	// the flag completion functions registered (see isCompletionRequest).
	completing bool

	storeOnce sync.Once
	st        *store.Store
	stErr     error

	// run is this run's state (runstate.go): what it learnt and owns while it runs, apart
	// from the dependencies above.
	runOnce sync.Once
	run     *runState

	// cyclrNoPush is setup's --no-cyclr-push; beforeRecords runs when a screen has closed,
	// before its record is printed (a guided rotation pushes the new key to Cyclr there).
	cyclrNoPush   bool
	beforeRecords func(steps.Outcome)

	clientOnce sync.Once
	client     *auth.Client // one per command line: its connections are reused by every check

}

// passphraseKnown reports whether the file keyring's passphrase is at hand without asking:
// from CXONE_KEYRING_PASSPHRASE or proven earlier in this run.
func (f *Factory) passphraseKnown() bool {
	if f.Settings != nil && f.Settings.Passphrase != "" {
		return true
	}
	f.state().passMu.Lock()
	known := f.state().keyringPass != ""
	f.state().passMu.Unlock()
	return known || f.agentHolds()
}

// rememberPassphrase keeps a passphrase that opened (or created) the file keyring for the
// rest of the run.
func (f *Factory) rememberPassphrase(p string) {
	if p == "" {
		return
	}
	f.state().passMu.Lock()
	f.state().keyringPass = p
	f.state().passMu.Unlock()
}

func (f *Factory) knownPassphrase() string {
	f.state().passMu.Lock()
	defer f.state().passMu.Unlock()
	return f.state().keyringPass
}

// setScreen marks the terminal as owned (or no longer owned) by a full-screen program.
func (f *Factory) setScreen(on bool) {
	f.state().passMu.Lock()
	f.state().screen = on
	f.state().passMu.Unlock()
}

// Store opens the profile store once; it touches the keyring only when a command needs it.
func (f *Factory) Store() (*store.Store, error) {
	f.storeOnce.Do(func() {
		opts := f.storeOptions(f.Settings.Backend, "")
		opts.Passphrase = f.passphrasePrompt()
		f.st, f.stErr = store.Open(opts)
	})
	return f.st, f.stErr
}

// storeOptions are the store's options from the settings, for backend; a passphrase given
// (typed in the wizard) answers the encrypted-file keyring's question.
func (f *Factory) storeOptions(backend, passphrase string) store.Options {
	s := f.Settings
	opts := store.Options{Backend: backend, FileDir: s.KeyringDir, ConfigDir: s.ConfigDir, Logger: s.Logger, Getenv: f.Env.Getenv}
	f.keyringOptions(&opts)
	if passphrase == "" {
		passphrase = f.knownPassphrase()
	}
	if passphrase != "" {
		opts.Passphrase = func(context.Context, string, bool) (string, error) { return passphrase, nil }
	}
	return opts
}

// Client is the CXone client with the --timeout bound, made once per command line and shared
// by every check it runs: the concurrent checks of `check --all` then reuse each other's
// connections (keep-alive, and HTTP/2 streams on one connection where the server offers TLS
// and h2) instead of each opening its own. Main closes its idle connections at the end.
func (f *Factory) Client() *auth.Client {
	f.clientOnce.Do(func() {
		f.client = auth.NewClient(auth.ClientConfig{Timeout: f.Settings.Timeout, Proxy: auth.ProxyFromEnv(f.Env.Getenv),
			LoopbackRoots: f.Settings.LoopbackRoots, MaxConnsPerHost: maxConcurrentChecks})
		if newClientHook != nil {
			newClientHook(f.client)
		}
	})
	return f.client
}

// newClientHook adjusts each CXone client a Factory makes; it is nil outside tests. The fault
// tests give the client a sleep that records the delays between retries instead of waiting.
var newClientHook func(*auth.Client)

// closeClient closes the shared client's idle connections, so that nothing a command opened
// outlives it in a process that runs many command lines (tests, a long-lived screen).
func (f *Factory) closeClient() {
	if f.client != nil {
		f.client.CloseIdleConnections()
	}
}

// ProfileName is the profile a command works on: --profile or CXONE_PROFILE, else the default
// profile of the config (`cxone-auth use`), else "default".
func (f *Factory) ProfileName() string {
	if f.Settings.ProfileSet {
		return f.Settings.Profile
	}
	if st, err := f.Store(); err == nil {
		if c, err := st.Config(); err == nil && c.DefaultProfile != "" && store.ValidProfileName(c.DefaultProfile) == nil {
			return c.DefaultProfile
		}
	}
	return "default"
}

// errNoTerminal is returned when a passphrase is needed but nothing can ask for it.
var errNoTerminal = errors.New("the encrypted-file keyring needs its passphrase: set CXONE_KEYRING_PASSPHRASE or run on a terminal")

// errScreenOwnsTerminal is returned when the keyring asks for its passphrase while a screen
// owns the terminal; the screens ask for it themselves, or it was asked before they opened.
var errScreenOwnsTerminal = errors.New("the encrypted-file keyring needs its passphrase, which cannot be asked while the screen is open: set CXONE_KEYRING_PASSPHRASE, or run the command again")

// passphrasePrompt asks for the file keyring's passphrase, masked, on the controlling terminal
// (stdin and stderr where there is none; IOStreams.ReadSecret); CXONE_KEYRING_PASSPHRASE, or
// a passphrase proven earlier in this run, answers without asking. What is typed is kept
// (f.state().typed) until the keyring proves it right; a wrong one is asked again by passphraseTries.
func (f *Factory) passphrasePrompt() store.PassphraseFunc {
	return func(ctx context.Context, prompt string, confirm bool) (string, error) {
		if p := f.Settings.Passphrase; p != "" {
			return p, nil
		}
		f.state().passMu.Lock()
		known, screen, gaveUp := f.state().keyringPass, f.state().screen, f.state().gaveUp
		f.state().passMu.Unlock()
		if known != "" {
			return known, nil
		}
		if gaveUp {
			return "", errPassphraseTries
		}
		if screen {
			return "", errScreenOwnsTerminal
		}
		if !f.IO.CanPrompt() {
			return "", errNoTerminal
		}
		if prompt == "" {
			prompt = "Keyring passphrase"
		}
		p1, err := f.IO.ReadSecret(ctx, prompt+": ")
		if err == nil {
			f.state().passMu.Lock()
			f.state().typed = p1
			f.state().prompted++
			f.state().passMu.Unlock()
		}
		if err != nil || !confirm {
			return p1, err
		}
		if p1 == "" {
			return "", errors.New("an empty passphrase is not allowed for a new keyring")
		}
		p2, err := f.IO.ReadSecret(ctx, "Repeat the passphrase: ")
		if err != nil {
			return "", err
		}
		if p1 != p2 {
			return "", errors.New("the two passphrases differ")
		}
		return p1, nil
	}
}

// newApp is the application layer over the store s (nil for operations that need none, such
// as a check of credentials from the environment) and this command line's CXone client.
func (f *Factory) newApp(s *store.Store) *app.App {
	return &app.App{Store: s, Client: f.Client(), Issuer: f.Settings.Issuer, Scope: f.Settings.Scope, Logger: f.Settings.Logger,
		Retry:    f.passphraseTries,
		NotFound: func(name string) error { return &profileNotFound{name: name} }}
}

// App is the application layer over the profile store (internal/app): the operations the
// commands and the wizard's dependencies share.
func (f *Factory) App() (*app.App, error) {
	s, err := f.Store()
	if err != nil {
		return nil, err
	}
	return f.newApp(s), nil
}

// loadProfile loads a stored profile's secret and metadata (one read of config.json). A
// profile with a keyring item but no config entry (config lost) still works, with no metadata.
func (f *Factory) loadProfile(ctx context.Context, name string) (store.Secret, store.Meta, error) {
	a, err := f.App()
	if err != nil {
		return store.Secret{}, store.Meta{}, err
	}
	sec, meta, err := a.Load(ctx, name)
	if err != nil {
		return store.Secret{}, store.Meta{}, profileErr(name, err)
	}
	return sec, meta, nil
}

// profileErr words an application operation's failure to read profile name: a config that
// cannot be read as it is, a missing keyring item as profileNotFound, three wrong passphrases
// as one plain line, another keyring failure as "load profile NAME: ...". What the operation
// did after the read (a save) keeps its own error.
func profileErr(name string, err error) error {
	var ce *app.ConfigError
	if errors.As(err, &ce) {
		return ce.Err
	}
	var le *app.LoadError
	if !errors.As(err, &le) {
		return err
	}
	err = le.Err
	if errors.Is(err, store.ErrNotFound) {
		return &profileNotFound{name: name}
	}
	if err == errPassphraseTries {
		return err // one plain line
	}
	return fmt.Errorf("load profile %q: %w", name, err)
}

// profileArg is the profile named with --profile or CXONE_PROFILE, "" for the config's default
// (which the application operation takes from its own read of the config).
func (f *Factory) profileArg() string {
	if f.Settings.ProfileSet {
		return f.Settings.Profile
	}
	return ""
}
