package store

import (
	"errors"
	"fmt"
)

// ErrNotFound reports that no profile of that name is stored (exit code 4).
var ErrNotFound = errors.New("profile not found")

// ErrWrongPassphrase reports that the passphrase does not open the encrypted-file keyring.
var ErrWrongPassphrase = errors.New("wrong passphrase for the encrypted-file keyring")

// ErrPassphraseRequired reports that the encrypted-file keyring needs a passphrase and nothing
// can supply one (no CXONE_KEYRING_PASSPHRASE, no prompt).
var ErrPassphraseRequired = errors.New("the encrypted-file keyring needs a passphrase: set CXONE_KEYRING_PASSPHRASE or run on a terminal")

// ErrEmptyPassphrase reports an empty passphrase; it is refused because it would leave the
// encrypted-file keyring unprotected.
var ErrEmptyPassphrase = errors.New("an empty passphrase is not allowed for the encrypted-file keyring")

// MinPassphraseLen is the fewest characters (Unicode code points) a new encrypted-file keyring
// accepts as its passphrase. Every item of the keyring is encrypted with a key derived from
// it, so a short one is the easiest way in for someone who copies the folder. A keyring that
// already exists keeps opening with the passphrase it was made with, whatever its length.
const MinPassphraseLen = 12

// ErrPassphraseTooShort reports a passphrase shorter than MinPassphraseLen offered for a new
// encrypted-file keyring.
var ErrPassphraseTooShort = fmt.Errorf("the passphrase of a new encrypted-file keyring must have at least %d characters", MinPassphraseLen)

// ErrKeyringTimeout is wrapped by a KeyringError when a keyring call did not answer in time
// (a locked keyring waiting for a desktop prompt, a stuck agent).
var ErrKeyringTimeout = errors.New("the keyring did not answer in time")

// KeyringError is a failure of the keyring backend. Error names the backend and says how to
// unlock or fix it; it never contains a secret.
type KeyringError struct {
	Backend string // backend name, such as "secret-service"
	Op      string // what was attempted: "open", "save", "load", "delete", "unlock"
	Err     error  // the cause
	Hint    string // what the person can do about it
}

// Error implements error.
func (e *KeyringError) Error() string {
	msg := fmt.Sprintf("keyring %s: %s: %v", e.Backend, e.Op, e.Err)
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// Unwrap returns the cause, so errors.Is(err, ErrWrongPassphrase) and context errors work.
func (e *KeyringError) Unwrap() error { return e.Err }

// unlockHint says, per backend, how a person unlocks or repairs it.
func unlockHint(backend, fileDir string) string {
	switch backend {
	case BackendKeychain:
		return "unlock the login keychain (Keychain Access, or `security unlock-keychain`) and allow cxone-auth access; or use --keyring-backend file"
	case BackendWinCred:
		return "check Windows Credential Manager (Control Panel > Credential Manager); or use --keyring-backend file"
	case BackendSecretService:
		return "make sure a Secret Service (GNOME Keyring, KeePassXC) runs on the session bus and its 'login' collection is unlocked, e.g. log in to the desktop or run `gnome-keyring-daemon --unlock`; or use --keyring-backend file"
	case BackendKWallet:
		return "open and unlock KWallet (kwalletmanager); or use --keyring-backend file"
	case BackendPass:
		return "make sure `pass show` works in this terminal (gpg-agent running, GPG key unlocked, `pass init` done); or use --keyring-backend file"
	case BackendKeyctl:
		return "the kernel keyring is not usable here (containers often block it); use --keyring-backend file"
	case BackendFile:
		return fmt.Sprintf("check the folder %s and its passphrase (CXONE_KEYRING_PASSPHRASE)", fileDir)
	}
	return "use --keyring-backend to choose another backend"
}
