// Package store keeps cxone-auth profiles: each profile's credentials as one item in an OS
// keyring (github.com/99designs/keyring, wrapped in ring.go and nowhere else, or the
// encrypted-file keyring of filering.go and filekeyring.go), its non-secret metadata in config.json, and the encoders that
// export a profile as env, shell or JSON. It has no UI: passphrases are asked through a
// PassphraseFunc. It never reads the process environment: variables come through
// Options.Getenv.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	// The guard must initialise before the keyring library, which contacts D-Bus in its init.
	_ "cxone-auth/store/dbusguard"

	"github.com/99designs/keyring"
)

// PassphraseFunc asks a person for the encrypted-file keyring's passphrase. confirm is true
// when the keyring is being created, so the function should ask twice and compare.
type PassphraseFunc func(ctx context.Context, prompt string, confirm bool) (string, error)

// Options configure a Store. The zero value is usable once ConfigDir is set (or Getenv knows a
// home folder).
type Options struct {
	Backend    string         // "" = the config's saved backend, else auto; "auto" = try the backends in order
	FileDir    string         // encrypted-file keyring folder; default: the config's, else DefaultFileDir(Getenv)
	ConfigDir  string         // default DefaultConfigDir(Getenv)
	Passphrase PassphraseFunc // used when CXONE_KEYRING_PASSPHRASE is unset; nil = ErrPassphraseRequired
	Timeout    time.Duration  // bound on each keyring call, default 30s
	Logger     *slog.Logger   // debug log; never receives a secret
	// Getenv is the environment the store reads CXONE_KEYRING_PASSPHRASE, XDG_CONFIG_HOME,
	// XDG_DATA_HOME, HOME (USERPROFILE on Windows) and PASSWORD_STORE_DIR from. nil is an
	// empty environment: the store never falls back to the process environment.
	Getenv func(string) string
	// Notice tells the person something once, on stderr (the upgrade of a format-1 keyring).
	// nil says nothing.
	Notice func(msg string)
	// Unlocked asks the unlock agent for the master key of the encrypted-file keyring in dir
	// whose header keyring.json is header; nil (no agent, or none for this keyring) means the
	// passphrase is asked. The key is checked against the header before use. It must be
	// bounded (docs/keyring.md, "Unlocking once").
	Unlocked func(ctx context.Context, dir string, header []byte) []byte
}

// DefaultTimeout bounds each keyring call when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// passphraseEnv supplies the file keyring's passphrase for unattended use.
const passphraseEnv = "CXONE_KEYRING_PASSPHRASE"

// Store is the profile store. Open is cheap; the keyring is opened (and a passphrase asked)
// on the first call that needs it. A Store is safe for use by several goroutines.
type Store struct {
	opts       Options
	configPath string
	log        *slog.Logger
	timeout    time.Duration
	getenv     func(string) string

	mu       sync.Mutex
	resolved string                     // backend for new profiles, after auto
	fileDir  string                     // resolved file keyring folder
	rings    map[string]keyring.Keyring // opened OS keyrings (libRing)
	file     *fileRing                  // the encrypted-file keyring, made by ringFor
}

