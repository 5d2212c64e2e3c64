package cli

import (
	"context"
	"fmt"
	"sync"

	"cxone-auth/store"
)

// warnLooseConfig says on stderr, in one line, when the config folder or file can be written
// by others. The read-only commands (list, token, export, exec) call it: they never write
// config.json, so they never tighten it as the writing commands do.
func (f *Factory) warnLooseConfig() {
	s, err := f.Store()
	if err != nil {
		return
	}
	if w := s.LooseConfigWarning(); w != "" {
		fmt.Fprintln(f.IO.ErrOut, w)
	}
}

// flowStarts remembers, per profile, what a wizard flow started from, so that its save is a
// compare and swap (store.SaveIf): a flow that edited a profile saves only while the keyring
// item still holds the credentials it loaded; any other flow only while the profile's config
// entry is as it was when the wizard started (or still absent). A concurrent setup, rotation
// or removal is then refused with "profile changed meanwhile" instead of silently undone.
type flowStarts struct {
	mu     sync.Mutex
	taken  bool                    // the config was read when the wizard started
	byName map[string]store.Expect // what each profile was
}

// rememberConfig records every profile's config entry as the wizard starts (names already
// remembered keep their more precise expectation).
func (f *Factory) rememberConfig() {
	s, err := f.Store()
	if err != nil {
		return
	}
	cfg, err := s.Config()
	if err != nil {
		return
	}
	fs := &f.state().flowStart
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.byName == nil {
		fs.byName = map[string]store.Expect{}
	}
	fs.taken = true
	for n, m := range cfg.Profiles {
		if _, ok := fs.byName[n]; !ok {
			fs.byName[n] = store.ExpectEntry(m)
		}
	}
}

// rememberSecret records the keyring item a flow loaded to edit or rotate it (or just saved).
func (f *Factory) rememberSecret(name string, sec store.Secret) {
	fs := &f.state().flowStart
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.byName == nil {
		fs.byName = map[string]store.Expect{}
	}
	fs.byName[name] = store.ExpectSecret(sec)
}

// rememberRemoved records that this run removed profile name (the profiles screen).
func (f *Factory) rememberRemoved(name string) {
	fs := &f.state().flowStart
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.byName == nil {
		fs.byName = map[string]store.Expect{}
	}
	fs.byName[name] = store.ExpectAbsent()
}

// expectFor is what a save of name must still find; ok is false when nothing was recorded.
func (f *Factory) expectFor(name string) (store.Expect, bool) {
	fs := &f.state().flowStart
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if e, ok := fs.byName[name]; ok {
		return e, true
	}
	if fs.taken {
		return store.ExpectAbsent(), true
	}
	return store.Expect{}, false
}

// saveFlow saves a profile for the wizard: with a compare and swap when its start is known.
func (f *Factory) saveFlow(ctx context.Context, st *store.Store, name string, sec store.Secret, meta store.Meta) error {
	var expect *store.Expect
	if e, ok := f.expectFor(name); ok {
		expect = &e
	}
	err := f.newApp(st).Save(ctx, name, expect, sec, meta)
	if err == nil {
		f.rememberSecret(name, sec)
	}
	return err
}
