package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/99designs/keyring"
)

// fileRing is the encrypted-file keyring in one folder as a ring (ring.go): it owns what is
// known of that keyring in this process (the passphrase that opened it and its key, filekeyring.go)
// and reads and writes the item files itself. The formats, the creation, the migration and the
// passphrase rules are in filekeyring.go, keyring2.go, migrate.go and docs/keyring.md.
type fileRing struct {
	dir    string // "" when no home folder is known: every call says so (noFileDir)
	opts   Options
	log    *slog.Logger
	getenv func(string) string
	// call bounds one operation by the Store's keyring timeout (Store.call).
	call func(ctx context.Context, b, op string, fn func() error) error

	passMu sync.Mutex // held while a passphrase is asked or proven, so it is asked once
	mu     sync.Mutex // guards st
	st     fileState
}

func (f *fileRing) folder() string { return f.dir }

// prepare asks (or proves, or creates the keyring with) the passphrase, before the config
// lock is taken: holding the lock while a person types would make every other cxone-auth
// process wait on them.
func (f *fileRing) prepare(ctx context.Context) error {
	if f.dir == "" {
		return noFileDir()
	}
	_, err := f.fileKey(ctx, true)
	return err
}

// profiles lists the profiles that have an item file, from the file names alone: no
// passphrase is asked.
func (f *fileRing) profiles(context.Context) ([]string, error) {
	if f.dir == "" {
		return nil, nil
	}
	var out []string
	for _, p := range fileItems(f.dir) {
		if n := profileOfFile(p); n != "" && len(out) < maxOrphans {
			out = append(out, n)
		}
	}
	return out, nil
}

// snapshot keeps the item file's exact bytes (no decryption needed), read with a far higher
// bound than an item may have: an oversized item (which no read accepts) must still be
// overwritable, and put back as it was if the save fails.
func (f *fileRing) snapshot(ctx context.Context, key string) (func(context.Context) error, error) {
	if f.dir == "" {
		return nil, noFileDir()
	}
	name := fileName(key)
	data, err := readFileLimited(filepath.Join(f.dir, name), maxSnapshotSize)
	if errors.Is(err, os.ErrNotExist) {
		return func(ctx context.Context) error { _, err := f.remove(ctx, key); return err }, nil
	}
	if err != nil {
		return nil, fileErr("save", err, unlockHint(BackendFile, f.dir))
	}
	return func(context.Context) error { return writeRawItem(f.dir, name, data) }, nil
}

// getEach reads several items with one key derivation (asked for only when at least one item
// file exists), then opens them concurrently on up to runtime.GOMAXPROCS workers. The key is
// proven on the header first, so a wrong passphrase never costs one decryption per item.
func (f *fileRing) getEach(ctx context.Context, keys []string, fn func(i int, item keyring.Item, err error)) {
	if f.dir == "" {
		for i := range keys {
			fn(i, keyring.Item{}, noFileDir())
		}
		return
	}
	type job struct {
		i    int
		path string
	}
	var jobs []job
	for i, key := range keys {
		path := filepath.Join(f.dir, fileName(key))
		if _, err := os.Lstat(path); err != nil {
			fn(i, keyring.Item{}, keyring.ErrKeyNotFound)
			continue
		}
		jobs = append(jobs, job{i, path})
	}
	if len(jobs) == 0 {
		return
	}
	k, err := f.fileKey(ctx, false)
	if err != nil {
		if errors.Is(err, errNoKeyring) {
			err = keyring.ErrKeyNotFound
		}
		for _, j := range jobs {
			fn(j.i, keyring.Item{}, err)
		}
		return
	}
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	var wg sync.WaitGroup
	next := make(chan job)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				item, err := f.fileLoadWith(ctx, j.path, keys[j.i], k)
				fn(j.i, item, err)
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
}

// get reads the item key from the keyring folder.
func (f *fileRing) get(ctx context.Context, key string) (keyring.Item, error) {
	dir := f.dir
	if dir == "" {
		return keyring.Item{}, noFileDir()
	}
	path := filepath.Join(dir, fileName(key))
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return keyring.Item{}, keyring.ErrKeyNotFound // no passphrase needed to know that
	}
	k, err := f.fileKey(ctx, false)
	if errors.Is(err, errNoKeyring) {
		return keyring.Item{}, keyring.ErrKeyNotFound
	}
	if err != nil {
		return keyring.Item{}, err
	}
	return f.fileLoadWith(ctx, path, key, k)
}

