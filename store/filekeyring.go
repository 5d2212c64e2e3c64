package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/99designs/keyring"
)

// The encrypted-file backend is the library's (JWE, PBES2-HS256+A128KW, A256GCM), with three
// things added around it, because the library only notices a wrong passphrase when reading:
//   - before the first write or read, the passphrase is checked by decrypting an existing
//     item, so a mistyped passphrase never produces items nobody can open;
//   - a new keyring (no item yet) refuses an empty passphrase and asks for confirmation;
//   - an item is written into a temp folder inside the keyring folder and renamed into place,
//     so a crash never leaves a half-written item.

// errCorruptItem marks a keyring file that is not an encrypted item at all.
var errCorruptItem = errors.New("not an encrypted keyring item (damaged file)")

// fileName is the library's file name for a key (percent-encoding of '/' and '%').
func fileName(key string) string {
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(key)
}

// fileItems lists the item files of the keyring folder (sorted), ignoring temp folders and
// anything that is not a profile item.
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
		if strings.HasPrefix(n, keyPrefix) || strings.HasPrefix(n, "profile_") {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out
}

// FileKeyringExists reports whether the encrypted-file keyring in dir ("" = DefaultFileDir())
// already holds an item, i.e. whether a passphrase exists already (ask once) or is being
// chosen (ask twice).
func FileKeyringExists(dir string) bool {
	if dir == "" {
		dir = DefaultFileDir()
	}
	return len(fileItems(dir)) > 0
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

func (s *Store) fileErr(op string, err error, hint string) error {
	return &KeyringError{Backend: BackendFile, Op: op, Err: err, Hint: hint}
}

// filePassphrase returns the passphrase of the keyring in dir: CXONE_KEYRING_PASSPHRASE, else
// asked through Options.Passphrase, once per Store. For an existing keyring it is checked
// against an item before it is accepted; for a new one an empty passphrase is refused.
func (s *Store) filePassphrase(ctx context.Context, dir string) (string, error) {
	s.passMu.Lock()
	defer s.passMu.Unlock()
	if p, ok := s.pass[dir]; ok {
		return p, nil
	}
	items := fileItems(dir)
	creating := len(items) == 0
	p := os.Getenv(passphraseEnv)
	from := "env"
	if p == "" {
		if s.opts.Passphrase == nil {
			return "", s.fileErr("unlock", ErrPassphraseRequired, "keyring folder "+dir)
		}
		prompt := "Passphrase for the keyring in " + dir
		if creating {
			prompt = "New passphrase for the keyring in " + dir
		}
		var err error
		if p, err = s.opts.Passphrase(ctx, prompt, creating); err != nil {
			return "", fmt.Errorf("keyring passphrase: %w", err)
		}
		from = "prompt"
	}
	if p == "" {
		return "", s.fileErr("unlock", ErrEmptyPassphrase, "choose a passphrase for the keyring in "+dir)
	}
	if !creating {
		if err := s.verifyPassphrase(ctx, dir, items, p); err != nil {
			return "", err
		}
	}
	s.log.Debug("file keyring unlocked", "dir", dir, "new", creating, "passphrase_from", from)
	s.pass[dir] = p
	return p, nil
}

// verifyPassphrase decrypts existing items until one opens. None opening while at least one
// is a well-formed item means a wrong passphrase; only damaged files means the keyring
// cannot be checked, which is reported naming the file.
func (s *Store) verifyPassphrase(ctx context.Context, dir string, items []string, pass string) error {
	return s.call(ctx, BackendFile, "unlock", func() error {
		r, err := keyring.Open(libConfig(BackendFile, dir, keyring.FixedStringPrompt(pass)))
		if err != nil {
			return err
		}
		var damaged, wellFormed []string
		for _, path := range items {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if !jweShaped(data) {
				damaged = append(damaged, path)
				continue
			}
			wellFormed = append(wellFormed, path)
			if _, err := r.Get(keyFromFile(path)); err == nil {
				return nil
			}
			if len(wellFormed) >= 3 {
				break // three items refusing the passphrase is proof enough
			}
		}
		if len(wellFormed) > 0 {
			return s.fileErr("unlock", ErrWrongPassphrase,
				fmt.Sprintf("it does not open the keyring in %s; nothing was changed; try again or check %s", dir, passphraseEnv))
		}
		return s.fileErr("unlock", fmt.Errorf("%s: %w", damaged[0], errCorruptItem),
			"move the damaged file away or remove its profile with `cxone-auth remove`")
	})
}

func keyFromFile(path string) string {
	n := filepath.Base(path)
	return strings.NewReplacer("%2F", "/", "%25", "%").Replace(n)
}

func (s *Store) fileGet(ctx context.Context, key string) (keyring.Item, error) {
	dir := s.FileDir()
	path := filepath.Join(dir, fileName(key))
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return keyring.Item{}, keyring.ErrKeyNotFound // no passphrase needed to know that
	}
	pass, err := s.filePassphrase(ctx, dir)
	if err != nil {
		return keyring.Item{}, err
	}
	var item keyring.Item
	err = s.call(ctx, BackendFile, "load", func() error {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return keyring.ErrKeyNotFound
		}
		if err != nil {
			return err
		}
		if !jweShaped(data) {
			return s.fileErr("load", fmt.Errorf("%s: %w", path, errCorruptItem),
				"move the damaged file away, or remove the profile with `cxone-auth remove` and set it up again")
		}
		r, err := keyring.Open(libConfig(BackendFile, dir, keyring.FixedStringPrompt(pass)))
		if err != nil {
			return err
		}
		item, err = r.Get(key)
		if err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
			return s.fileErr("load", fmt.Errorf("%s could not be decrypted with this passphrase", path),
				"it was written with another passphrase or is damaged; remove the profile and set it up again")
		}
		return err
	})
	if err != nil {
		return keyring.Item{}, err // item may still be written by a call that timed out
	}
	return item, nil
}

func (s *Store) fileSet(ctx context.Context, item keyring.Item) error {
	dir := s.FileDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return s.fileErr("save", err, unlockHint(BackendFile, dir))
	}
	if err := tightenDir(dir); err != nil {
		return s.fileErr("save", err, unlockHint(BackendFile, dir))
	}
	pass, err := s.filePassphrase(ctx, dir)
	if err != nil {
		return err
	}
	return s.call(ctx, BackendFile, "save", func() error {
		tmp, err := os.MkdirTemp(dir, ".tmp-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		r, err := keyring.Open(libConfig(BackendFile, tmp, keyring.FixedStringPrompt(pass)))
		if err != nil {
			return err
		}
		if err := r.Set(item); err != nil {
			return err
		}
		name := fileName(item.Key)
		src := filepath.Join(tmp, name)
		f, err := os.OpenFile(src, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		serr := syncFile(f)
		if cerr := f.Close(); serr == nil {
			serr = cerr
		}
		if serr != nil {
			return serr
		}
		if err := renameFile(src, filepath.Join(dir, name)); err != nil {
			return err
		}
		syncDir(dir)
		return nil
	})
}

func (s *Store) fileRemove(ctx context.Context, key string) (bool, error) {
	dir := s.FileDir()
	removed := false
	err := s.call(ctx, BackendFile, "delete", func() error {
		err := os.Remove(filepath.Join(dir, fileName(key)))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		removed = err == nil
		return err
	})
	if err != nil {
		return false, err
	}
	return removed, nil
}
