package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/99designs/keyring"
	jose "github.com/dvsekhvalnov/jose2go"
)

// The encrypted-file backend: one file per item, named after its key, in a private folder.
// Format 2 (keyring2.go, docs/keyring.md) holds a header keyring.json with the Argon2id
// parameters, the salt and a verifier, and items sealed with AES-256-GCM under one key per
// keyring with the item's key as associated data. Format 1, the keyring library's (a compact
// JWE per item, PBES2-HS256+A128KW), is read only to be migrated (migrate.go). The store
// reads and writes the files itself:
//   - a new keyring is created under a lock, header first and then a marker item, so two
//     first-time setups cannot create one folder with two passphrases; its passphrase must be
//     long enough and not trivially repetitive (CheckNewPassphrase);
//   - the passphrase is checked against the header's verifier before any item is read or
//     written, so a mistyped passphrase never produces an item nobody can open, and it costs
//     one key derivation per process, whatever the number of items;
//   - an item is written to a temp file in the folder and renamed into place, so a crash never
//     leaves a half-written item, and the folder (0700) and item files (0600) are kept private.

// fileIterations is the PBKDF2 iteration count (PBES2 "p2c") of format-1 items, the library's
// own 8192. cxone-auth writes format-1 items no more (only tests and benchmarks make them);
// reading them for the migration takes the count from each item's header, up to jose2go's cap
// of 1,300,000 rounds.
const fileIterations = 8192

// maxItemSize bounds what is read from one keyring file; a real item is about a kilobyte.
const maxItemSize = 64 << 10

// markerKey is the marker item's key: not "profile:...", so it is never taken for a profile.
const markerKey = "keyring-marker"

// keyringLockName is the lock file in the keyring folder, held while the keyring is created
// and while an item is written. Its leading dot keeps it out of the item listing.
const keyringLockName = ".cxone-auth.lock"

// tmpPrefix starts the names of the temp files (and temp folders) older versions left in the
// keyring folder; the atomic writer's are ".NAME.tmp-*" (tempPrefix).
const tmpPrefix = ".tmp-"

// isKeyringFile reports whether base is the name of a file the keyring folder's writers
// write under the keyring lock: the header, the marker, a profile's or the Cyclr client's
// item. Nothing else in the folder (an export someone writes there) is theirs to clean.
func isKeyringFile(base string) bool {
	key := keyFromFile(base)
	return base == headerName || key == markerKey || profileOfFile(base) != "" || key == cyclrItemKey(BackendFile)
}

// markerDoc is the marker item's content: no secret, only what made the keyring and when.
type markerDoc struct {
	Version int       `json:"version"`
	Created time.Time `json:"created"`
}

// errCorruptItem marks a keyring file that is not an encrypted item at all.
var errCorruptItem = errors.New("not an encrypted keyring item (damaged file)")

// decryptJWE opens one format-1 item (the migration's only use of PBKDF2), and is a seam for
// tests that count decryptions.
var decryptJWE = func(token, pass string) ([]byte, error) {
	payload, _, err := jose.DecodeBytes(token, pass)
	return payload, err
}

// fileState is what a fileRing knows of its keyring: the passphrase that opened it (kept
// only to answer a later question in this process) and the keyring's key.
type fileState struct {
	pass string
	key  *ringKey
}

// fileName is the library's file name for a key (percent-encoding of '/' and '%').
func fileName(key string) string {
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(key)
}

// keyFromFile is the key of an item file name.
func keyFromFile(name string) string {
	return strings.NewReplacer("%2F", "/", "%25", "%").Replace(name)
}

// fileItems lists the profile item files of the keyring folder (sorted paths), ignoring the
// marker, temp files, the lock file and anything else.
func fileItems(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(n, ".") {
			continue
		}
		if strings.HasPrefix(keyFromFile(n), keyFor(BackendFile, keyPrefix)) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out
}

// profileOfFile is the profile name of an item file, or "" when the name is not one.
func profileOfFile(path string) string {
	key := keyFromFile(filepath.Base(path))
	if n, ok := strings.CutPrefix(key, keyFor(BackendFile, keyPrefix)); ok && ValidProfileName(n) == nil {
		return n
	}
	return ""
}

func markerPath(dir string) string { return filepath.Join(dir, fileName(markerKey)) }

func markerExists(dir string) bool {
	fi, err := os.Lstat(markerPath(dir))
	return err == nil && fi.Mode().IsRegular()
}