// Open prepares a Store. It validates the options and touches neither the keyring nor the
// disk: the first call that needs the keyring opens it (and asks for a passphrase).
func Open(opts Options) (*Store, error) {
	if opts.Backend != "" {
		if err := ValidBackend(opts.Backend); err != nil {
			return nil, err
		}
	}
	getenv := orEmpty(opts.Getenv)
	dir := opts.ConfigDir
	if dir == "" {
		dir = DefaultConfigDir(getenv)
	}
	if dir == "" {
		return nil, errors.New("no config folder: neither XDG_CONFIG_HOME nor HOME is set; give one with --config-dir or CXONE_CONFIG_DIR")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("config dir: %w", err)
	}
	if opts.FileDir != "" {
		fd, err := filepath.Abs(opts.FileDir)
		if err != nil {
			return nil, fmt.Errorf("keyring dir: %w", err)
		}
		opts.FileDir = fd
	}
	s := &Store{opts: opts, configPath: filepath.Join(abs, configFile), log: opts.Logger, timeout: opts.Timeout,
		getenv: getenv, rings: map[string]keyring.Keyring{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	return s, nil
}

// ConfigPath is the path of config.json.
func (s *Store) ConfigPath() string { return s.configPath }

// Backend is the backend new profiles are saved in: the one asked for, else the config's
// saved one, else what `auto` finds on this machine.
func (s *Store) Backend() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resolved != "" {
		return s.resolved
	}
	b, from := s.opts.Backend, "option"
	if b == "" {
		from = "config"
		if c, err := readConfig(s.configPath); err == nil && c.Backend != "" && ValidBackend(c.Backend) == nil {
			b = c.Backend
		}
	}
	if b == "" || b == BackendAuto {
		b, from = autoBackend(s.getenv), "auto"
		for _, x := range autoOrder {
			if osHas(x, runtime.GOOS) && !compiledIn(x) {
				_, why := notBuiltIn(x, runtime.GOOS, cgoEnabled)
				s.log.Debug("keyring backend skipped", "backend", x, "why", why)
			}
		}
	}
	s.resolved = b
	s.log.Debug("keyring backend", "backend", b, "from", from)
	return b
}

// FileDir is the encrypted-file keyring folder this Store uses.
func (s *Store) FileDir() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fileDir == "" {
		s.fileDir = s.opts.FileDir
		if s.fileDir == "" {
			if c, err := readConfig(s.configPath); err == nil && c.FileDir != "" && filepath.IsAbs(c.FileDir) {
				s.fileDir = c.FileDir
			}
		}
		if s.fileDir == "" {
			s.fileDir = DefaultFileDir(s.getenv) // "" when no home is known: file calls say so
		}
	}
	return s.fileDir
}

// backendFor picks the backend holding profile name: an explicit Options.Backend wins, else
// the backend recorded for the profile, else Backend().
func (s *Store) backendFor(name string, c Config) string {
	if s.opts.Backend == "" {
		if m, ok := c.Profiles[name]; ok && m.Backend != "" && ValidBackend(m.Backend) == nil && m.Backend != BackendAuto {
			return m.Backend
		}
	}
	return s.Backend()
}

// Config reads config.json: a missing file is an empty config, a corrupt one an error naming
// the file (it is never overwritten silently).
// A read also tells the store the encrypted-file keyring's folder it records, so FileDir needs
// no read of its own (knowFileDir).
func (s *Store) Config() (Config, error) {
	c, err := readConfig(s.configPath)
	if err == nil {
		s.knowFileDir(c)
	}
	return c, err
}

// Names lists the stored profiles, sorted, from the config.
func (s *Store) Names() ([]string, error) {
	c, err := s.Config()
	if err != nil {
		return nil, err
	}
	return c.Names(), nil
}

// Names lists the config's profiles, sorted.
func (c Config) Names() []string { return sortedNames(c) }

