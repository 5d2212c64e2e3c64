// Package store keeps cxone-auth profiles: each profile's credentials as one item in an OS
// keyring (github.com/99designs/keyring, wrapped here and nowhere else), its non-secret
// metadata in config.json, and the encoders that export a profile as env, shell or JSON
// (SPEC sections 6 and 7). It has no UI: passphrases are asked through a PassphraseFunc.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
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

// Options configure a Store. The zero value is usable.
type Options struct {
	Backend    string         // "" = the config's saved backend, else auto; "auto" = the order of SPEC section 6
	FileDir    string         // encrypted-file keyring folder; default: the config's, else DefaultFileDir()
	ConfigDir  string         // default DefaultConfigDir()
	Passphrase PassphraseFunc // used when CXONE_KEYRING_PASSPHRASE is unset; nil = ErrPassphraseRequired
	Timeout    time.Duration  // bound on each keyring call, default 30s
	Logger     *slog.Logger   // debug log; never receives a secret
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

	mu       sync.Mutex
	resolved string                     // backend for new profiles, after auto
	fileDir  string                     // resolved file keyring folder
	rings    map[string]keyring.Keyring // opened non-file backends

	passMu sync.Mutex        // held while asking, so a passphrase is asked once
	pass   map[string]string // verified passphrase per file keyring folder
}

// Open prepares a Store. It validates the options and touches neither the keyring nor the
// disk: the first call that needs the keyring opens it (and asks for a passphrase).
func Open(opts Options) (*Store, error) {
	if opts.Backend != "" {
		if err := ValidBackend(opts.Backend); err != nil {
			return nil, err
		}
	}
	dir := opts.ConfigDir
	if dir == "" {
		dir = DefaultConfigDir()
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
		rings: map[string]keyring.Keyring{}, pass: map[string]string{}}
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
		b, from = autoBackend(), "auto"
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
			s.fileDir = DefaultFileDir()
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
func (s *Store) Config() (Config, error) { return readConfig(s.configPath) }

// Names lists the stored profiles, sorted, from the config.
func (s *Store) Names() ([]string, error) {
	c, err := s.Config()
	if err != nil {
		return nil, err
	}
	return sortedNames(c), nil
}

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

// itemKey is the keyring key of a profile. On Windows the encrypted-file backend uses
// "profile_NAME", because ':' cannot appear in a Windows file name (it would open an NTFS
// alternate data stream); profile names never contain '_' in that position, so it is unambiguous.
func itemKey(backend, name string) string {
	if backend == BackendFile && runtime.GOOS == "windows" {
		return "profile_" + name
	}
	return keyPrefix + name
}

func itemLabel(name string) string { return fmt.Sprintf("CXone credentials (%s)", name) }

// Save stores a profile: the keyring item first, then the config entry (atomically, under the
// config lock). If the config cannot be written, the keyring is put back as it was (the old
// item restored, or the new one removed) and the error reported. The first profile saved
// becomes the default; the backend (and file folder) used is recorded in the config.
func (s *Store) Save(ctx context.Context, name string, sec Secret, meta Meta) error {
	if err := ValidProfileName(name); err != nil {
		return err
	}
	cfg, err := s.Config()
	if err != nil {
		return err // a corrupt config is reported before anything is written
	}
	b := s.backendFor(name, cfg)
	if sec.Version == 0 {
		sec.Version = secretVersion
	}
	data, err := json.Marshal(sec)
	if err != nil {
		return fmt.Errorf("encode credentials: %w", err)
	}
	key := itemKey(b, name)
	item := keyring.Item{Key: key, Data: data, Label: itemLabel(name), Description: "CXone API credentials",
		KeychainNotSynchronizable: true}

	prev, err := s.getItem(ctx, b, key)
	hadPrev := err == nil
	if err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
		return err
	}
	if err := s.setItem(ctx, b, item); err != nil {
		return err
	}
	fileDir := ""
	if b == BackendFile {
		fileDir = s.FileDir()
	}
	var oldBackend string
	err = s.updateConfig(func(c *Config) (bool, error) {
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
		return true, nil
	})
	if err != nil {
		var rerr error
		if hadPrev {
			rerr = s.setItem(context.WithoutCancel(ctx), b, prev)
		} else {
			_, rerr = s.removeItem(context.WithoutCancel(ctx), b, key)
		}
		if rerr != nil {
			return fmt.Errorf("save profile %q: %w; putting the keyring back also failed: %v", name, err, rerr)
		}
		return fmt.Errorf("save profile %q: %w (the keyring was put back as it was)", name, err)
	}
	if oldBackend != "" && oldBackend != b {
		// The profile moved to another backend: the old item would otherwise linger there.
		if _, err := s.removeItem(ctx, oldBackend, itemKey(oldBackend, name)); err != nil {
			s.log.Debug("old keyring item not removed", "profile", name, "backend", oldBackend, "err", err)
		}
	}
	s.log.Debug("profile saved", "profile", name, "backend", b)
	return nil
}

