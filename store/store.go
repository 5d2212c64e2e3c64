// Package store keeps cxone-auth profiles: each profile's credentials as one item in an OS
// keyring (github.com/99designs/keyring, wrapped here and nowhere else, or the encrypted-file
// keyring in filekeyring.go), its non-secret metadata in config.json, and the encoders that
// export a profile as env, shell or JSON. It has no UI: passphrases are asked through a
// PassphraseFunc. It never reads the process environment: variables come through
// Options.Getenv.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
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
	rings    map[string]keyring.Keyring // opened non-file backends

	passMu sync.Mutex            // held while a passphrase is asked or proven, so it is asked once
	fmu    sync.Mutex            // guards files
	files  map[string]*fileState // per file keyring folder: passphrase and what is known of it
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
		getenv: getenv, rings: map[string]keyring.Keyring{}, files: map[string]*fileState{}}
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

// wincredMaxBlob is the most Windows Credential Manager stores in one credential.
const wincredMaxBlob = 2560

// encodeSecret is the keyring document of sec for profile name in backend b; it names the
// profile, so an item moved to another profile's place is refused when read (decodeItem).
// Windows Credential Manager holds at most 2,560 bytes per credential, and the encrypted-file
// keyring reads at most maxItemSize per file: a cached token that would not fit is left out
// (the cache is only a shortcut), then the whole cache.
func encodeSecret(b, name string, sec Secret) ([]byte, error) {
	if sec.Version == 0 {
		sec.Version = secretVersion
	}
	fits := func(data []byte) bool {
		switch b {
		case BackendWinCred:
			return len(data) <= wincredMaxBlob
		case BackendFile:
			return fitsFile(itemKey(b, name), data)
		}
		return true
	}
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

// prepare does, before the config lock is taken, what may ask a person something: the file
// keyring's passphrase (asked, proven, or the keyring created). Holding the lock while a
// person types would make every other cxone-auth process wait on them.
func (s *Store) prepare(ctx context.Context, b string) error {
	if b != BackendFile {
		return nil
	}
	dir := s.FileDir()
	if dir == "" {
		return s.noFileDir()
	}
	_, err := s.fileKey(ctx, dir, true)
	return err
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
	if err := s.prepare(ctx, b); err != nil {
		return err
	}
	fileDir := ""
	if b == BackendFile {
		fileDir = s.FileDir()
	}
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
		restore, err := s.snapshot(ctx, b, item.Key)
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
		if err := s.setItem(ctx, b, item); err != nil {
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

// maxSnapshotSize bounds the copy Save keeps of the file item it overwrites.
const maxSnapshotSize = 16 << 20

// snapshot records an item before it is overwritten and returns what puts it back. For the
// file backend that is the file's exact bytes (no decryption needed); elsewhere the item read
// from the keyring.
func (s *Store) snapshot(ctx context.Context, b, key string) (func(context.Context) error, error) {
	if b == BackendFile {
		dir := s.FileDir()
		name := fileName(key)
		// Read with a far higher bound than an item may have: an oversized item (which no read
		// accepts) must still be overwritable, and put back as it was if the save fails.
		data, err := readFileLimited(filepath.Join(dir, name), maxSnapshotSize)
		if errors.Is(err, os.ErrNotExist) {
			return func(ctx context.Context) error { _, err := s.removeItem(ctx, b, key); return err }, nil
		}
		if err != nil {
			return nil, s.fileErr("save", err, unlockHint(BackendFile, dir))
		}
		return func(context.Context) error { return writeRawItem(dir, name, data) }, nil
	}
	prev, err := s.getItem(ctx, b, key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return func(ctx context.Context) error { _, err := s.removeItem(ctx, b, key); return err }, nil
	}
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return s.setItem(ctx, b, prev) }, nil
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

// Load reads a profile's credentials from the keyring; the error wraps ErrNotFound when the
// keyring has no such item. With the encrypted-file backend it costs one decryption.
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

// ErrProfileMismatch reports a keyring item whose issuer, client ID or access key ID differ
// from its profile's config entry while the item does not name its profile (it was saved by
// an older cxone-auth): another profile's item moved into its place cannot be told from an
// edited config, so it is refused, never used (docs/keyring.md, "Item binding").
var ErrProfileMismatch = errors.New("the keyring item does not match the profile's config entry")

// checkBinding holds an item read for profile name to its config entry. An item that names
// its profile was already held to that name (decodeItem): a difference from the entry then
// means the config file was edited (the item is what is used, as ever). An older item that
// names no profile is refused when its issuer, client ID or access key ID differ from the
// entry: it may be another profile's. Save keeps the two in step (it takes an entry out
// before it writes an item of another identity), so neither is ever the product's own doing.
// A profile without an entry (an orphan) and the fields an older entry lacks are not compared.
func (s *Store) checkBinding(b, name string, sec Secret, cfg Config) error {
	m, ok := cfg.Profiles[name]
	if !ok {
		return nil
	}
	var diff []string
	for _, f := range []struct{ what, entry, item string }{
		{"issuer", m.Issuer, sec.Issuer}, {"client ID", m.ClientID, sec.ClientID}, {"access key ID", m.AccessKeyID, sec.AccessKeyID},
	} {
		if f.entry != "" && f.entry != f.item {
			diff = append(diff, f.what)
		}
	}
	if len(diff) == 0 {
		return nil
	}
	if sec.named {
		s.log.Debug("config entry differs from the keyring item; the item is used", "profile", name, "fields", strings.Join(diff, ", "))
		return nil
	}
	return &KeyringError{Backend: b, Op: "load", Err: fmt.Errorf("profile %q: %w (%s differ)", name, ErrProfileMismatch, strings.Join(diff, ", ")),
		Hint: "nothing was used from it; if you did not change it, someone swapped keyring items: remove the profile with `cxone-auth remove` and set it up again"}
}

// loadFrom reads and decodes profile name from backend b.
func (s *Store) loadFrom(ctx context.Context, b, name string) (Secret, error) {
	item, err := s.getItem(ctx, b, itemKey(b, name))
	if err != nil {
		return Secret{}, s.loadErr(b, name, err)
	}
	return s.decodeItem(b, name, item)
}

func (s *Store) loadErr(b, name string, err error) error {
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return fmt.Errorf("profile %q is not in the %s keyring: %w", name, b, ErrNotFound)
	}
	return err
}

func (s *Store) decodeItem(b, name string, item keyring.Item) (Secret, error) {
	sec, err := decodeSecretFor(item.Data, name)
	if errors.Is(err, errOtherProfile) {
		return Secret{}, &KeyringError{Backend: b, Op: "load", Err: fmt.Errorf("profile %q: %w", name, err),
			Hint: "nothing was used from it; someone moved another profile's item into its place: remove the profile with `cxone-auth remove` and set it up again"}
	}
	if err != nil {
		return Secret{}, &KeyringError{Backend: b, Op: "load", Err: fmt.Errorf("profile %q: %w", name, err),
			Hint: "the stored item is damaged; run `cxone-auth setup` to store the profile again"}
	}
	return sec, nil
}

// LoadResult is one profile's outcome of LoadMany: its Secret, or Err (wrapping ErrNotFound
// when the keyring has no such item).
type LoadResult struct {
	Secret Secret
	Err    error
}

// LoadMany reads several profiles at once, for commands that work on many. Each backend is
// opened once and the passphrase asked once; the encrypted-file backend first decrypts one
// item alone (so a wrong passphrase costs one decryption, not one per profile) and then the
// others concurrently on up to runtime.GOMAXPROCS workers. A backend that fails to open or
// times out fails its remaining profiles at once instead of once per profile.
func (s *Store) LoadMany(ctx context.Context, names []string) map[string]LoadResult {
	out := make(map[string]LoadResult, len(names))
	var mu sync.Mutex
	s.LoadEach(ctx, names, func(name string, r LoadResult) {
		mu.Lock()
		out[name] = r
		mu.Unlock()
	})
	return out
}

// LoadEach is LoadMany handing each profile to fn as soon as it is read, so a caller can start
// working on the first profiles (check --all sends their requests) while the others are still
// being decrypted. fn is called once per distinct name, possibly from several goroutines at
// once, and must not block for long: it holds up a decryption worker. LoadEach returns after
// the last call of fn has returned.
func (s *Store) LoadEach(ctx context.Context, names []string, fn func(name string, r LoadResult)) {
	cfg, err := s.Config()
	if err != nil {
		s.log.Debug("config unreadable; using the default backend", "err", err)
	}
	s.loadEach(ctx, cfg, names, fn)
}

// loadEach is LoadEach with the config read.
func (s *Store) loadEach(ctx context.Context, cfg Config, names []string, fn func(name string, r LoadResult)) {
	user := fn
	fn = func(name string, r LoadResult) {
		if r.Err == nil {
			if err := s.checkBinding(s.backendFor(name, cfg), name, r.Secret, cfg); err != nil {
				r = LoadResult{Err: err}
			}
			r.Secret.named = false
		}
		user(name, r)
	}
	seen := make(map[string]bool, len(names))
	byBackend := map[string][]string{}
	var order []string
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if err := ValidProfileName(n); err != nil {
			fn(n, LoadResult{Err: err})
			continue
		}
		b := s.backendFor(n, cfg)
		if _, ok := byBackend[b]; !ok {
			order = append(order, b)
		}
		byBackend[b] = append(byBackend[b], n)
	}
	for _, b := range order {
		if b == BackendFile {
			s.loadEachFile(ctx, byBackend[b], fn)
			continue
		}
		var fail error
		for _, n := range byBackend[b] {
			if fail != nil {
				fn(n, LoadResult{Err: fail})
				continue
			}
			sec, err := s.loadFrom(ctx, b, n)
			fn(n, LoadResult{Secret: sec, Err: err})
			var ke *KeyringError
			if err != nil && errors.As(err, &ke) && (ke.Op == "open" || errors.Is(err, ErrKeyringTimeout)) || ctx.Err() != nil {
				fail = err
			}
		}
	}
}

// loadEachFile is LoadEach for the encrypted-file backend.
func (s *Store) loadEachFile(ctx context.Context, names []string, fn func(string, LoadResult)) {
	dir := s.FileDir()
	if dir == "" {
		for _, n := range names {
			fn(n, LoadResult{Err: s.noFileDir()})
		}
		return
	}
	type job struct{ name, path string }
	var jobs []job
	for _, n := range names {
		path := filepath.Join(dir, fileName(itemKey(BackendFile, n)))
		if _, err := os.Lstat(path); err != nil {
			fn(n, LoadResult{Err: s.loadErr(BackendFile, n, keyring.ErrKeyNotFound)})
			continue
		}
		jobs = append(jobs, job{n, path})
	}
	if len(jobs) == 0 {
		return
	}
	k, err := s.fileKey(ctx, dir, false)
	if err != nil {
		for _, j := range jobs {
			if errors.Is(err, errNoKeyring) {
				fn(j.name, LoadResult{Err: s.loadErr(BackendFile, j.name, keyring.ErrKeyNotFound)})
				continue
			}
			fn(j.name, LoadResult{Err: err})
		}
		return
	}
	one := func(j job) LoadResult {
		item, err := s.fileLoadWith(ctx, j.path, itemKey(BackendFile, j.name), k)
		if err != nil {
			return LoadResult{Err: s.loadErr(BackendFile, j.name, err)}
		}
		sec, err := s.decodeItem(BackendFile, j.name, item)
		return LoadResult{Secret: sec, Err: err}
	}
	// The key is proven on the header already: a wrong passphrase never reaches here.
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	var wg sync.WaitGroup
	next := make(chan job)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				fn(j.name, one(j))
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
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
		names, err := s.itemNames(ctx, b)
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

// itemNames lists the profile names that have an item in backend b (at most maxOrphans).
func (s *Store) itemNames(ctx context.Context, b string) ([]string, error) {
	if b == BackendFile {
		dir := s.FileDir()
		if dir == "" {
			return nil, nil
		}
		var out []string
		for _, p := range fileItems(dir) {
			if n := profileOfFile(p); n != "" && len(out) < maxOrphans {
				out = append(out, n)
			}
		}
		return out, nil
	}
	r, err := s.ring(ctx, b)
	if err != nil {
		return nil, err
	}
	var keys []string
	err = s.call(ctx, b, "list", func() error {
		var err error
		keys, err = r.Keys()
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		if n, ok := strings.CutPrefix(k, keyPrefix); ok && ValidProfileName(n) == nil && len(out) < maxOrphans {
			out = append(out, n)
		}
	}
	return out, nil
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
		hint, why := notBuiltIn(b, runtime.GOOS, cgoEnabled)
		return nil, &KeyringError{Backend: b, Op: "open", Err: why, Hint: hint}
	}
	if avail, note := probe(b, "", s.getenv); !avail {
		return nil, &KeyringError{Backend: b, Op: "open", Err: errors.New("not available: " + note), Hint: unlockHint(b, "")}
	}
	err := s.call(ctx, b, "open", func() error {
		var err error
		r, err = keyring.Open(libConfig(b, s.getenv))
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
		return s.fileLoad(ctx, key)
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
