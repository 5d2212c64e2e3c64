package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

// openFile2 opens the format-2 item file path of the keyring in dir with pass.
func openFile2(dir, path, pass string) (keyring.Item, error) {
	hdr, err := readHeader(dir)
	if err != nil || hdr == nil {
		return keyring.Item{}, errors.New("no header")
	}
	k, err := keyFromPass(pass, hdr)
	if err != nil {
		return keyring.Item{}, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return keyring.Item{}, err
	}
	return k.open2(data, keyFromFile(filepath.Base(path)))
}

// countDerivations counts Argon2id runs for the test's duration.
func countDerivations(t *testing.T) *atomic.Int32 {
	t.Helper()
	var n atomic.Int32
	orig := deriveMaster
	deriveMaster = func(pass string, k kdfParams) []byte {
		n.Add(1)
		return orig(pass, k)
	}
	t.Cleanup(func() { deriveMaster = orig })
	return &n
}

// snapshotDir is every file of dir (not the lock) with its bytes.
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == keyringLockName {
			return nil
		}
		data, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(data)
		return nil
	})
	return out
}

// TestFormat2Layout: a new keyring has the header with OWASP's minimum Argon2id parameters
// and a verifier, a marker, and items sealed in format 2 that hold no plain text.
func TestFormat2Layout(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s.Save(ctx, "a", testSecret("a"), testMeta("a")); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(fileDir, headerName))
	if err != nil {
		t.Fatal(err)
	}
	h, err := parseHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	if h.KDF.Name != "argon2id" || h.KDF.MemoryKiB < 19456 || h.KDF.Time < 2 || h.KDF.Threads != 1 || len(h.KDF.Salt) < 16 {
		t.Errorf("header kdf = %+v", h.KDF)
	}
	var generic map[string]any
	if json.Unmarshal(raw, &generic) != nil || generic["format"] != float64(2) || generic["verifier"] == nil {
		t.Errorf("header = %s", raw)
	}
	item, err := os.ReadFile(filepath.Join(fileDir, "profile:a"))
	if err != nil || !bytes.HasPrefix(item, []byte(itemPrefix2)) {
		t.Fatalf("item = %.20q, %v", item, err)
	}
	if bytes.Contains(item, []byte(testSecret("a").ClientSecret)) || bytes.Contains(item, []byte("client-id-a")) {
		t.Errorf("the item file shows its content")
	}
	if _, err := openFile2(fileDir, markerPath(fileDir), testPass); err != nil {
		t.Errorf("marker: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(fileDir, headerName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("header mode: %v %v", fi.Mode(), err)
	}
}

// TestOneKeyDerivation: a process derives the key once, whatever the number of profiles and
// stores; a wrong passphrase is found by the verifier (one derivation, no item opened) and
// nothing is written.
func TestOneKeyDerivation(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	names := []string{"a", "b", "c", "d", "e"}
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	for _, n := range names {
		if err := s.Save(ctx, n, testSecret(n), testMeta(n)); err != nil {
			t.Fatal(err)
		}
	}
	derivedKeys.Lock()
	clear(derivedKeys.m)
	derivedKeys.Unlock()
	n := countDerivations(t)
	fresh := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if got, err := fresh.Load(ctx, "c"); err != nil || got != testSecret("c") {
		t.Fatalf("Load = %v, %v", got, err)
	}
	res := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn).LoadMany(ctx, names)
	for _, name := range names {
		if r := res[name]; r.Err != nil || r.Secret != testSecret(name) {
			t.Errorf("LoadMany[%s] = %v, %v", name, r.Secret, r.Err)
		}
	}
	if got := n.Load(); got != 1 {
		t.Errorf("a Load and a LoadMany of %d in one process cost %d key derivations, want 1", len(names), got)
	}
	n.Store(0)
	before := snapshotDir(t, fileDir)
	wrong := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: "not the passphrase"}).fn)
	res = wrong.LoadMany(ctx, names)
	for _, name := range names {
		if err := res[name].Err; !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), fileDir) {
			t.Errorf("LoadMany[%s] with a wrong passphrase: %v", name, err)
		}
	}
	if err := wrong.Save(ctx, "x", testSecret("x"), testMeta("x")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Save with a wrong passphrase: %v", err)
	}
	if got := n.Load(); got > 2 {
		t.Errorf("a wrong passphrase cost %d key derivations", got)
	}
	if after := snapshotDir(t, fileDir); !mapsEqual(before, after) {
		t.Errorf("a wrong passphrase changed the keyring folder")
	}
}