// Load reads a profile's credentials from the keyring; the error wraps ErrNotFound when the
// keyring has no such item.
func (s *Store) Load(ctx context.Context, name string) (Secret, error) {
	if err := ValidProfileName(name); err != nil {
		return Secret{}, err
	}
	cfg, err := s.Config()
	if err != nil {
		// Credentials are still reachable without the metadata; say why the backend may differ.
		s.log.Debug("config unreadable; using the default backend", "err", err)
	}
	b := s.backendFor(name, cfg)
	item, err := s.getItem(ctx, b, itemKey(b, name))
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return Secret{}, fmt.Errorf("profile %q is not in the %s keyring: %w", name, b, ErrNotFound)
	}
	if err != nil {
		return Secret{}, err
	}
	sec, err := decodeSecret(item.Data)
	if err != nil {
		return Secret{}, &KeyringError{Backend: b, Op: "load", Err: fmt.Errorf("profile %q: %w", name, err),
			Hint: "the stored item is damaged; run `cxone-auth setup` to store the profile again"}
	}
	return sec, nil
}

// Delete removes a profile from the keyring and from the config; the error wraps ErrNotFound
// when neither had it. If it was the default profile, the first remaining one (by name)
// becomes the default, as `gh auth logout` switches to another account.
func (s *Store) Delete(ctx context.Context, name string) error {
	if err := ValidProfileName(name); err != nil {
		return err
	}
	cfg, err := s.Config()
	if err != nil {
		return err
	}
	b := s.backendFor(name, cfg)
	removed, err := s.removeItem(ctx, b, itemKey(b, name))
	if err != nil {
		return err
	}
	inConfig := false
	err = s.updateConfig(func(c *Config) (bool, error) {
		if _, ok := c.Profiles[name]; !ok {
			return false, nil
		}
		inConfig = true
		delete(c.Profiles, name)
		if c.DefaultProfile == name {
			c.DefaultProfile = ""
			if names := sortedNames(*c); len(names) > 0 {
				c.DefaultProfile = names[0]
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("remove profile %q from the config: %w", name, err)
	}
	if !removed && !inConfig {
		return fmt.Errorf("profile %q: %w", name, ErrNotFound)
	}
	s.log.Debug("profile deleted", "profile", name, "backend", b, "keyring", removed, "config", inConfig)
	return nil
}

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

// UpdateMetas applies several updates in one locked write of the config file (check --all
// records every result at once instead of rewriting the file per profile). Profiles that no
// longer exist are skipped: they were removed while being checked.
func (s *Store) UpdateMetas(updates map[string]func(*Meta)) error {
	return s.updateConfig(func(c *Config) (bool, error) {
		changed := false
		for name, fn := range updates {
			m, ok := c.Profiles[name]
			if !ok {
				continue
			}
			fn(&m)
			c.Profiles[name] = m
			changed = true
		}
		return changed, nil
	})
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

// call runs one keyring operation bounded by the Store's timeout. A timeout becomes a
// KeyringError naming the backend and how to unlock it; other failures are wrapped likewise,
// except keyring.ErrKeyNotFound, which callers translate.
func (s *Store) call(ctx context.Context, b, op string, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("keyring %s: %s: %w", b, op, err)
	}
	tctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("keyring library failed: %v", r)
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		s.log.Debug("keyring call", "backend", b, "op", op, "took", time.Since(start).Round(time.Millisecond), "ok", err == nil)
		var ke *KeyringError
		if err == nil || errors.Is(err, keyring.ErrKeyNotFound) || errors.As(err, &ke) {
			return err
		}
		return &KeyringError{Backend: b, Op: op, Err: err, Hint: unlockHint(b, s.FileDir())}
	case <-tctx.Done():
		// The call may still be running: never reuse its keyring handle.
		s.mu.Lock()
		delete(s.rings, b)
		s.mu.Unlock()
		if ctx.Err() != nil {
			return fmt.Errorf("keyring %s: %s: %w", b, op, ctx.Err())
		}
		s.log.Debug("keyring call timed out", "backend", b, "op", op, "after", s.timeout)
		return &KeyringError{Backend: b, Op: op, Err: fmt.Errorf("%w (%s)", ErrKeyringTimeout, s.timeout), Hint: unlockHint(b, s.FileDir())}
	}
}

// ring opens (once) a non-file backend.
func (s *Store) ring(ctx context.Context, b string) (keyring.Keyring, error) {
	s.mu.Lock()
	r, ok := s.rings[b]
	s.mu.Unlock()
	if ok {
		return r, nil
	}
	if !compiledIn(b) {
		return nil, &KeyringError{Backend: b, Op: "open", Err: fmt.Errorf("not available on %s", runtime.GOOS), Hint: unlockHint(b, "")}
	}
	if avail, note := probe(b, ""); !avail {
		return nil, &KeyringError{Backend: b, Op: "open", Err: errors.New("not available: " + note), Hint: unlockHint(b, "")}
	}
	err := s.call(ctx, b, "open", func() error {
		var err error
		r, err = keyring.Open(libConfig(b, "", nil))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.rings[b] = r
	s.mu.Unlock()
	return r, nil
}

func (s *Store) getItem(ctx context.Context, b, key string) (keyring.Item, error) {
	if b == BackendFile {
		return s.fileGet(ctx, key)
	}
	r, err := s.ring(ctx, b)
	if err != nil {
		return keyring.Item{}, err
	}
	var item keyring.Item
	err = s.call(ctx, b, "load", func() error {
		var err error
		item, err = r.Get(key)
		return err
	})
	if err != nil {
		return keyring.Item{}, err
	}
	return item, nil
}

func (s *Store) setItem(ctx context.Context, b string, item keyring.Item) error {
	if b == BackendFile {
		return s.fileSet(ctx, item)
	}
	r, err := s.ring(ctx, b)
	if err != nil {
		return err
	}
	return s.call(ctx, b, "save", func() error { return r.Set(item) })
}

// removeItem deletes an item and reports whether there was one.
func (s *Store) removeItem(ctx context.Context, b, key string) (bool, error) {
	if b == BackendFile {
		return s.fileRemove(ctx, key)
	}
	r, err := s.ring(ctx, b)
	if err != nil {
		return false, err
	}
	if b == BackendSecretService {
		// The library's Remove succeeds silently when nothing matches; look first.
		if _, err := s.getItem(ctx, b, key); errors.Is(err, keyring.ErrKeyNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	err = s.call(ctx, b, "delete", func() error { return r.Remove(key) })
	if errors.Is(err, keyring.ErrKeyNotFound) || errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}