// keyringExists reports whether the folder holds a keyring (its header, its marker or any
// profile item), i.e. whether its passphrase exists already or is being chosen.
func keyringExists(dir string) bool {
	if fi, err := os.Lstat(filepath.Join(dir, headerName)); err == nil && fi.Mode().IsRegular() {
		return true
	}
	return markerExists(dir) || len(fileItems(dir)) > 0
}

// FileKeyringExists reports whether the encrypted-file keyring in dir already exists, i.e.
// whether its passphrase is asked once (it exists) or chosen and confirmed (it does not). An
// empty dir means DefaultFileDir(getenv); getenv nil is an empty environment.
func FileKeyringExists(dir string, getenv func(string) string) bool {
	if dir == "" {
		dir = DefaultFileDir(getenv)
	}
	if dir == "" {
		return false
	}
	return keyringExists(dir)
}

// jweShaped reports whether data looks like a compact JWE encrypted with a passphrase, so that
// a damaged file can be told apart from a wrong passphrase.
func jweShaped(data []byte) bool {
	parts := strings.Split(string(bytes.TrimSpace(data)), ".")
	if len(parts) != 5 {
		return false
	}
	hdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	return json.Unmarshal(hdr, &h) == nil && strings.HasPrefix(h.Alg, "PBES2")
}

func fileErr(op string, err error, hint string) error {
	return &KeyringError{Backend: BackendFile, Op: op, Err: err, Hint: hint}
}

func (f *fileRing) wrongPassphrase(dir string) error {
	return fileErr("unlock", ErrWrongPassphrase,
		fmt.Sprintf("it does not open the keyring in %s; nothing was changed; try again or check %s", dir, passphraseEnv))
}

// state is what this ring knows of its keyring now.
func (f *fileRing) state() fileState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

// forgetPass drops a passphrase that proved wrong, so the next call asks again.
func (f *fileRing) forgetPass(pass string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.st.pass == pass {
		f.st = fileState{}
	}
}

// remember keeps the passphrase and key that opened (or created) the keyring.
func (f *fileRing) remember(pass string, k *ringKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st = fileState{pass: pass, key: k}
}

// askPass returns the passphrase of the keyring in dir: the one this Store already has, else
// CXONE_KEYRING_PASSPHRASE, else asked through Options.Passphrase (confirmed when creating).
// Callers hold passMu, so concurrent callers ask once.
func (f *fileRing) askPass(ctx context.Context, dir string, creating bool) (string, error) {
	p := f.state().pass
	if p != "" {
		return p, nil
	}
	p, from := f.getenv(passphraseEnv), "env"
	if p == "" {
		if f.opts.Passphrase == nil {
			return "", fileErr("unlock", ErrPassphraseRequired, "keyring folder "+dir)
		}
		prompt := "Passphrase for the keyring in " + dir
		if creating {
			prompt = fmt.Sprintf("New passphrase (at least %d characters) for the keyring in %s", MinPassphraseLen, dir)
		}
		var err error
		if p, err = f.opts.Passphrase(ctx, prompt, creating); err != nil {
			return "", fmt.Errorf("keyring passphrase: %w", err)
		}
		from = "prompt"
	}
	if p == "" {
		return "", fileErr("unlock", ErrEmptyPassphrase, "choose a passphrase for the keyring in "+dir)
	}
	f.log.Debug("file keyring passphrase", "dir", dir, "new", creating, "from", from)
	return p, nil
}

// errNoKeyring is fileKey's answer when there is no keyring to read from.
var errNoKeyring = errors.New("no encrypted-file keyring in this folder")

