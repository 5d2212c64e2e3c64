// Package steps holds the screens of the setup wizard (one file per step, each with its
// screen and its line prompt side by side), the interfaces they consume (Verifier, Saver,
// ProfileSource, BackendSource), and Run, which runs them full-screen or, for screen readers,
// as plain line prompts.
package steps

import (
	"context"
	"errors"

	"cxone-auth/auth"
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
}

// BackendSource lists the keyring backends of this machine. Backends may probe the system,
// so the wizard calls it inside a command, never while drawing.
type BackendSource interface {
	Backends() []Backend
}

// Deps are the wizard's dependencies; main builds them with adapters over auth and store.
type Deps struct {
	Verifier Verifier
	Saver    Saver
	Profiles ProfileSource // may be nil: no reuse offer
	Backends BackendSource
	// OpenURL opens a link in a browser; nil means there is no browser.
	OpenURL func(string) error
}

// Config is what the command line decided before the wizard starts.
type Config struct {
	Profile    string // pre-filled profile name
	Issuer     string // pre-selected issuer ("" = commercial)
	Accessible bool   // line prompts, no alternate screen, no animation
	NoColor    bool
	// PassphraseFromEnv means CXONE_KEYRING_PASSPHRASE is set: the wizard does not ask.
	PassphraseFromEnv bool
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
