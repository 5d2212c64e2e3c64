package cli

import (
	"context"
	"errors"
	"sort"
	"time"

	"cxone-auth/auth"
	"cxone-auth/internal/app"
	"cxone-auth/steps"
	"cxone-auth/store"
)

// wizardDeps builds the real dependencies the wizard's steps and the profiles screen consume:
// the CXone client, the store, the keyring backends, the check and record functions of
// `check --all`, the export of `export -o`, and a browser opener.
func (f *Factory) wizardDeps() steps.Deps {
	f.rememberConfig()
	return steps.Deps{
		Verifier: verifier{f},
		Saver:    saver{f},
		Profiles: profileSource{f},
		Backends: backendSource{f},
		Manager:  profileManager{f},
		OpenURL:  f.OpenURL,
	}
}

type verifier struct{ f *Factory }

// Verify runs the full live check (no cache: the values are new).
func (v verifier) Verify(ctx context.Context, issuer string, c auth.Credentials, progress func(auth.StageEvent)) (*auth.Result, error) {
	defer v.f.background()()
	return v.f.Client().Check(ctx, c, auth.Options{Issuer: issuer, Scope: v.f.Settings.Scope, Progress: progress, Logger: v.f.Settings.Logger})
}

type saver struct{ f *Factory }

// Save stores the checked credentials with the backend and passphrase chosen in the wizard:
// the whole keyring item at once, its endpoint cache from the check that just ran. A
// passphrase typed in the wizard that opened (or created) the keyring is kept for the rest of
// the run.
func (s saver) Save(ctx context.Context, req steps.SaveRequest) error {
	defer s.f.background()()
	st, err := store.Open(s.f.storeOptions(req.Backend, req.Passphrase))
	if err != nil {
		return err
	}
	err = s.f.saveFlow(ctx, st, req.Profile, store.NewSecret(req.Issuer, req.Creds, req.Result), newMeta(req.Issuer, req.Creds, req.Result))
	if err == nil && req.Backend == store.BackendFile {
		s.f.rememberPassphrase(req.Passphrase)
	}
	return err
}

type profileSource struct{ f *Factory }