// fileKey returns the key of the keyring, proven against its header's verifier: the
// one this Store has (while keyring.json is unchanged), else the unlock agent's, else derived
// from the passphrase (asked once). A format-1 keyring is migrated first (that needs the
// passphrase). With create, a missing keyring is created (a new passphrase, its rules
// checked); without, a missing keyring is errNoKeyring. Callers must not hold the config lock
// when the passphrase may still be asked (Save and UpdateSecret call this first).
func (f *fileRing) fileKey(ctx context.Context, create bool) (*ringKey, error) {
	dir := f.dir
	f.passMu.Lock()
	defer f.passMu.Unlock()
	if err := f.settle(dir); err != nil {
		return nil, fileErr("open", err, unlockHint(BackendFile, dir))
	}
	hdr, err := readHeader(dir)
	if err != nil {
		return nil, fileErr("open", err, unlockHint(BackendFile, dir))
	}
	st := f.state()
	if hdr != nil {
		if st.key != nil && bytes.Equal(st.key.hdrData, hdr) {
			return st.key, nil
		}
		if k := f.agentKey(ctx, dir, hdr); k != nil {
			f.remember("", k)
			return k, nil
		}
		pass, err := f.askPass(ctx, dir, false)
		if err != nil {
			return nil, err
		}
		var k *ringKey
		before := derivations.Load()
		start := time.Now()
		err = f.call(ctx, BackendFile, "unlock", func() error {
			var err error
			k, err = keyFromPass(pass, hdr)
			return err
		})
		if derivations.Load() != before {
			f.log.Debug("file keyring key derived", "dir", dir, "took", time.Since(start).Round(time.Millisecond))
		}
		switch {
		case errors.Is(err, ErrWrongPassphrase):
			f.forgetPass(pass)
			return nil, f.wrongPassphrase(dir)
		case errors.Is(err, errHeader):
			return nil, fileErr("open", fmt.Errorf("%s: %w", filepath.Join(dir, headerName), err),
				"the keyring's header is damaged; restore it from a backup (the items cannot be opened without it)")
		case err != nil:
			return nil, err
		}
		f.remember(pass, k)
		return k, nil
	}
	if keyringExists(dir) {
		// Format 1: migrated by the first command that has the passphrase.
		pass, err := f.askPass(ctx, dir, false)
		if err != nil {
			return nil, err
		}
		var k *ringKey
		err = f.call(ctx, BackendFile, "migrate", func() error {
			var err error
			k, err = f.migrate(dir, pass)
			return err
		})
		if err != nil {
			if errors.Is(err, ErrWrongPassphrase) {
				f.forgetPass(pass)
			}
			return nil, err
		}
		f.remember(pass, k)
		return k, nil
	}
	if !create {
		return nil, errNoKeyring
	}
	if st.pass != "" {
		// A passphrase entered to read a keyring that has gone since: choosing a new one is a
		// different question (asked twice, rules checked), so ask it.
		f.forgetPass(st.pass)
	}
	pass, err := f.askPass(ctx, dir, true)
	if err != nil {
		return nil, err
	}
	if err := CheckNewPassphrase(pass); err != nil {
		f.forgetPass(pass)
		return nil, fileErr("create", err, "choose another passphrase for the keyring in "+dir)
	}
	if err := privateDir(dir); err != nil {
		return nil, fileErr("create", err, unlockHint(BackendFile, dir))
	}
	var k *ringKey
	err = f.call(ctx, BackendFile, "create", func() error {
		var err error
		k, err = f.createKeyring(dir, pass)
		return err
	})
	if err != nil {
		return nil, err
	}
	f.remember(pass, k)
	return k, nil
}

// createKeyring makes a new keyring in dir with pass, under the keyring lock: the header, then
// the marker item. Another process may have created it since this one looked: then pass must
// open it (it was asked as a "new" passphrase, so a mismatch means two people or two setups
// chose different ones), and nothing is written if it does not.
func (f *fileRing) createKeyring(dir, pass string) (*ringKey, error) {
	var k *ringKey
	err := withLock(filepath.Join(dir, keyringLockName), func() error {
		if err := finishMigration(dir); err != nil {
			return err
		}
		meanwhile := func(err error) error {
			if errors.Is(err, ErrWrongPassphrase) {
				return fileErr("create", fmt.Errorf("%w: the keyring in %s was created meanwhile by another cxone-auth with another passphrase", ErrWrongPassphrase, dir),
					"nothing was written; run the command again and enter that keyring's passphrase")
			}
			return err
		}
		hdr, err := readHeader(dir)
		if err != nil {
			return err
		}
		if hdr != nil {
			k, err = keyFromPass(pass, hdr)
			return meanwhile(err)
		}
		if keyringExists(dir) {
			if err := f.verifyPass(dir, pass); err != nil {
				return meanwhile(err)
			}
			k, err = f.migrateLocked(dir, pass)
			return err
		}
		f.cleanKeyringDir(dir)
		if k, err = newKeyring(pass); err != nil {
			return err
		}
		if err := replaceFile(filepath.Join(dir, headerName), k.hdrData); err != nil {
			return err
		}
		crashPoint("create: header written")
		return f.writeMarker(dir, k)
	})
	return k, err
}

