package cli

import (
	"errors"
	"fmt"

	"cxone-auth/store"
)

// maxPassphraseTries is how often the keyring passphrase is asked before a command gives up:
// three, in every command alike (docs/prompts.md).
const maxPassphraseTries = 3

// errPassphraseTries ends a command after maxPassphraseTries wrong passphrases: one plain
// line, without the chain of what was being opened. It is still a wrong passphrase
// (errors.Is), a keyring failure (exit 1).
var errPassphraseTries = &plainError{
	msg:   fmt.Sprintf("wrong passphrase for the encrypted-file keyring (%d tries)", maxPassphraseTries),
	cause: store.ErrWrongPassphrase,
}

// plainError is an error whose message is all that is shown, with a cause for errors.Is.
type plainError struct {
	msg   string
	cause error
}

func (e *plainError) Error() string { return e.msg }
func (e *plainError) Unwrap() error { return e.cause }

// triesLeft is the message after a wrong passphrase: "Wrong passphrase — 2 tries left".
func triesLeft(n int) string {
	if n == 1 {
		return "Wrong passphrase — 1 try left"
	}
	return fmt.Sprintf("Wrong passphrase — %d tries left", n)
}

// passphraseTries runs op, a read of the keyring. When it fails on a wrong passphrase that was
// typed at the prompt during op, it says so where the prompt is and runs op again: the store
// forgot the wrong passphrase, so it asks again (never retrying the same one), up to
// maxPassphraseTries in all. A wrong CXONE_KEYRING_PASSPHRASE is not asked again: nobody
// typed it.
func (f *Factory) passphraseTries(op func() error) error {
	for try := 1; ; try++ {
		before := f.promptCount()
		err := op()
		if err == nil || !errors.Is(err, store.ErrWrongPassphrase) || f.promptCount() == before {
			return err
		}
		if try >= maxPassphraseTries {
			f.state().passMu.Lock()
			f.state().gaveUp = true // no prompt of this run asks again
			f.state().passMu.Unlock()
			return errPassphraseTries
		}
		fmt.Fprintln(f.IO.PromptOut(), triesLeft(maxPassphraseTries-try))
	}
}

// promptCount is how many passphrases were typed at the prompt so far in this run.
func (f *Factory) promptCount() int {
	f.state().passMu.Lock()
	defer f.state().passMu.Unlock()
	return f.state().prompted
}
