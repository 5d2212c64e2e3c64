package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"cxone-auth/agent"
	"cxone-auth/store"
)

// keyringNotice is how the store tells the person something once (the upgrade of a format-1
// file keyring, docs/keyring.md): a line on stderr, held back with the debug lines while a
// screen owns the terminal.
func (f *Factory) keyringNotice(msg string) {
	var w io.Writer = f.IO.ErrOut
	if f.state().logs != nil {
		w = f.state().logs
	}
	fmt.Fprintln(w, msg)
}

// keyringOptions adds to a store's options what this file owns: the notice line and the
// unlock agent, asked first for the file keyring's key (then CXONE_KEYRING_PASSPHRASE, then
// the prompt: docs/keyring.md, "Unlocking once").
func (f *Factory) keyringOptions(opts *store.Options) {
	opts.Notice = f.keyringNotice
	opts.Unlocked = f.agentKey
}

// agentTimeout bounds the whole question to the agent, connect included: a stuck or busy
// agent costs at most this before the passphrase is asked.
const agentTimeout = 200 * time.Millisecond

// agentKey asks the unlock agent for the key of the file keyring in dir (nil: no agent, or
// none for this keyring and header).
func (f *Factory) agentKey(ctx context.Context, dir string, header []byte) []byte {
	if !agent.Supported {
		return nil
	}
	sock, err := agent.SocketPath(f.Env.Getenv, dir, false)
	if err != nil {
		return nil // no runtime folder (or one refused): no agent
	}
	ctx, cancel := context.WithTimeout(ctx, agentTimeout)
	defer cancel()
	key, err := agent.Get(ctx, sock, dir, header)
	if err != nil {
		if f.Settings != nil && f.Settings.Logger != nil {
			f.Settings.Logger.Debug("unlock agent not used", "err", err)
		}
		return nil
	}
	return key
}

// agentCache remembers, for the run, whether the unlock agent holds the file keyring's key.
type agentCache struct {
	once sync.Once
	ok   bool
}

// agentHolds reports whether the unlock agent holds the key of this run's file keyring, so
// the screens and the wizard treat the passphrase as known (the store will get the key from
// the agent) and ask for none.
func (f *Factory) agentHolds() bool {
	if !agent.Supported || f.Settings == nil {
		return false
	}
	f.state().agent.once.Do(func() {
		s, err := f.Store()
		if err != nil {
			return
		}
		dir := s.FileDir()
		if dir == "" {
			return
		}
		hdr, err := store.ReadKeyringHeader(dir)
		if err != nil || hdr == nil {
			return
		}
		if key := f.agentKey(context.Background(), dir, hdr); key != nil {
			clear(key)
			f.state().agent.ok = true
		}
	})
	return f.state().agent.ok
}
