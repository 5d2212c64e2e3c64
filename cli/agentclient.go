package cli

import (
	"fmt"
	"io"

	"cxone-auth/store"
)

// keyringNotice is how the store tells the person something once (the upgrade of a format-1
// file keyring, docs/keyring.md): a line on stderr, held back with the debug lines while a
// screen owns the terminal.
func (f *Factory) keyringNotice(msg string) {
	var w io.Writer = f.IO.ErrOut
	if f.logs != nil {
		w = f.logs
	}
	fmt.Fprintln(w, msg)
}

// keyringOptions adds to a store's options what this file owns: the notice line and (on
// systems with the unlock agent) the agent as the first source of the file keyring's key.
func (f *Factory) keyringOptions(opts *store.Options) {
	opts.Notice = f.keyringNotice
}