// Profiles lists the stored profiles from the config (no keyring access, no passphrase).
func (p profileSource) Profiles(ctx context.Context) ([]steps.ExistingProfile, error) {
	defer p.f.background()()
	st, err := p.f.Store()
	if err != nil {
		return nil, err
	}
	cfg, err := st.Config()
	if err != nil {
		return nil, err
	}
	noPass := !p.f.passphraseKnown()
	var out []steps.ExistingProfile
	for name, m := range cfg.Profiles {
		backend := m.Backend // where this profile's item lives; older entries: the config's
		if backend == "" {
			backend = cfg.Backend
		}
		v := store.ViewOfMeta(name, m)
		out = append(out, steps.ExistingProfile{Name: v.Name, Issuer: v.Issuer, ClientID: v.ClientID,
			Backend: backend, NeedsPassphrase: backend == store.BackendFile && noPass})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ClientCredentials loads another profile's client credentials for reuse.
func (p profileSource) ClientCredentials(ctx context.Context, name, passphrase string) (string, string, error) {
	defer p.f.background()()
	st, err := store.Open(p.f.storeOptions(p.f.Settings.Backend, passphrase))
	if err != nil {
		return "", "", err
	}
	sec, err := st.Load(ctx, name)
	if err != nil {
		return "", "", err
	}
	p.f.rememberPassphrase(passphrase)
	if sec.ClientID == "" {
		return "", "", errors.New("that profile has no client credentials")
	}
	return sec.ClientID, sec.ClientSecret, nil
}

type backendSource struct{ f *Factory }

// Backends lists the keyring backends of this machine with the detected default selected.
// An explicit --keyring-backend becomes the default.
func (b backendSource) Backends() []steps.Backend {
	set := b.f.Settings
	infos := store.Backends(set.KeyringDir, b.f.Env.Getenv)
	envPass := b.f.passphraseKnown()
	remembered := b.rememberedBackend()
	var out []steps.Backend
	for _, in := range infos {
		def := in.Default
		if set.Backend != "" && set.Backend != store.BackendAuto {
			def = in.Name == set.Backend
		}
		be := steps.Backend{Name: in.Name, Label: in.Label, Note: in.Note, Available: in.Available, Default: def,
			Remembered: remembered != "" && in.Name == remembered}
		if in.Name == store.BackendFile {
			be.NeedsPassphrase = !envPass
			be.Exists = store.FileKeyringExists(set.KeyringDir, b.f.Env.Getenv)
		}
		out = append(out, be)
	}
	return out
}

// rememberedBackend is the keyring config.json remembers (the last one saved to), "" when
// there is none or the config cannot be read (the detected default then stands).
func (b backendSource) rememberedBackend() string {
	defer b.f.background()()
	st, err := b.f.Store()
	if err != nil {
		return ""
	}
	cfg, err := st.Config()
	if err != nil {
		return ""
	}
	return cfg.Backend
}

// profileManager serves the profiles screen with the command line's own functions: the check
// and record of `check --all`, the export of `export -o`, the store's default and delete.
type profileManager struct{ f *Factory }

// List reads the profiles from the config, sorted by name; it opens no keyring.
func (m profileManager) List(context.Context) ([]steps.StoredProfile, error) {
	defer m.f.background()()
	s, err := m.f.Store()
	if err != nil {
		return nil, err
	}
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	names := cfg.Names()
	out := make([]steps.StoredProfile, 0, len(names))
	for _, n := range names {
		meta := cfg.Profiles[n]
		backend := meta.Backend
		if backend == "" {
			backend = cfg.Backend
		}
		out = append(out, steps.StoredProfile{View: store.ViewOfMeta(n, meta), Default: n == cfg.DefaultProfile,
			Backend: backend, LastCheckAt: meta.LastCheckAt, Status: store.ShownStatus(meta.LastCheckStatus, meta.LastErrorKind), ErrorKind: meta.LastErrorKind})
	}
	return out, nil
}

// checkSlots bounds the checks the screen runs at once, across all its calls, as check --all
// does.
func (f *Factory) checkSlots() chan struct{} {
	f.state().passMu.Lock()
	defer f.state().passMu.Unlock()
	if f.state().checkSem == nil {
		f.state().checkSem = make(chan struct{}, maxConcurrentChecks)
	}
	return f.state().checkSem
}

// recordLinger is how long the screen's checks wait for more results to record with the one
// in hand while other checks are still under way: one config write for each batch instead of
// one for each result. A row shows its result at most that much later; the last result is
// recorded at once.
const recordLinger = 50 * time.Millisecond

// CheckEach checks stored profiles live, all at once, as check --all does (one config read,
// one keyring opening, each check starting as soon as its item is decrypted, at most
// maxConcurrentChecks in flight across every call), and records each result as check --all
// does (the record is dropped if the profile changed while it was checked). fn gets each
// result once it is recorded, so a row shows its result as soon as it comes and what the
// screen shows is never newer than the config it reads again after an action. The results are
// recorded in batches (recordLinger): with 100 profiles, a config write for each result made
// 100 locked, synced rewrites of the whole config, and then still about 20 when each write
// took whatever had come in meanwhile, a sixth of the screen's CPU time.
func (m profileManager) CheckEach(ctx context.Context, names []string, fn func(steps.ProfileCheck)) {
	defer m.f.background()()
	fail := func(err error) {
		for _, n := range names {
			fn(steps.ProfileCheck{Name: n, Status: statusError, Err: err, CheckedAt: time.Now().UTC()})
		}
	}
	a, err := m.f.App()
	if err != nil {
		fail(err)
		return
	}
	cfg, err := a.Store.Config() // one read serves every profile's metadata
	if err != nil {
		fail(err)
		return
	}
	done := make(chan checkEntry, len(names))
	go func() {
		a.CheckEachIn(ctx, cfg, names, m.f.checkSlots(), func(name string, r app.Result) {
			e := entryOf(r)
			e.Name = name // the name asked for, whatever the check's view says
			done <- e
		})
		close(done)
	}()
	left := len(names) // results still to come (a repeated name gets one)
	for e := range done {
		left--
		batch := append(make([]checkEntry, 0, left+1), e)
		linger := time.NewTimer(recordLinger)
	more:
		for left > 0 {
			select {
			case e, ok := <-done:
				if !ok {
					break more
				}
				left--
				batch = append(batch, e)
			case <-linger.C:
				break more
			}
		}
		linger.Stop()
		m.f.recordChecks(a.Store, batch)
		for _, e := range batch {
			fn(steps.ProfileCheck{Name: e.Name, View: e.View, Status: e.Status, Err: e.err, Warnings: e.Warnings, CheckedAt: e.CheckedAt})
		}
	}
}

// Load reads a profile for an edit or a rotation.
func (m profileManager) Load(ctx context.Context, name string) (steps.StoredSecret, error) {
	defer m.f.background()()
	return m.f.storedSecret(ctx, name)
}

// SetDefault makes name the default profile, as `cxone-auth use` does.
func (m profileManager) SetDefault(_ context.Context, name string) error {
	defer m.f.background()()
	a, err := m.f.App()
	if err != nil {
		return err
	}
	return a.SetDefault(name)
}

// Remove deletes a profile from the keyring and the config, as `cxone-auth remove` does.
func (m profileManager) Remove(ctx context.Context, name string) error {
	defer m.f.background()()
	a, err := m.f.App()
	if err != nil {
		return err
	}
	if err := a.Remove(ctx, name); err != nil {
		return err
	}
	m.f.rememberRemoved(name) // a profile of that name set up again here expects none
	return nil
}

// Export writes a profile to a file through the code of `export -o`.
func (m profileManager) Export(ctx context.Context, req steps.ExportRequest) (steps.ExportResult, error) {
	defer m.f.background()()
	abs, warn, err := m.f.writeExport(ctx, exportRequest{name: req.Profile, format: req.Format, path: req.Path, force: req.Force})
	if err != nil {
		return steps.ExportResult{}, err
	}
	return steps.ExportResult{Path: abs, GitWarning: warn}, nil
}
