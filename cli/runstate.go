package cli

import (
	"sync"
)

// runState is what one run of the program owns while it runs, apart from the dependencies the
// Factory injects: the keyring passphrase it was told, whether a full-screen program owns the
// terminal, the --debug lines it holds back meanwhile, the lock around handing stderr to that
// program and back, what the wizard's flows started from, and whether the unlock agent holds
// the key. (setup's --no-cyclr-push and the hook a screen runs before its record are still
// Factory fields: cli/cyclr.go sets them.) It lives only in this process's memory.
type runState struct {
	// The encrypted-file keyring's passphrase, once it has been typed and proven in this run
	// (docs/profiles-screen.md): every store this run opens (the save step's, the reuse of
	// another profile's client credentials) gets it, so it is asked once per run.
	passMu      sync.Mutex
	keyringPass string
	typed       string        // the last passphrase typed at the terminal prompt, until proven
	prompted    int           // how many passphrases were typed at the prompt (passphraseTries)
	gaveUp      bool          // maxPassphraseTries wrong passphrases were typed: ask no more
	screen      bool          // a full-screen program owns the terminal: no prompt may read it
	checkSem    chan struct{} // bounds the screen's concurrent checks

	// logs is where --debug lines go (the Settings' logger and every store's): stderr, or
	// held back while a screen owns the terminal.
	logs *logSink
	// bgMu is held (read) by the screens' dependencies while they run in the program's
	// command goroutines, and (write) by runScreen while it swaps stderr: a call still under
	// way when the person quits finishes before stderr is handed back.
	bgMu sync.RWMutex

	// flowStart is what each profile was when the wizard's flows started from it, for their
	// compare-and-swap saves (cli/trust.go).
	flowStart flowStarts
	agent     agentCache // whether the unlock agent holds the file keyring's key (agentclient.go)
}

// state is this run's state, made on first use.
func (f *Factory) state() *runState {
	f.runOnce.Do(func() {
		if f.run == nil {
			f.run = &runState{}
		}
	})
	return f.run
}
