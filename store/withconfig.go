package store

import (
	"context"
	"path/filepath"
)

// LoadIn is Load for a caller that has just read the config (cfg, from Config) for its own
// use: the same backend choice and item binding, without reading config.json again. An
// application operation reads the config once and hands it to the store (docs/applayer.md).
func (s *Store) LoadIn(ctx context.Context, cfg Config, name string) (Secret, error) {
	if err := ValidProfileName(name); err != nil {
		return Secret{}, err
	}
	s.knowFileDir(cfg)
	b := s.backendFor(name, cfg)
	sec, err := s.loadFrom(ctx, b, name)
	if err != nil {
		return Secret{}, err
	}
	if err := s.checkBinding(b, name, sec, cfg); err != nil {
		return Secret{}, err
	}
	sec.named = false
	return sec, nil
}

// LoadEachIn is LoadEach with the config already read (cfg, from Config).
func (s *Store) LoadEachIn(ctx context.Context, cfg Config, names []string, fn func(name string, r LoadResult)) {
	s.knowFileDir(cfg)
	s.loadEach(ctx, cfg, names, fn)
}

// knowFileDir takes the encrypted-file keyring's folder from a config just read, as FileDir
// would from its own read, so that FileDir reads nothing more.
func (s *Store) knowFileDir(c Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fileDir == "" && s.opts.FileDir == "" && c.FileDir != "" && filepath.IsAbs(c.FileDir) {
		s.fileDir = c.FileDir
	}
}