func sortedNames(c Config) []string {
	names := make([]string, 0, len(c.Profiles))
	for n := range c.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Meta returns a profile's metadata, or an error wrapping ErrNotFound.
func (s *Store) Meta(name string) (Meta, error) {
	c, err := s.Config()
	if err != nil {
		return Meta{}, err
	}
	m, ok := c.Profiles[name]
	if !ok {
		return Meta{}, fmt.Errorf("profile %q: %w", name, ErrNotFound)
	}
	return m, nil
}

func itemLabel(name string) string { return fmt.Sprintf("CXone credentials (%s)", name) }

// encodeSecret is the keyring document of sec for profile name in backend b; it names the
// profile, so an item moved to another profile's place is refused when read (decodeItem).
// Windows Credential Manager holds at most 2,560 bytes per credential, and the encrypted-file
// keyring reads at most maxItemSize per file: a cached token that would not fit is left out
// (the cache is only a shortcut), then the whole cache.
func encodeSecret(b, name string, sec Secret) ([]byte, error) {
	fits := func(data []byte) bool { return fitsIn(b, itemKey(b, name), data) }
	data, err := marshalSecretFor(name, sec)
	if err != nil || fits(data) || sec.Cache == nil {
		return data, err
	}
	c := *sec.Cache
	c.AccessToken, c.TokenExpiresAt = "", time.Time{}
	sec.Cache = &c
	if data, err = marshalSecretFor(name, sec); err != nil || fits(data) {
		return data, err
	}
	sec.Cache = nil
	return marshalSecretFor(name, sec)
}

func secretItem(b, name string, data []byte) keyring.Item {
	return keyring.Item{Key: itemKey(b, name), Data: data, Label: itemLabel(name), Description: "CXone API credentials",
		KeychainNotSynchronizable: true}
}

// Save stores a profile: the keyring item first, then the config entry, both under the
// config lock, so a concurrent UpdateSecret (a `token` refreshing the cache) can never write
// the old credentials' token or endpoints over the new item. If the config cannot be written,
// the keyring is put back as it was (the old item restored, or the new one removed) and the
// error reported. The first profile saved becomes the default; the backend (and file folder)
// used is recorded in the config. sec replaces the whole item, cache included: pass the fresh
// cache of a check that just ran, or none.
//
// A process killed between the two writes must not leave a profile whose config entry names
// other credentials than its keyring item. So when a profile's issuer, client ID or access
// key ID change, its config entry is taken out first (one more config write): a kill at any
// point then leaves the profile as it was, or as saved, or as a keyring item without a config
// entry, which Orphans reports and the next Save or Delete of the name settles.
//
// The lock is held for one keyring write (plus a read of the old item, for the rollback) and
// one config write, never while a passphrase is asked; other processes wait for it at most
// lockTimeout (10 s), and each keyring call is bounded by Options.Timeout.
func (s *Store) Save(ctx context.Context, name string, sec Secret, meta Meta) error {
	return s.save(ctx, name, sec, meta, nil)
}

// SaveIf is Save, done only while the profile is still as the flow that computed sec and
// meta found it (compare and swap): expect is what it started from. Under the lock Save
// holds, the config entry and, when expect has it, the keyring item are read again; if the
// profile appeared, went away or got other credentials meanwhile, nothing is written and the
// error wraps ErrProfileChanged. A concurrent token refresh (the cache only) is no change.
func (s *Store) SaveIf(ctx context.Context, name string, expect Expect, sec Secret, meta Meta) error {
	return s.save(ctx, name, sec, meta, &expect)
}

func (s *Store) save(ctx context.Context, name string, sec Secret, meta Meta, expect *Expect) error {
	if err := ValidProfileName(name); err != nil {
		return err
	}
	cfg, err := s.Config()
	if err != nil {
		return err // a corrupt config is reported before anything is written
	}
	b := s.backendFor(name, cfg)
	data, err := encodeSecret(b, name, sec)
	if err != nil {
		return fmt.Errorf("encode credentials: %w", err)
	}
	item := secretItem(b, name, data)
	r := s.ringFor(b)
	if err := r.prepare(ctx); err != nil {
		return err
	}
	fileDir := r.folder()
	var oldBackend string
	err = withConfigLock(filepath.Dir(s.configPath), func() error {
		c, err := readConfig(s.configPath)
		if err != nil {
			return err
		}
		if expect != nil {
			if err := s.stillAsExpected(ctx, b, name, c, *expect); err != nil {
				return err
			}
		}
		restore, err := r.snapshot(ctx, item.Key)
		if err != nil {
			return err
		}
		// putBack undoes the entry's removal below when the save fails.
		putBack := func() error { return nil }
		if old, ok := c.Profiles[name]; ok && !old.sameIdentity(meta) {
			orig, without := c.clone(), c.clone()
			delete(without.Profiles, name)
			if err := writeConfig(s.configPath, without); err != nil {
				return err
			}
			putBack = func() error { return writeConfig(s.configPath, orig) }
			crashPoint("save: old entry taken out")
		}
		if err := r.set(ctx, item); err != nil {
			if perr := putBack(); perr != nil {
				return fmt.Errorf("%w; putting the config entry back also failed: %v", err, perr)
			}
			return err
		}
		crashPoint("save: item written")
		if old, ok := c.Profiles[name]; ok {
			oldBackend = old.Backend
			if meta.CreatedAt.IsZero() {
				meta.CreatedAt = old.CreatedAt
			}
		}
		if meta.CreatedAt.IsZero() {
			meta.CreatedAt = time.Now().UTC().Truncate(time.Second)
		}
		meta.Backend = b
		c.Profiles[name] = meta
		c.Backend = b
		if fileDir != "" {
			c.FileDir = fileDir
		}
		if _, ok := c.Profiles[c.DefaultProfile]; !ok {
			c.DefaultProfile = name
		}
		if err := writeConfig(s.configPath, c); err != nil {
			if rerr := restore(context.WithoutCancel(ctx)); rerr != nil {
				return fmt.Errorf("%w; putting the keyring back also failed: %v", err, rerr)
			}
			if perr := putBack(); perr != nil {
				return fmt.Errorf("%w (the keyring was put back as it was; its config entry could not be: %v)", err, perr)
			}
			return fmt.Errorf("%w (the keyring was put back as it was)", err)
		}
		if oldBackend != "" && oldBackend != b {
			// The profile moved to another backend: the old item would otherwise linger there.
			if _, err := s.removeItem(ctx, oldBackend, itemKey(oldBackend, name)); err != nil {
				s.log.Debug("old keyring item not removed", "profile", name, "backend", oldBackend, "err", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save profile %q: %w", name, err)
	}
	s.log.Debug("profile saved", "profile", name, "backend", b)
	return nil
}

// UpdateSecret changes a stored profile's keyring item only if it still holds the issuer and
// the four credential values of expect (compare and swap): under the config lock it re-reads
// the item, applies fn, writes it back, and reports whether it wrote. It is how a command
// records what it learnt (a refreshed token, rediscovered endpoints) without ever writing them
// over credentials that a concurrent Save replaced meanwhile: Save holds the same lock. fn may
// change only Cache. A profile removed meanwhile is not an error: nothing is written. The
// lock is held as in Save (one read, one write).
func (s *Store) UpdateSecret(ctx context.Context, name string, expect Secret, fn func(*Secret)) (bool, error) {
	if err := ValidProfileName(name); err != nil {
		return false, err
	}
	cfg, err := s.Config()
	if err != nil {
		s.log.Debug("config unreadable; using the default backend", "err", err)
	}
	b := s.backendFor(name, cfg)
	if err := s.prepare(ctx, b); err != nil {
		return false, err
	}
	wrote := false
	err = withConfigLock(filepath.Dir(s.configPath), func() error {
		cur, err := s.loadFrom(ctx, b, name)
		if errors.Is(err, ErrNotFound) {
			s.log.Debug("secret not updated: the profile was removed", "profile", name)
			return nil
		}
		if err != nil {
			return err
		}
		if !cur.SameIdentity(expect) {
			s.log.Debug("secret not updated: the profile's credentials or issuer changed", "profile", name)
			return nil
		}
		next := cur
		if cur.Cache != nil {
			c := *cur.Cache
			next.Cache = &c // fn gets its own copy
		}
		fn(&next)
		if !next.SameIdentity(cur) {
			return errors.New("the update changed the credentials; use Save to store new ones")
		}
		data, err := encodeSecret(b, name, next)
		if err != nil {
			return fmt.Errorf("encode credentials: %w", err)
		}
		if err := s.setItem(ctx, b, secretItem(b, name, data)); err != nil {
			return err
		}
		wrote = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("update profile %q: %w", name, err)
	}
	return wrote, nil
}

// Delete removes a profile from the config and from the keyring, both under the config lock
// (so a concurrent UpdateSecret cannot bring the item back); the error wraps ErrNotFound when
// neither had it. If it was the default profile, the first remaining one (by name) becomes the
// default, as `gh auth logout` switches to another account. The config entry goes first: a
// process killed between the two leaves a keyring item without a config entry, which Orphans
// reports (and a second Delete removes), never a config entry without its credentials. If
// the keyring refuses, the entry is put back.
func (s *Store) Delete(ctx context.Context, name string) error {
	if err := ValidProfileName(name); err != nil {
		return err
	}
	cfg, err := s.Config()
	if err != nil {
		return err
	}
	b := s.backendFor(name, cfg)
	removed, inConfig := false, false
	err = withConfigLock(filepath.Dir(s.configPath), func() error {
		c, err := readConfig(s.configPath)
		if err != nil {
			return err
		}
		if _, ok := c.Profiles[name]; ok {
			inConfig = true
			without := c.clone()
			delete(without.Profiles, name)
			if without.DefaultProfile == name {
				without.DefaultProfile = ""
				if names := sortedNames(without); len(names) > 0 {
					without.DefaultProfile = names[0]
				}
			}
			if err := writeConfig(s.configPath, without); err != nil {
				return fmt.Errorf("remove profile %q from the config: %w", name, err)
			}
			crashPoint("delete: entry taken out")
		}
		if removed, err = s.removeItem(ctx, b, itemKey(b, name)); err != nil {
			if inConfig {
				if perr := writeConfig(s.configPath, c); perr != nil {
					return fmt.Errorf("%w; putting the config entry back also failed: %v", err, perr)
				}
			}
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !removed && !inConfig {
		return fmt.Errorf("profile %q: %w", name, ErrNotFound)
	}
	s.log.Debug("profile deleted", "profile", name, "backend", b, "keyring", removed, "config", inConfig)
	return nil
}

// crashPoint names a step between two writes that a killed process may stop after; tests
// replace it to stop there (it is a no-op otherwise).
var crashPoint = func(step string) {}

// UpdateMeta changes a profile's metadata under the config lock (read, fn, write), so a
// concurrent save of another profile is never lost. The error wraps ErrNotFound when the
// profile is not in the config.
func (s *Store) UpdateMeta(name string, fn func(*Meta)) error {
	return s.updateConfig(func(c *Config) (bool, error) {
		m, ok := c.Profiles[name]
		if !ok {
			return false, fmt.Errorf("profile %q: %w", name, ErrNotFound)
		}
		fn(&m)
		c.Profiles[name] = m
		return true, nil
	})
}

// UpdateMetasIf applies several check results in one locked write of the config file (check
// --all records every result at once instead of rewriting the file per profile). Each update
// is applied only while the profile's entry still has the issuer, client ID and access key ID
// the check ran with: a result computed for credentials that a concurrent setup replaced is
// dropped, never written over the new entry. Profiles that no longer exist are skipped (they
// were removed while being checked). It returns the names whose update was applied.
func (s *Store) UpdateMetasIf(updates map[string]MetaUpdate) ([]string, error) {
	var applied []string
	err := s.updateConfig(func(c *Config) (bool, error) {
		applied = applied[:0]
		for name, u := range updates {
			m, ok := c.Profiles[name]
			if !ok || u.Apply == nil {
				continue
			}
			if !u.matches(m) {
				s.log.Debug("check result not recorded: the profile changed while it was checked", "profile", name)
				continue
			}
			u.Apply(&m)
			// The identity is the entry's, not the update's to change.
			m.Issuer, m.ClientID, m.AccessKeyID = u.Issuer, u.ClientID, u.AccessKeyID
			c.Profiles[name] = m
			applied = append(applied, name)
		}
		return len(applied) > 0, nil
	})
	sort.Strings(applied)
	return applied, err
}

// SetDefault makes name the default profile; the error wraps ErrNotFound when it does not exist.
func (s *Store) SetDefault(name string) error {
	return s.updateConfig(func(c *Config) (bool, error) {
		if _, ok := c.Profiles[name]; !ok {
			return false, fmt.Errorf("profile %q: %w", name, ErrNotFound)
		}
		c.DefaultProfile = name
		return true, nil
	})
}

// updateConfig is the locked read-modify-write of config.json; fn reports whether it changed
// anything (nothing is written otherwise).
func (s *Store) updateConfig(fn func(*Config) (bool, error)) error {
	return withConfigLock(filepath.Dir(s.configPath), func() error {
		c, err := readConfig(s.configPath)
		if err != nil {
			return err
		}
		changed, err := fn(&c)
		if err != nil || !changed {
			return err
		}
		return writeConfig(s.configPath, c)
	})
}
