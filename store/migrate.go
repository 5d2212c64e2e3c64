package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Migration of a format-1 keyring (the keyring library's JWE files) to format 2, done by the
// first command that opens it with the passphrase (docs/keyring.md, "Migration"). A kill at
// any moment leaves the old keyring or the new one whole:
//
//  1. under the keyring lock, the passphrase is proven on the old keyring (nothing is written
//     if it is wrong);
//  2. every item it opens is sealed in format 2 into the staging folder .migrate-2, and the
//     new header is written there last; all synced;
//  3. the commit: the header is renamed from the staging folder into the keyring folder. Before
//     it, the folder is the old keyring (a staging folder without a header in the keyring
//     folder is thrown away); after it, the new one;
//  4. the staged items are renamed over the old ones and the staging folder removed. A kill
//     here leaves a committed header with the staging folder: every command finishes the
//     renames (finishMigration, under the lock, no passphrase needed) before it reads, writes
//     or removes anything.
//
// An item the passphrase does not open (damaged, or written with another passphrase) is left
// as it is, and said so; it then reads as an item of the earlier format.

// migrate upgrades the format-1 keyring in dir, under the keyring lock, and returns the new
// key.
func (f *fileRing) migrate(dir, pass string) (*ringKey, error) {
	var k *ringKey
	err := withLock(filepath.Join(dir, keyringLockName), func() error {
		if err := finishMigration(dir); err != nil {
			return err
		}
		hdr, err := readHeader(dir)
		if err != nil {
			return err
		}
		if hdr != nil { // another process migrated it meanwhile
			k, err = keyFromPass(pass, hdr)
			if errors.Is(err, ErrWrongPassphrase) {
				return f.wrongPassphrase(dir)
			}
			return err
		}
		if err := f.verifyPass(dir, pass); err != nil {
			return err
		}
		k, err = f.migrateLocked(dir, pass)
		return err
	})
	return k, err
}

// migrateLocked does steps 2 to 4 with a proven passphrase. Callers hold the keyring lock.
func (f *fileRing) migrateLocked(dir, pass string) (*ringKey, error) {
	stage := filepath.Join(dir, migrateDirName)
	if err := os.RemoveAll(stage); err != nil {
		return nil, err
	}
	if err := os.Mkdir(stage, 0o700); err != nil {
		return nil, err
	}
	k, err := newKeyring(pass)
	if err != nil {
		return nil, err
	}
	paths := fileItems(dir)
	if markerExists(dir) {
		paths = append(paths, markerPath(dir))
	}
	var left []string
	moved := 0
	for _, path := range paths {
		name := filepath.Base(path)
		item, err := decryptFile1(path, pass)
		if err != nil || item.Key != keyFromFile(name) {
			left = append(left, name)
			continue
		}
		if item.Key == markerKey {
			item.Data, _ = json.Marshal(markerDoc{Version: 2, Created: markerCreated(item.Data)})
		}
		data, err := k.seal2(item)
		if err != nil {
			return nil, err
		}
		if err := replaceFile(filepath.Join(stage, name), data); err != nil {
			return nil, err
		}
		moved++
		crashPoint("migrate: item staged")
	}
	if !markerExists(dir) {
		if err := f.writeMarker(stage, k); err != nil {
			return nil, err
		}
	}
	if err := replaceFile(filepath.Join(stage, headerName), k.hdrData); err != nil {
		return nil, err
	}
	syncDir(stage)
	f.log.Debug("file keyring migration staged", "dir", dir, "items", moved)
	crashPoint("migrate: staged")
	if err := renameFile(filepath.Join(stage, headerName), filepath.Join(dir, headerName)); err != nil {
		return nil, err
	}
	syncDir(dir)
	f.log.Debug("file keyring migration committed", "dir", dir)
	crashPoint("migrate: header committed")
	if err := finishMigration(dir); err != nil {
		return nil, err
	}
	f.log.Debug("file keyring migration finished", "dir", dir, "items", moved, "left", len(left))
	msg := fmt.Sprintf("cxone-auth: the keyring in %s was upgraded to format 2 (Argon2id, AES-256-GCM); %d items rewritten", dir, moved)
	if len(left) > 0 {
		msg += fmt.Sprintf("; left as they were (they do not open with this passphrase or are damaged): %s", strings.Join(left, ", "))
	}
	f.notice(msg)
	return k, nil
}

// markerCreated is the creation time of a format-1 marker document (zero if unreadable).
func markerCreated(data []byte) (t time.Time) {
	var doc markerDoc
	if json.Unmarshal(data, &doc) == nil {
		t = doc.Created
	}
	return t
}

// finishMigration completes what a migration killed after its commit left: the staged items
// are renamed into place and the staging folder removed. A staging folder without a committed
// header is the leftover of a migration killed before its commit, and is thrown away.
// Callers hold the keyring lock.
func finishMigration(dir string) error {
	stage := filepath.Join(dir, migrateDirName)
	fi, err := os.Lstat(stage)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return os.Remove(stage) // not ours to follow
	}
	committed := false
	if hi, err := os.Lstat(filepath.Join(dir, headerName)); err == nil && hi.Mode().IsRegular() {
		committed = true
	}
	if committed {
		entries, err := os.ReadDir(stage)
		if err != nil {
			return err
		}
		for _, e := range entries {
			n := e.Name()
			if !e.Type().IsRegular() || strings.HasPrefix(n, ".") || n == headerName {
				continue
			}
			if err := renameFile(filepath.Join(stage, n), filepath.Join(dir, n)); err != nil {
				return err
			}
			crashPoint("migrate: item moved")
		}
		syncDir(dir)
	}
	return os.RemoveAll(stage)
}

