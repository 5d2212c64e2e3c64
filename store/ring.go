package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/99designs/keyring"
)

// ring is one keyring backend as the Store uses it. There are exactly two: libRing, an OS
// keyring through github.com/99designs/keyring with each call bounded by the keyring timeout,
// and fileRing (filering.go), the encrypted-file keyring, which owns its passphrase and key.
// ringFor is the only place that picks one; everything above works on a ring.
type ring interface {
	// prepare does, before the config lock is taken, what may ask a person something (the
	// file keyring's passphrase); nil when nothing needs asking.
	prepare(ctx context.Context) error
	// get reads an item; keyring.ErrKeyNotFound when there is none.
	get(ctx context.Context, key string) (keyring.Item, error)
	// getEach reads several items, calling fn once per key (possibly from several goroutines)
	// with the item or the error get would return.
	getEach(ctx context.Context, keys []string, fn func(i int, item keyring.Item, err error))
	set(ctx context.Context, item keyring.Item) error
	// remove deletes an item and reports whether there was one.
	remove(ctx context.Context, key string) (bool, error)
	// profiles lists the profile names that have an item (at most maxOrphans).
	profiles(ctx context.Context) ([]string, error)
	// snapshot records an item before it is overwritten and returns what puts it back (or
	// removes the new one when there was none).
	snapshot(ctx context.Context, key string) (func(context.Context) error, error)
	// folder is the keyring folder the config records, "" for an OS keyring.
	folder() string
}

// ringFor is the ring of backend b (the encrypted-file keyring's is made once per Store).
func (s *Store) ringFor(b string) ring {
	if b != BackendFile {
		return libRing{s: s, b: b}
	}
	return s.fileKeyring()
}

// fileKeyring is the Store's encrypted-file keyring, made on first use.
func (s *Store) fileKeyring() *fileRing {
	dir := s.FileDir()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		s.file = &fileRing{dir: dir, opts: s.opts, log: s.log, getenv: s.getenv, call: s.call}
	}
	return s.file
}

// itemKey is the keyring key of a profile. On Windows the encrypted-file backend uses
// "profile_NAME", because ':' cannot appear in a Windows file name (it would open an NTFS
// alternate data stream); profile names never contain '_' in that position, so it is unambiguous.
func itemKey(backend, name string) string { return keyFor(backend, keyPrefix+name) }

// keyFor is key as backend b stores it: the encrypted-file keyring on Windows cannot have ':'
// in a file name (it would open an NTFS stream), so its first ':' becomes '_' there.
func keyFor(b, key string) string {
	if b == BackendFile && runtime.GOOS == "windows" {
		return strings.Replace(key, ":", "_", 1)
	}
	return key
}

// fitsIn reports whether an item document of this size can be stored in backend b and read
// back: Windows Credential Manager holds 2,560 bytes per credential, a file keyring item is
// read up to maxItemSize once sealed (fitsFile). encodeSecret asks it without opening a ring.
func fitsIn(b, key string, data []byte) bool {
	if b == BackendFile {
		return fitsFile(key, data)
	}
	return b != BackendWinCred || len(data) <= wincredMaxBlob
}

// The Store's keyring operations, each on the ring of backend b (store.go and cyclr.go use
// these).

func (s *Store) prepare(ctx context.Context, b string) error { return s.ringFor(b).prepare(ctx) }

func (s *Store) getItem(ctx context.Context, b, key string) (keyring.Item, error) {
	return s.ringFor(b).get(ctx, key)
}

func (s *Store) setItem(ctx context.Context, b string, item keyring.Item) error {
	return s.ringFor(b).set(ctx, item)
}

func (s *Store) removeItem(ctx context.Context, b, key string) (bool, error) {
	return s.ringFor(b).remove(ctx, key)
}

func (s *Store) snapshot(ctx context.Context, b, key string) (func(context.Context) error, error) {
	return s.ringFor(b).snapshot(ctx, key)
}

// maxSnapshotSize bounds the copy Save keeps of the file item it overwrites.
const maxSnapshotSize = 16 << 20

// wincredMaxBlob is the most Windows Credential Manager stores in one credential.
const wincredMaxBlob = 2560

// libRing is an OS keyring through the keyring library: the handle is opened once per Store
// (s.rings) and every call is bounded by the keyring timeout (Store.call).
type libRing struct {
	s *Store
	b string
}

func (libRing) prepare(context.Context) error { return nil }
func (libRing) folder() string                { return "" }

func (r libRing) get(ctx context.Context, key string) (keyring.Item, error) {
	kr, err := r.s.libKeyring(ctx, r.b)
	if err != nil {
		return keyring.Item{}, err
	}
	var item keyring.Item
	err = r.s.call(ctx, r.b, "load", func() error {
		var err error
		item, err = kr.Get(key)
		return err
	})
	if err != nil {
		return keyring.Item{}, err
	}
	return item, nil
}

// getEach reads the keys one after the other; a backend that fails to open or times out
// fails the remaining keys at once instead of once per key.
func (r libRing) getEach(ctx context.Context, keys []string, fn func(int, keyring.Item, error)) {
	var fail error
	for i, key := range keys {
		if fail != nil {
			fn(i, keyring.Item{}, fail)
			continue
		}
		item, err := r.get(ctx, key)
		fn(i, item, err)
		var ke *KeyringError
		if err != nil && errors.As(err, &ke) && (ke.Op == "open" || errors.Is(err, ErrKeyringTimeout)) || ctx.Err() != nil {
			fail = err
		}
	}
}

func (r libRing) set(ctx context.Context, item keyring.Item) error {
	kr, err := r.s.libKeyring(ctx, r.b)
	if err != nil {
		return err
	}
	return r.s.call(ctx, r.b, "save", func() error { return kr.Set(item) })
}

func (r libRing) remove(ctx context.Context, key string) (bool, error) {
	kr, err := r.s.libKeyring(ctx, r.b)
	if err != nil {
		return false, err
	}
	if r.b == BackendSecretService {
		// The library's Remove succeeds silently when nothing matches; look first.
		if _, err := r.get(ctx, key); errors.Is(err, keyring.ErrKeyNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	err = r.s.call(ctx, r.b, "delete", func() error { return kr.Remove(key) })
	if errors.Is(err, keyring.ErrKeyNotFound) || errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// profiles uses the library's key listing, bounded by the keyring timeout.
func (r libRing) profiles(ctx context.Context) ([]string, error) {
	kr, err := r.s.libKeyring(ctx, r.b)
	if err != nil {
		return nil, err
	}
	var keys []string
	err = r.s.call(ctx, r.b, "list", func() error {
		var err error
		keys, err = kr.Keys()
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

// snapshot keeps the item as read from the keyring.
func (r libRing) snapshot(ctx context.Context, key string) (func(context.Context) error, error) {
	prev, err := r.get(ctx, key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return func(ctx context.Context) error { _, err := r.remove(ctx, key); return err }, nil
	}
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return r.set(ctx, prev) }, nil
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

// libKeyring opens (once) an OS keyring through the library.
func (s *Store) libKeyring(ctx context.Context, b string) (keyring.Keyring, error) {
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