// TestLegacyKeyringMigrated: a format-1 keyring (the library's files, no marker) is upgraded by
// the first command with its passphrase: every item is rewritten in format 2, a marker is
// added, it is said once; a wrong passphrase first leaves every byte as it was.
func TestLegacyKeyringMigrated(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	legacyKeyring(t, fileDir, testPass, "old", "other")
	before := snapshotDir(t, fileDir)
	var notes []string
	open := func(pass string) *Store {
		s, err := Open(Options{Backend: BackendFile, ConfigDir: cfgDir, FileDir: fileDir, Getenv: envOf(nil),
			Passphrase: (&passCounter{pass: pass}).fn, Notice: func(m string) { notes = append(notes, m) }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	wrong := open("not the passphrase")
	if _, err := wrong.Load(ctx, "old"); !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), fileDir) {
		t.Errorf("Load with a wrong passphrase: %v", err)
	}
	if err := wrong.Save(ctx, "x", testSecret("x"), testMeta("x")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Save with a wrong passphrase: %v", err)
	}
	if after := snapshotDir(t, fileDir); !mapsEqual(before, after) {
		t.Fatalf("a wrong passphrase changed the format-1 keyring")
	}
	s := open(testPass)
	if got, err := s.Load(ctx, "old"); err != nil || got != testSecret("old") {
		t.Fatalf("Load = %v, %v", got, err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "upgraded to format 2") || !strings.Contains(notes[0], fileDir) {
		t.Errorf("notices = %q, want one about the upgrade", notes)
	}
	for _, n := range []string{"profile:old", "profile:other", fileName(markerKey)} {
		data, err := os.ReadFile(filepath.Join(fileDir, n))
		if err != nil || !is2(data) {
			t.Errorf("%s after the migration: %.10q, %v", n, data, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(fileDir, migrateDirName)); err == nil {
		t.Errorf("the staging folder is left")
	}
	again := open(testPass)
	if got, err := again.Load(ctx, "other"); err != nil || got != testSecret("other") {
		t.Errorf("Load after the migration = %v, %v", got, err)
	}
	if len(notes) != 1 {
		t.Errorf("the upgrade was announced %d times", len(notes))
	}
}

// TestSwappedItemFileRefused is the attack of issue 16: someone who can write the folder (no
// passphrase needed) copies profile B's item file over A's. A must not hand out B's
// credentials or cached token: the associated data (the item's own name) does not match.
func TestSwappedItemFileRefused(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	b := testSecret("b")
	b.Cache = &SecretCache{AccessToken: "token-of-b", TokenExpiresAt: time.Now().Add(time.Hour).UTC()}
	if err := s.Save(ctx, "a", testSecret("a"), testMeta("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "b", b, testMeta("b")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(fileDir, "profile:b"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fileDir, "profile:a"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*Store{s, newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)} {
		got, err := st.Load(ctx, "a")
		if err == nil || !errors.Is(err, ErrItemMismatch) || got.ClientID != "" {
			t.Errorf("Load(a) after B's file was copied over it = %v, %v; want ErrItemMismatch and nothing", got, err)
		}
		if err != nil && (strings.Contains(err.Error(), "token-of-b") || strings.Contains(err.Error(), b.ClientSecret)) {
			t.Errorf("the error shows a secret: %v", err)
		}
		if r := st.LoadMany(ctx, []string{"a"})["a"]; r.Err == nil || r.Secret.ClientID != "" {
			t.Errorf("LoadMany(a) = %v, %v", r.Secret, r.Err)
		}
	}
}

// TestItemBindingOSKeyrings is the same attack where associated data cannot help (an OS
// keyring): the item document names its profile, and its IDs must match the config entry.
// It runs on the decoding itself, as every backend's read does.
func TestItemBindingOSKeyrings(t *testing.T) {
	docB, err := marshalSecretFor("b", testSecret("b"))
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{log: slog.New(slog.DiscardHandler)}
	if _, err := s.decodeItem(BackendSecretService, "a", keyring.Item{Data: docB}); !errors.Is(err, errOtherProfile) {
		t.Errorf("B's document read as A: %v, want errOtherProfile", err)
	}
	named, err := s.decodeItem(BackendSecretService, "b", keyring.Item{Data: docB})
	if err != nil || !named.Equal(testSecret("b")) || !named.named {
		t.Errorf("B's document read as B = %v, %v", named, err)
	}
	// An older document without a profile name is held to the config entry instead.
	old, _ := json.Marshal(testSecret("b"))
	sec, err := s.decodeItem(BackendSecretService, "a", keyring.Item{Data: old})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Profiles: map[string]Meta{"a": testMeta("a")}}
	if err := s.checkBinding(BackendSecretService, "a", sec, cfg); !errors.Is(err, ErrProfileMismatch) {
		t.Errorf("B's older document under A's config entry: %v, want ErrProfileMismatch", err)
	}
	if err := s.checkBinding(BackendSecretService, "b", sec, Config{Profiles: map[string]Meta{"b": testMeta("b")}}); err != nil {
		t.Errorf("a matching item: %v", err)
	}
	if err := s.checkBinding(BackendSecretService, "orphan", sec, cfg); err != nil {
		t.Errorf("an orphan (no entry): %v", err)
	}
	// An item that names its own profile is the authority over an edited config entry (the
	// config is writable without the passphrase): used, not refused.
	if err := s.checkBinding(BackendSecretService, "a", named, cfg); err != nil {
		t.Errorf("a named item under an edited entry: %v", err)
	}
}

// TestWeakPassphraseRefused: a new keyring refuses a passphrase of spaces or one repeated
// character (long enough, but the first guesses), and says what a good one looks like.
func TestWeakPassphraseRefused(t *testing.T) {
	ctx := context.Background()
	for _, p := range []string{"            ", "aaaaaaaaaaaaaaaa", "\t\t\t\t\t\t\t\t\t\t\t\t\t", "éééééééééééééé"} {
		cfgDir, fileDir := dirs(t)
		err := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: p}).fn).Save(ctx, "a", testSecret("a"), testMeta("a"))
		if !errors.Is(err, ErrWeakPassphrase) || !strings.Contains(err.Error(), "several unrelated words") {
			t.Errorf("%q: %v, want ErrWeakPassphrase", p, err)
		}
		if keyringExists(fileDir) {
			t.Errorf("%q: a keyring was created", p)
		}
	}
	for _, p := range []string{"abababababab", "correct horse battery", " aaaaaaaaaaa"} {
		if err := CheckNewPassphrase(p); err != nil {
			t.Errorf("%q refused: %v", p, err)
		}
	}
}

// TestOversizedCacheDropped: a cached token so large that the sealed item would pass the read
// limit is left out (the profile stays readable); an item already over the limit (written by
// someone else) can still be overwritten.
func TestOversizedCacheDropped(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	big := testSecret("a")
	big.Cache = &SecretCache{TokenEndpoint: "https://x/token", AccessToken: strings.Repeat("t", maxItemSize), TokenExpiresAt: time.Now().Add(time.Hour).UTC()}
	if err := s.Save(ctx, "a", big, testMeta("a")); err != nil {
		t.Fatal(err)
	}
	got, err := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn).Load(ctx, "a")
	if err != nil || !got.SameIdentity(testSecret("a")) || got.Cache == nil || got.Cache.AccessToken != "" || got.Cache.TokenEndpoint != "https://x/token" {
		t.Fatalf("Load after saving an oversized token = %v, %v; want the profile with its endpoints and no token", got, err)
	}
	// An oversized file in the profile's place.
	if err := os.WriteFile(filepath.Join(fileDir, "profile:a"), bytes.Repeat([]byte("x"), maxItemSize*2), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "a", testSecret("a"), testMeta("a")); err != nil {
		t.Fatalf("overwriting an oversized item: %v", err)
	}
	if got, err := s.Load(ctx, "a"); err != nil || got != testSecret("a") {
		t.Errorf("Load = %v, %v", got, err)
	}
}