// settle finishes a half-done migration before the keyring is read: a Lstat when there is
// none, the keyring lock only when there is.
func (f *fileRing) settle(dir string) error {
	if _, err := os.Lstat(filepath.Join(dir, migrateDirName)); err != nil {
		return nil
	}
	return withLock(filepath.Join(dir, keyringLockName), func() error { return finishMigration(dir) })
}

// notice tells the person something once (on stderr, through Options.Notice).
func (f *fileRing) notice(msg string) {
	if f.opts.Notice != nil {
		f.opts.Notice(msg)
	}
}

// agentKey asks the unlock agent (Options.Unlocked) for the key of the keyring in dir and
// checks it against the header: nil when there is no agent, it has no key for dir, or the key
// does not match.
func (f *fileRing) agentKey(ctx context.Context, dir string, hdr []byte) *ringKey {
	if f.opts.Unlocked == nil {
		return nil
	}
	master := f.opts.Unlocked(ctx, dir, hdr)
	if master == nil {
		return nil
	}
	defer clear(master)
	k, err := keyFromMaster(master, hdr)
	if err != nil {
		f.log.Debug("the unlock agent's key does not open the keyring", "dir", dir)
		return nil
	}
	f.log.Debug("file keyring key from the unlock agent", "dir", dir)
	return k
}

// UnlockKey returns what the unlock agent holds for the encrypted-file keyring of this Store:
// its folder, its header keyring.json and its master key (derived from the passphrase once,
// or taken from a running agent), after migrating a format-1 keyring. The caller owns the
// returned slices and should clear the key when done.
func (s *Store) UnlockKey(ctx context.Context) (dir string, header, key []byte, err error) {
	f := s.fileKeyring()
	dir = f.dir
	if dir == "" {
		return "", nil, nil, noFileDir()
	}
	k, err := f.fileKey(ctx, false)
	if errors.Is(err, errNoKeyring) {
		return "", nil, nil, fileErr("unlock", fmt.Errorf("no encrypted-file keyring in %s yet", dir), "run `cxone-auth setup` first")
	}
	if err != nil {
		return "", nil, nil, err
	}
	return dir, bytes.Clone(k.hdrData), bytes.Clone(k.master), nil
}