// fileLoadWith opens the item key at path with k (bounded by the keyring timeout) and turns a
// failure into an error naming the file.
func (f *fileRing) fileLoadWith(ctx context.Context, path, key string, k *ringKey) (keyring.Item, error) {
	var item keyring.Item
	err := f.call(ctx, BackendFile, "load", func() error {
		data, err := readItemFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return keyring.ErrKeyNotFound
		}
		if err != nil {
			return err
		}
		if !is2(data) && jweShaped(data) {
			return fileErr("load", fmt.Errorf("%s: %w", path, errOldFormatItem),
				"it could not be upgraded with the keyring's passphrase, or an older cxone-auth wrote it; remove the profile with `cxone-auth remove` and set it up again")
		}
		item, err = k.open2(data, key)
		switch {
		case errors.Is(err, errCorruptItem):
			return fileErr("load", fmt.Errorf("%s: %w", path, err), "move the damaged file away, or remove the profile with `cxone-auth remove` and set it up again")
		case errors.Is(err, ErrItemMismatch):
			return fileErr("load", fmt.Errorf("%s: %w", path, err), "nothing was read from it; remove the profile with `cxone-auth remove` and set it up again")
		}
		return err
	})
	if err != nil {
		return keyring.Item{}, err
	}
	return item, nil
}

// set writes an item into the keyring folder: sealed first, then, under the keyring lock
// (and only while keyring.json is still the header the key belongs to), written to a temp
// file, synced and renamed into place.
func (f *fileRing) set(ctx context.Context, item keyring.Item) error {
	dir := f.dir
	if dir == "" {
		return noFileDir()
	}
	k, err := f.fileKey(ctx, true)
	if err != nil {
		return err
	}
	return f.call(ctx, BackendFile, "save", func() error {
		data, err := k.seal2(item)
		if err != nil {
			return err
		}
		if len(data) > maxItemSize {
			return fmt.Errorf("the item %s would be %d bytes, more than the %d a keyring file may have", item.Key, len(data), maxItemSize)
		}
		return withLock(filepath.Join(dir, keyringLockName), func() error {
			if err := finishMigration(dir); err != nil {
				return err
			}
			if hdr, err := readHeader(dir); err != nil || !bytes.Equal(hdr, k.hdrData) {
				return fileErr("save", errors.New("the keyring's header keyring.json changed while this command ran"),
					"nothing was written; run the command again")
			}
			f.cleanKeyringDir(dir)
			return replaceFile(filepath.Join(dir, fileName(item.Key)), data)
		})
	})
}

// fitsFile reports whether an item with this key and data stays within maxItemSize once
// sealed, so it can be read back.
func fitsFile(key string, data []byte) bool {
	doc, err := json.Marshal(keyring.Item{Key: key, Data: data, Label: itemLabel(strings.TrimPrefix(key, keyPrefix)),
		Description: "CXone API credentials", KeychainNotSynchronizable: true})
	return err == nil && sealedSize2(len(doc)+64) <= maxItemSize
}

// writeRawItem puts back the exact bytes of an item file (a rollback). Callers hold the
// config lock; the keyring lock is taken here.
func writeRawItem(dir, name string, data []byte) error {
	return withLock(filepath.Join(dir, keyringLockName), func() error {
		return replaceFile(filepath.Join(dir, name), data)
	})
}

// remove deletes an item file and reports whether there was one. No passphrase is needed.
func (f *fileRing) remove(ctx context.Context, key string) (bool, error) {
	dir := f.dir
	if dir == "" {
		return false, noFileDir()
	}
	removed := false
	err := f.call(ctx, BackendFile, "delete", func() error {
		if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		// Under the keyring lock, after any migration a killed process left half done: its
		// staged copy of the item would otherwise come back when the migration finishes.
		return withLock(filepath.Join(dir, keyringLockName), func() error {
			if err := finishMigration(dir); err != nil {
				return err
			}
			err := os.Remove(filepath.Join(dir, fileName(key)))
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			removed = err == nil
			return err
		})
	})
	if err != nil {
		return false, err
	}
	return removed, nil
}