// TestHostileHeaderRefused: a header that asks for absurd Argon2id work (or too little) is
// refused before any derivation, naming the file.
func TestHostileHeaderRefused(t *testing.T) {
	ctx := context.Background()
	for _, mod := range []func(*header2){
		func(h *header2) { h.KDF.MemoryKiB = 1 << 30 },
		func(h *header2) { h.KDF.MemoryKiB = 1024 },
		func(h *header2) { h.KDF.Time = 1 },
		func(h *header2) { h.KDF.Time = 1 << 20 },
		func(h *header2) { h.KDF.Name = "pbkdf2" },
	} {
		cfgDir, fileDir := dirs(t)
		s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
		if err := s.Save(ctx, "a", testSecret("a"), testMeta("a")); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(filepath.Join(fileDir, headerName))
		var h header2
		_ = json.Unmarshal(raw, &h)
		mod(&h)
		raw, _ = json.Marshal(h)
		if err := os.WriteFile(filepath.Join(fileDir, headerName), raw, 0o600); err != nil {
			t.Fatal(err)
		}
		n := countDerivations(t)
		_, err := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn).Load(ctx, "a")
		if !errors.Is(err, errHeader) || !strings.Contains(err.Error(), headerName) || n.Load() != 0 {
			t.Errorf("header %+v: %v (%d derivations)", h.KDF, err, n.Load())
		}
	}
	_ = slices.Contains[[]string]
}

