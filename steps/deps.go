// Package steps holds the screens of the setup wizard (one file per step, each with its
// screen and its line prompt side by side), the profiles screen that is the home of
// `cxone-auth` on a terminal (profiles.go and its parts, profiles_*.go), the flows built from
// the steps (a new profile, the edit of a stored one, the rotation of its access key:
// flows.go), the interfaces they consume
// (Verifier, Saver, ProfileSource, BackendSource, ProfileManager), and Run, RunFlow and
// RunHome, which run them full-screen or, for screen readers, as plain line prompts.
package steps

import (
	"context"
	"errors"
	"time"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// Verifier checks credentials live against CXone. progress is called for every stage event,
// from the checking goroutine.
type Verifier interface {
	Verify(ctx context.Context, issuer string, c auth.Credentials, progress func(auth.StageEvent)) (*auth.Result, error)
}

// SaveRequest is everything the save step hands to the Saver.
type SaveRequest struct {
	Profile    string
	Issuer     string
	Creds      auth.Credentials
	Result     *auth.Result
	Backend    string
	Passphrase string // file backend only; "" when it comes from the environment
}

// Saver stores a profile: keyring item first, then config.
type Saver interface {
	Save(ctx context.Context, req SaveRequest) error
}

// ExistingProfile is a stored profile as the client step offers it for reuse.
type ExistingProfile struct {
	Name            string
	Issuer          string
	ClientID        string // may be masked
	Backend         string
	NeedsPassphrase bool // its keyring is the encrypted file and no passphrase is at hand
}

// ProfileSource lists stored profiles and reads the client credentials of one of them.
type ProfileSource interface {
	Profiles(ctx context.Context) ([]ExistingProfile, error)
	ClientCredentials(ctx context.Context, name, passphrase string) (id, secret string, err error)
}

// Backend is a keyring backend the save step offers.
type Backend struct {
	Name            string // "secret-service", "file", ...
	Label           string // "Secret Service (GNOME Keyring)"
	Note            string // why unavailable, or where it stores
	Available       bool
	Default         bool // the detected default, pre-selected
	NeedsPassphrase bool // the encrypted-file backend
	Exists          bool // the keyring already exists (ask the passphrase once, not twice)
	// Remembered marks the keyring config.json remembers (the one the last profile was saved
	// to): a new profile's save step pre-selects it rather than the detected default.
	Remembered bool
}

// BackendSource lists the keyring backends of this machine. Backends may probe the system,
// so the wizard calls it inside a command, never while drawing.
type BackendSource interface {
	Backends() []Backend
}

// StoredProfile is one row of the profiles screen: a stored profile's non-secret view and its
// last recorded check, read from the config (no keyring access, no passphrase).
type StoredProfile struct {
	View        store.View // masked IDs, sanitised strings
	Default     bool
	Backend     string // the keyring backend holding it
	LastCheckAt time.Time
	Status      string // store.StatusValid, StatusRejected, StatusError; "" = never checked
	ErrorKind   string // the auth.Kind of the last failure
}

// ProfileCheck is the outcome of a live check of one stored profile, already recorded in the
// config the way `check --all` records it.
type ProfileCheck struct {
	Name      string
	View      store.View // what the check learnt, or the stored view when it failed
	Status    string     // "valid", "rejected", "error" or "missing"
	Err       error      // nil when valid; auth.KindOf(Err) picks the advice
	Warnings  []string   // sanitised
	CheckedAt time.Time
}

// StoredSecret is a stored profile read from the keyring for an edit or a rotation.
type StoredSecret struct {
	Name    string
	Issuer  string
	Creds   auth.Credentials
	Backend string // the keyring backend holding it: an edit saves back there
}

// ExportRequest asks for a profile to be written to a file, as `cxone-auth export -o` does.
type ExportRequest struct {
	Profile string
	Format  string // "env", "shell" or "json"
	Path    string
	Force   bool // replace an existing file (the person confirmed it)
}

// ExportResult says where an export went.
type ExportResult struct {
	Path       string // absolute
	GitWarning bool   // the file lies in a git work tree and is not ignored
}

// ProfileManager is what the profiles screen needs beyond the wizard: the stored profiles, their
// live check recorded in the config, and the actions on one of them. Implementations bound
// every keyring and network call; the screen calls them from commands, never while drawing.
// Export returns an error wrapping fs.ErrExist when the file exists and Force is not set.
type ProfileManager interface {
	List(ctx context.Context) ([]StoredProfile, error)
	// CheckEach checks the named profiles live, all at once, records each result in the
	// config and calls fn with it once it is recorded, from one goroutine at a time. It
	// returns after the last call; every name gets one.
	CheckEach(ctx context.Context, names []string, fn func(ProfileCheck))
	Load(ctx context.Context, name string) (StoredSecret, error)
	SetDefault(ctx context.Context, name string) error
	Remove(ctx context.Context, name string) error
	Export(ctx context.Context, req ExportRequest) (ExportResult, error)
}

// Deps are the wizard's dependencies; main builds them with adapters over auth and store.
type Deps struct {
	Verifier Verifier
	Saver    Saver
	Profiles ProfileSource // may be nil: no reuse offer
	Backends BackendSource
	// Manager serves the profiles screen; nil when only the wizard runs.
	Manager ProfileManager
	// OpenURL opens a link in a browser; nil means there is no browser.
	OpenURL func(string) error
}

// Config is what the command line decided before the wizard starts.
type Config struct {
	Profile    string // pre-filled profile name
	Issuer     string // pre-selected issuer ("" = commercial)
	Accessible bool   // line prompts, no alternate screen, no animation
	NoColor    bool
	// PassphraseKnown means the encrypted-file keyring's passphrase is at hand: from
	// CXONE_KEYRING_PASSPHRASE, or typed once before the screen opened (the keyring was
	// unlocked for the whole run). The wizard then never asks for it.
	PassphraseKnown bool
	// Backend is the keyring backend named by --keyring-backend ("" = let the person choose).
	Backend string
}

// Outcome is what the wizard did.
type Outcome struct {
	Saved   bool
	Profile string
	Result  *auth.Result
	Backend string
	// Later means the person stopped to register an application first.
	Later bool
	// Records are the records of every profile saved in this run, in order.
	Records []Record
}

// ErrCancelled is returned when the user quit the wizard (ctrl+c); main exits 130.
var ErrCancelled = errors.New("cancelled")
