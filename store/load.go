package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/99designs/keyring"
)

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
	return s.LoadIn(ctx, cfg, name)
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
// opened once and the passphrase asked once; the encrypted-file backend proves the key on its
// header's verifier first (so a wrong passphrase opens no item) and then opens the items
// concurrently on up to runtime.GOMAXPROCS workers. A backend that fails to open or
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

// loadEach is LoadEach with the config read (LoadEachIn hands in the caller's read).
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
		names := byBackend[b]
		keys := make([]string, len(names))
		for i, n := range names {
			keys[i] = itemKey(b, n)
		}
		s.ringFor(b).getEach(ctx, keys, func(i int, item keyring.Item, err error) {
			if err != nil {
				fn(names[i], LoadResult{Err: s.loadErr(b, names[i], err)})
				return
			}
			sec, err := s.decodeItem(b, names[i], item)
			fn(names[i], LoadResult{Secret: sec, Err: err})
		})
	}
}