// TestSwappedOSKeyringItemRefused is the swap attack on an OS keyring (the library's in-memory
// keyring standing in): B's item copied into A's place, with and without the profile name in
// the document (an item saved by an older cxone-auth). A never yields B's secrets or token.
func TestSwappedOSKeyringItemRefused(t *testing.T) {
	for _, older := range []bool{false, true} {
		t.Run(sprintf("older item %v", older), func(t *testing.T) {
			cfgDir, fileDir := dirs(t)
			ctx := context.Background()
			s, err := Open(Options{Backend: BackendPass, ConfigDir: cfgDir, FileDir: fileDir})
			if err != nil {
				t.Fatal(err)
			}
			arr := keyring.NewArrayKeyring(nil)
			s.rings[BackendPass] = arr
			b := testSecret("b")
			b.Cache = &SecretCache{AccessToken: "token-of-b", TokenExpiresAt: time.Now().Add(time.Hour).UTC()}
			for n, sec := range map[string]Secret{"a": testSecret("a"), "b": b} {
				if err := s.Save(ctx, n, sec, testMeta(n)); err != nil {
					t.Fatal(err)
				}
			}
			item, err := arr.Get("profile:b")
			if err != nil {
				t.Fatal(err)
			}
			if older {
				var doc map[string]any
				_ = json.Unmarshal(item.Data, &doc)
				delete(doc, "profile")
				item.Data, _ = json.Marshal(doc)
			}
			item.Key = "profile:a"
			if err := arr.Set(item); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load(ctx, "a")
			if err == nil || got.ClientID != "" {
				t.Fatalf("Load(a) = %v, %v; want a refusal", got, err)
			}
			var ke *KeyringError
			if !errors.As(err, &ke) || strings.Contains(err.Error(), "token-of-b") || strings.Contains(err.Error(), b.ClientSecret) {
				t.Errorf("error %v: want a KeyringError without secrets", err)
			}
			if r := s.LoadMany(ctx, []string{"a", "b"}); r["a"].Err == nil || r["b"].Err != nil {
				t.Errorf("LoadMany: a %v, b %v", r["a"].Err, r["b"].Err)
			}
		})
	}
}