// writeMarker writes the marker item: no secret, only what made the keyring and when. Callers
// hold the keyring lock.
func (f *fileRing) writeMarker(dir string, k *ringKey) error {
	doc, err := json.Marshal(markerDoc{Version: 2, Created: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	item := keyring.Item{Key: markerKey, Data: doc, Label: "cxone-auth keyring marker",
		Description: "marks this folder as a cxone-auth keyring; holds no secret"}
	data, err := k.seal2(item)
	if err != nil {
		return err
	}
	return replaceFile(filepath.Join(dir, fileName(markerKey)), data)
}

// verifyPass checks pass against the keyring in dir: the marker when there is one, else up to
// three well-formed profile items (three refusals are proof enough). None opening while at
// least one is well formed is a wrong passphrase; only damaged files means the keyring cannot
// be checked, which is reported naming the file.
func (f *fileRing) verifyPass(dir, pass string) error {
	if markerExists(dir) {
		data, err := readItemFile(markerPath(dir))
		if err == nil && jweShaped(data) {
			if _, err := decryptJWE(string(bytes.TrimSpace(data)), pass); err == nil {
				return nil
			}
			return f.wrongPassphrase(dir)
		}
		// A damaged marker proves nothing; fall back to the profile items.
	}
	var damaged string
	tried := 0
	for _, path := range fileItems(dir) {
		data, err := readItemFile(path)
		if err != nil {
			return err
		}
		if !jweShaped(data) {
			if damaged == "" {
				damaged = path
			}
			continue
		}
		tried++
		if _, err := decryptJWE(string(bytes.TrimSpace(data)), pass); err == nil {
			return nil
		}
		if tried >= 3 {
			break
		}
	}
	if tried > 0 {
		return f.wrongPassphrase(dir)
	}
	if damaged != "" {
		return fileErr("unlock", fmt.Errorf("%s: %w", damaged, errCorruptItem),
			"move the damaged file away or remove its profile with `cxone-auth remove`")
	}
	return nil // nothing to check against: an empty folder
}

// decryptFile1 reads and decrypts the format-1 item at path with pass.
func decryptFile1(path, pass string) (keyring.Item, error) {
	data, err := readItemFile(path)
	if err != nil {
		return keyring.Item{}, err
	}
	if !jweShaped(data) {
		return keyring.Item{}, fmt.Errorf("%s: %w", path, errCorruptItem)
	}
	payload, err := decryptJWE(string(bytes.TrimSpace(data)), pass)
	if err != nil {
		return keyring.Item{}, errDecrypt
	}
	var item keyring.Item
	if err := json.Unmarshal(payload, &item); err != nil {
		return keyring.Item{}, fmt.Errorf("%s: %w", path, errCorruptItem)
	}
	return item, nil
}

// errDecrypt is a format-1 decryption failure: a wrong passphrase or a damaged file.
var errDecrypt = errors.New("could not be decrypted")

// readItemFile reads one keyring file, refusing symbolic links and oversized files.
func readItemFile(path string) ([]byte, error) { return readFileLimited(path, maxItemSize) }

// errOldFormatItem marks a format-1 item in a format-2 keyring.
var errOldFormatItem = errors.New("the item is in the earlier keyring format, which this keyring no longer uses")

func noFileDir() error {
	return fileErr("open", errors.New("no keyring folder: neither XDG_DATA_HOME nor HOME is set"),
		"give the folder with --keyring-dir or CXONE_KEYRING_DIR")
}

// cleanKeyringDir removes what a killed process left in the keyring folder (the atomic
// writer's private folders for keyring files, and the temp files and folders older versions
// named .tmp-*) and makes the folder and its item files private again. Callers hold the
// keyring lock: every writer of a keyring file holds it while its temp exists, so any temp
// found now belongs to nobody. Failures are ignored (logged): leftovers are harmless, and the
// write that follows reports real problems.
func (f *fileRing) cleanKeyringDir(dir string) {
	if err := tightenDir(dir); err != nil {
		f.log.Debug("keyring folder not made private", "dir", dir, "err", err)
	}
	removeTemps(dir, isKeyringFile, f.log)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), tmpPrefix):
			if err := os.RemoveAll(path); err != nil {
				f.log.Debug("leftover temp not removed", "path", path, "err", err)
			} else {
				f.log.Debug("leftover temp removed", "path", path)
			}
		case e.Type().IsRegular() && !strings.HasPrefix(e.Name(), "."):
			if err := tightenFile(path); err != nil {
				f.log.Debug("keyring file not made private", "path", path, "err", err)
			}
		}
	}
}
