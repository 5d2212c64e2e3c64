package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
)

// maxOrphans bounds what Orphans returns per backend.
const maxOrphans = 1000

// Orphans lists profiles that have a keyring item but no config entry (or whose entry says
// their item lives in another backend): what a process killed between the keyring write and
// the config write leaves behind, so `list` can show it and `remove` can clear it. The
// encrypted-file backend is listed from its file names (no passphrase is asked); other
// backends in use (the current one and those the config names) through the keyring library's
// key listing, each bounded by the keyring timeout. The names found are returned even when a
// backend could not be listed; err then says which.
//
// The config and the items are read under the config lock, which Save holds from its keyring
// write to its config write: a setup under way in another process is never reported as an
// orphan. Without a config folder there is nothing to lock (and no entry to miss).
func (s *Store) Orphans(ctx context.Context) ([]string, error) {
	dir := filepath.Dir(s.configPath)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return s.orphans(ctx)
	}
	var (
		out  []string
		oerr error
	)
	err := withLock(filepath.Join(dir, configFile+".lock"), func() error {
		out, oerr = s.orphans(ctx)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, oerr
}

func (s *Store) orphans(ctx context.Context) ([]string, error) {
	cfg, err := s.Config()
	if err != nil {
		return nil, err
	}
	backends := map[string]bool{s.Backend(): true}
	if cfg.Backend != "" && ValidBackend(cfg.Backend) == nil && cfg.Backend != BackendAuto {
		backends[cfg.Backend] = true
	}
	for _, m := range cfg.Profiles {
		if m.Backend != "" && ValidBackend(m.Backend) == nil && m.Backend != BackendAuto {
			backends[m.Backend] = true
		}
	}
	found := map[string]bool{}
	var errs []error
	for b := range backends {
		names, err := s.ringFor(b).profiles(ctx)
		if err != nil {
			errs = append(errs, err)
		}
		for _, n := range names {
			m, ok := cfg.Profiles[n]
			home := m.Backend
			if home == "" {
				home = cfg.Backend
			}
			if !ok || (home != "" && home != b) {
				found[n] = true
			}
		}
	}
	out := make([]string, 0, len(found))
	for n := range found {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, errors.Join(errs...)
}
