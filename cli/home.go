package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"sync"

	"cxone-auth/steps"
	"cxone-auth/store"
)

// runHome is `cxone-auth` with no command on a terminal: the profiles screen when profiles are
// stored, else the wizard for a first one.
func runHome(ctx context.Context, f *Factory) error {
	s, err := f.Store()
	if err != nil {
		return err
	}
	names, err := s.Names()
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return f.runWizard(ctx, steps.Flow{})
	}
	if err := f.unlockKeyring(ctx); err != nil {
		return err
	}
	// A key replaced on the screen (r, or an edit) is offered to its Cyclr installs.
	f.beforeRecords = func(out steps.Outcome) {
		if len(out.Records) > 0 {
			f.offerCyclrRepush(ctx, s, "")
		}
	}
	defer func() { f.beforeRecords = nil }()
	return f.runScreen(ctx, func(ctx context.Context, deps steps.Deps, cfg steps.Config, in io.Reader, out io.Writer) (steps.Outcome, error) {
		return steps.RunHome(ctx, deps, cfg, in, out)
	})
}

// unlockKeyring asks for the encrypted-file keyring's passphrase once for the whole run,
// before a screen opens, when a stored profile lives in that keyring (the profiles screen
// checks every profile; an edit starts from the stored values). The passphrase is asked
// masked on the terminal and proven by reading one profile; a wrong one is forgotten by the
// store and asked again (never retried), up to maxPassphraseTries times. Once proven, the
// store keeps it and every other store of the run gets it (storeOptions), so neither the
// screen, nor the save step, nor the reuse of client credentials asks again. Asking before the
// program starts keeps the one masked prompt of the command line, outside the full-screen
// program that owns the terminal (docs/profiles-screen.md).
func (f *Factory) unlockKeyring(ctx context.Context) error {
	if f.passphraseKnown() || !f.IO.CanPrompt() {
		return nil // nothing to ask, or nobody to ask: the first keyring read will say so
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	cfg, err := s.Config()
	if err != nil {
		return err
	}
	var names []string
	for name, m := range cfg.Profiles {
		b := m.Backend
		if b == "" {
			b = cfg.Backend
		}
		if fb := f.Settings.Backend; fb != "" && fb != store.BackendAuto {
			b = fb // an explicit backend is where the store looks for every profile
		}
		if b == store.BackendFile {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return f.passphraseTries(func() error { return f.proveKeyring(ctx, s, names) })
}

// proveKeyring reads the first of names that the keyring holds (which asks for the
// passphrase) and, when it opens, keeps the passphrase for the run.
func (f *Factory) proveKeyring(ctx context.Context, s *store.Store, names []string) error {
	for _, n := range names {
		_, err := s.Load(ctx, n)
		if errors.Is(err, store.ErrNotFound) {
			continue // an entry whose item is gone proves nothing; try the next
		}
		if err != nil {
			return err
		}
		f.state().passMu.Lock()
		typed := f.state().typed
		f.state().typed = ""
		f.state().passMu.Unlock()
		f.rememberPassphrase(typed)
		return nil
	}
	return nil
}

// screenRunner runs one of the steps package's programs.
type screenRunner func(ctx context.Context, deps steps.Deps, cfg steps.Config, in io.Reader, out io.Writer) (steps.Outcome, error)

// lockedBuffer collects what is written to stderr while a screen owns the terminal.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// logSink writes --debug lines to stderr, or holds them back while a screen owns the terminal.
type logSink struct {
	mu   sync.Mutex
	w    io.Writer
	held *bytes.Buffer
}

// Write implements io.Writer.
func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held != nil {
		return l.held.Write(p)
	}
	return l.w.Write(p)
}

// hold starts holding lines back.
func (l *logSink) hold() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.held = &bytes.Buffer{}
	l.mu.Unlock()
}

// release stops holding lines back and returns those held.
func (l *logSink) release() []byte {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var b []byte
	if l.held != nil {
		b = l.held.Bytes()
	}
	l.held = nil
	return b
}

// runScreen runs a full-screen program (the wizard, an edit, the profiles screen). It draws on
// stderr (stdout stays free for data, as with every command). While it runs, nothing else may
// write to the terminal: --debug lines (the stores' included) and warnings (a check result
// that could not be recorded) are held back and printed after it, with the record of what was
// saved.
func (f *Factory) runScreen(ctx context.Context, run screenRunner) error {
	term := f.IO.ErrOut
	held := &lockedBuffer{}
	if !f.Settings.Accessible {
		f.state().logs.hold()
		f.state().bgMu.Lock()
		f.IO.ErrOut = held
		f.state().bgMu.Unlock()
		f.setScreen(true)
	}
	cfg := f.stepsConfig()
	in := f.IO.In // the full-screen program needs the file itself, to put it in raw mode
	if cfg.Accessible {
		in = f.IO.LineInput() // the line prompts share stdin's one reader with the passphrase
	}
	out, err := run(ctx, f.wizardDeps(), cfg, in, term)
	f.setScreen(false)
	f.state().bgMu.Lock() // what the program started and is still under way finishes first
	f.IO.ErrOut = term
	f.state().bgMu.Unlock()
	f.printRecords(out)
	logs := f.state().logs.release()
	held.mu.Lock()
	warnings := held.buf.Bytes()
	held.mu.Unlock()
	for _, b := range [][]byte{warnings, logs} {
		if len(b) > 0 {
			_, _ = term.Write(b) // a finished run's log; stderr may be gone
		}
	}
	if err != nil {
		if errors.Is(err, steps.ErrCancelled) {
			return &exitError{code: exitCancelled, err: err}
		}
		return err
	}
	if out.Saved {
		f.Settings.Logger.Debug("wizard saved", "profile", out.Profile, "backend", out.Backend)
	}
	return nil
}

// background marks a dependency call of a screen as under way (see bgMu); call the returned
// function when it ends.
func (f *Factory) background() func() {
	f.state().bgMu.RLock()
	return f.state().bgMu.RUnlock
}
