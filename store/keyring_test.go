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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cxone-auth/auth"

	"github.com/99designs/keyring"
)

// legacyKeyring writes items with the keyring library itself, as cxone-auth versions before
// the marker did: no marker, the library's 8192 rounds, any passphrase length.
func legacyKeyring(t *testing.T, dir, pass string, names ...string) {
	t.Helper()
	r, err := keyring.Open(keyring.Config{AllowedBackends: []keyring.BackendType{keyring.FileBackend}, ServiceName: serviceName,
		FileDir: dir, FilePasswordFunc: keyring.FixedStringPrompt(pass)})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, _ := json.Marshal(testSecret(n))
		if err := r.Set(keyring.Item{Key: keyPrefix + n, Data: data}); err != nil {
			t.Fatal(err)
		}
	}
}

func refusePrompt(t *testing.T) PassphraseFunc {
	return func(context.Context, string, bool) (string, error) {
		t.Errorf("a passphrase was asked")
		return "", errors.New("no passphrase in this test")
	}
}

// TestLoosePermissionsTightened: a config folder and file and a keyring folder and item that
// someone made readable by others (0755/0644) are private again after the next write.
func TestLoosePermissionsTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions on Windows")
	}
	cfgDir, fileDir := dirs(t)
	ctx := context.Background()
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s.Save(ctx, "a", testSecret("a"), testMeta("a")); err != nil {
		t.Fatal(err)
	}
	item := filepath.Join(fileDir, "profile:a")
	for path, m := range map[string]fs.FileMode{cfgDir: 0o755, s.ConfigPath(): 0o644, fileDir: 0o755, item: 0o644} {
		if err := os.Chmod(path, m); err != nil {
			t.Fatal(err)
		}
	}
	// A config-only write (recording a check) tightens the config side.
	if err := s.SetDefault("a"); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]fs.FileMode{cfgDir: 0o700, s.ConfigPath(): 0o600} {
		if got := mode(t, path); got != want {
			t.Errorf("after a config write, mode of %s = %o, want %o", path, got, want)
		}
	}
	// A save tightens the keyring side, other items included.
	if err := s.Save(ctx, "b", testSecret("b"), testMeta("b")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]fs.FileMode{fileDir: 0o700, item: 0o600, filepath.Join(fileDir, "profile:b"): 0o600} {
		if got := mode(t, path); got != want {
			t.Errorf("after a save, mode of %s = %o, want %o", path, got, want)
		}
	}
}

// TestPlantedSymlinkLockRefused: someone who can write to the config or keyring folder plants
// the lock file as a symbolic link to a file of theirs (or to where they want a file
// created). Opening it must be refused with a clear error, and the target left untouched.
func TestPlantedSymlinkLockRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		lock func(cfgDir, fileDir string) string
	}{
		{"config lock", func(cfgDir, _ string) string { return filepath.Join(cfgDir, configFile+".lock") }},
		{"keyring lock", func(_, fileDir string) string { return filepath.Join(fileDir, keyringLockName) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgDir, fileDir := dirs(t)
			for _, d := range []string{cfgDir, fileDir} {
				if err := os.MkdirAll(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			victimDir := t.TempDir()
			victim := filepath.Join(victimDir, "victim")
			if err := os.WriteFile(victim, []byte("precious"), 0o640); err != nil {
				t.Fatal(err)
			}
			lock := tc.lock(cfgDir, fileDir)
			if err := os.Symlink(victim, lock); err != nil {
				t.Fatal(err)
			}
			s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
			err := s.Save(ctx, "a", testSecret("a"), testMeta("a"))
			if err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), lock) {
				t.Fatalf("Save with a planted lock link: got %v, want a refusal naming %s as a symbolic link", err, lock)
			}
			if data, _ := os.ReadFile(victim); string(data) != "precious" {
				t.Errorf("the link's target was changed: %q", data)
			}
			if got := mode(t, victim); got != 0o640 {
				t.Errorf("the link's target mode changed to %o", got)
			}
			if _, err := s.Load(ctx, "a"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Load after the refused save: got %v, want ErrNotFound", err)
			}

			// A dangling link must not create its target either.
			if err := os.Remove(lock); err != nil {
				t.Fatal(err)
			}
			planted := filepath.Join(victimDir, "created-by-us")
			if err := os.Symlink(planted, lock); err != nil {
				t.Fatal(err)
			}
			if err := s.Save(ctx, "a", testSecret("a"), testMeta("a")); err == nil || !strings.Contains(err.Error(), "symbolic link") {
				t.Errorf("Save with a dangling lock link: got %v, want a refusal", err)
			}
			if _, err := os.Lstat(planted); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the dangling link's target was created")
			}
		})
	}
}

// gatedPrompt is a passphrase prompt that waits until every prompt of the test has been
// reached, so that all of them decided "the keyring does not exist yet" before any creates it.
type gatedPrompt struct {
	arrived sync.WaitGroup
	release chan struct{}
}

func newGatedPrompt(n int) *gatedPrompt {
	g := &gatedPrompt{release: make(chan struct{})}
	g.arrived.Add(n)
	go func() { g.arrived.Wait(); close(g.release) }()
	return g
}

func (g *gatedPrompt) fn(pass string, sawNew *atomic.Int32) PassphraseFunc {
	return func(_ context.Context, _ string, confirm bool) (string, error) {
		if confirm {
			sawNew.Add(1)
		}
		g.arrived.Done()
		<-g.release
		return pass, nil
	}
}

// openingPassphrases lists which of the passphrases open the marker and every item of the
// keyring in dir.
func openingPassphrases(t *testing.T, dir string, passes ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && e.Name() != headerName {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if !slices.Contains(files, markerPath(dir)) {
		t.Errorf("the keyring has no marker; files: %v", files)
	}
	var out []string
	for _, p := range passes {
		all := true
		for _, f := range files {
			if _, err := openFile2(dir, f, p); err != nil {
				all = false
			}
		}
		if all {
			out = append(out, p)
		}
	}
	return out
}

// TestConcurrentCreationTwoPassphrases: two first-time setups (two Stores, as two processes
// would have) create the same new keyring at once, each with its own "new" passphrase. One
// wins; the other is told the keyring was created meanwhile and writes nothing, so exactly one
// passphrase opens the resulting keyring and every item in it.
func TestConcurrentCreationTwoPassphrases(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared config %v", shared), func(t *testing.T) {
			base := t.TempDir()
			fileDir := filepath.Join(base, "keyring")
			passes := []string{"first passphrase A", "second passphrase B"}
			gate := newGatedPrompt(len(passes))
			var sawNew atomic.Int32
			errs := make([]error, len(passes))
			var wg sync.WaitGroup
			for i, p := range passes {
				cfgDir := filepath.Join(base, "config")
				if !shared {
					cfgDir = filepath.Join(base, fmt.Sprintf("config-%d", i))
				}
				s := newFileStore(t, cfgDir, fileDir, gate.fn(p, &sawNew))
				wg.Add(1)
				go func() {
					defer wg.Done()
					name := fmt.Sprintf("p%d", i)
					errs[i] = s.Save(context.Background(), name, testSecret(name), testMeta(name))
				}()
			}
			wg.Wait()
			if sawNew.Load() != 2 {
				t.Fatalf("%d of the setups were asked for a new passphrase, want both (the race did not happen)", sawNew.Load())
			}
			var failed []error
			for _, err := range errs {
				if err != nil {
					failed = append(failed, err)
				}
			}
			if len(failed) != 1 || !errors.Is(failed[0], ErrWrongPassphrase) || !strings.Contains(failed[0].Error(), "created meanwhile") {
				t.Fatalf("errors %v: want exactly one, a wrong passphrase saying the keyring was created meanwhile", errs)
			}
			if got := openingPassphrases(t, fileDir, passes...); len(got) != 1 {
				t.Errorf("%d passphrases open the whole keyring, want exactly 1", len(got))
			}
			if n := len(fileItems(fileDir)); n != 1 {
				t.Errorf("%d profile items, want 1 (the loser writes nothing)", n)
			}
		})
	}
}

// TestPassphraseLength: a new keyring refuses passphrases under 12 characters (counted as
// characters, not bytes), and writes nothing; a keyring made with a short passphrase by an
// older version still opens and takes new profiles.
func TestPassphraseLength(t *testing.T) {
	ctx := context.Background()
	for _, p := range []string{"x", "elevenchars", "ééééééééééé"} {
		cfgDir, fileDir := dirs(t)
		s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: p}).fn)
		err := s.Save(ctx, "a", testSecret("a"), testMeta("a"))
		if !errors.Is(err, ErrPassphraseTooShort) || !strings.Contains(err.Error(), "at least 12 characters") {
			t.Errorf("new keyring with a %d-character passphrase: got %v, want ErrPassphraseTooShort saying at least 12 characters", len([]rune(p)), err)
		}
		if _, err := os.Stat(fileDir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("keyring folder created although the passphrase was refused")
		}
		if _, err := os.Stat(filepath.Join(cfgDir, configFile)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("config written after a refused creation")
		}
	}
	cfgDir, fileDir := dirs(t)
	if err := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: "twelve chars"}).fn).Save(ctx, "a", testSecret("a"), testMeta("a")); err != nil {
		t.Errorf("a 12-character passphrase: %v", err)
	}

	// An existing keyring with a short passphrase keeps working.
	_, legacyDir := dirs(t)
	legacyKeyring(t, legacyDir, "pw", "old")
	s := newFileStore(t, cfgDir, legacyDir, (&passCounter{pass: "pw"}).fn)
	if got, err := s.Load(ctx, "old"); err != nil || got != testSecret("old") {
		t.Errorf("Load from a short-passphrase keyring = %v, %v", got, err)
	}
	if err := s.Save(ctx, "new", testSecret("new"), testMeta("new")); err != nil {
		t.Errorf("Save into a short-passphrase keyring: %v", err)
	}
	s2 := newFileStore(t, cfgDir, legacyDir, (&passCounter{pass: "pw"}).fn)
	for _, n := range []string{"old", "new"} {
		if got, err := s2.Load(ctx, n); err != nil || got != testSecret(n) {
			t.Errorf("Load(%s) = %v, %v", n, got, err)
		}
	}
}

// TestLoadManyMixed: LoadMany reports each name on its own: found, missing, invalid, damaged.
func TestLoadManyMixed(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	for _, n := range []string{"a", "b", "broken"} {
		if err := s.Save(ctx, n, testSecret(n), testMeta(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(fileDir, "profile:broken"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	pc := &passCounter{pass: testPass}
	res := newFileStore(t, cfgDir, fileDir, pc.fn).LoadMany(ctx, []string{"broken", "a", "missing", "Bad Name", "b", "a"})
	if len(res) != 5 {
		t.Errorf("LoadMany returned %d results, want 5", len(res))
	}
	for _, n := range []string{"a", "b"} {
		if r := res[n]; r.Err != nil || r.Secret != testSecret(n) {
			t.Errorf("%s: %v, %v", n, r.Secret, r.Err)
		}
	}
	if !errors.Is(res["missing"].Err, ErrNotFound) {
		t.Errorf("missing: %v, want ErrNotFound", res["missing"].Err)
	}
	if res["Bad Name"].Err == nil {
		t.Errorf("invalid name: no error")
	}
	if err := res["broken"].Err; err == nil || errors.Is(err, ErrWrongPassphrase) || !errors.Is(err, errCorruptItem) {
		t.Errorf("broken: %v, want a damaged-item error", err)
	}
	if pc.calls.Load() != 1 {
		t.Errorf("passphrase asked %d times, want 1", pc.calls.Load())
	}
}

// TestStaleTokenWriteBackRefused: `token` loaded the profile and got a token with the old
// credentials while `setup` stored new ones. Its write-back must not put the old credentials'
// token (or endpoints) into the new item: compare and swap on the credentials, under the lock
// Save also holds. The race inside the lock is forced: Save is started while UpdateSecret is
// between its re-read and its write, and must wait for it.
func TestStaleTokenWriteBackRefused(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	pc := &passCounter{pass: testPass}
	tokenStore := newFileStore(t, cfgDir, fileDir, pc.fn)
	setupStore := newFileStore(t, cfgDir, fileDir, pc.fn)
	old := testSecret("old")
	if err := setupStore.Save(ctx, "p", old, testMeta("old")); err != nil {
		t.Fatal(err)
	}
	loaded, err := tokenStore.Load(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	oldCache := &SecretCache{TokenEndpoint: "https://old.example/token", AccessToken: "OLD-TOKEN", TokenExpiresAt: time.Now().Add(time.Hour)}
	newSec := testSecret("new")
	newSec.Issuer = "https://other-issuer.example"

	// 1. Setup wins the race: the refresh finds other credentials and writes nothing.
	newMeta := testMeta("new")
	newMeta.Issuer = newSec.Issuer // the entry names the item's issuer, as every Save does
	if err := setupStore.Save(ctx, "p", newSec, newMeta); err != nil {
		t.Fatal(err)
	}
	wrote, err := tokenStore.UpdateSecret(ctx, "p", loaded, func(s *Secret) { s.Cache = oldCache })
	if err != nil || wrote {
		t.Fatalf("stale UpdateSecret: wrote %v, err %v; want no write", wrote, err)
	}
	if got, _ := tokenStore.Load(ctx, "p"); !got.Equal(newSec) {
		t.Fatalf("after a stale update the item is %v, want the new credentials without a cache", got)
	}

	// 2. The refresh is inside its compare and swap when setup starts: setup must wait for
	// the lock, then replace the item; the token of the credentials it replaces must not
	// survive.
	loaded, _ = tokenStore.Load(ctx, "p")
	newer := testSecret("newer")
	saveErr := make(chan error, 1)
	busy := make(chan struct{}, 1)
	lockBusyHook = func(string) {
		select {
		case busy <- struct{}{}:
		default:
		}
	}
	t.Cleanup(func() { lockBusyHook = nil })
	wrote, err = tokenStore.UpdateSecret(ctx, "p", loaded, func(s *Secret) {
		go func() { saveErr <- setupStore.Save(ctx, "p", newer, testMeta("newer")) }()
		select {
		case <-busy: // setup is waiting for the lock we hold
		case err := <-saveErr:
			t.Errorf("Save finished (%v) while UpdateSecret held the item between read and write", err)
			saveErr <- err
		}
		s.Cache = oldCache
	})
	if err != nil || !wrote {
		t.Fatalf("UpdateSecret: wrote %v, err %v; want a write", wrote, err)
	}
	if err := <-saveErr; err != nil {
		t.Fatal(err)
	}
	lockBusyHook = nil
	got, err := tokenStore.Load(ctx, "p")
	if err != nil || !got.Equal(newer) || got.Cache != nil {
		t.Errorf("after the race the item is %v, %v; want the newest credentials and no cache", got, err)
	}

	// 3. Nothing raced: the update is written.
	wrote, err = tokenStore.UpdateSecret(ctx, "p", got, func(s *Secret) { s.Cache = oldCache })
	if err != nil || !wrote {
		t.Fatalf("UpdateSecret: wrote %v, err %v", wrote, err)
	}
	if got, _ := newFileStore(t, cfgDir, fileDir, pc.fn).Load(ctx, "p"); got.Cache == nil || !got.Cache.equal(*oldCache) {
		t.Errorf("cache after the update = %v", got.Cache)
	}
	// An update may not smuggle in credentials.
	if _, err := tokenStore.UpdateSecret(ctx, "p", newer, func(s *Secret) { s.ClientSecret = "CHANGED" }); err == nil {
		t.Errorf("UpdateSecret changing the credentials: got nil error")
	}
	if wrote, err := tokenStore.UpdateSecret(ctx, "gone", newer, func(*Secret) { t.Error("fn called for a missing profile") }); err != nil || wrote {
		t.Errorf("UpdateSecret of a missing profile: %v, %v", wrote, err)
	}
}

// TestStaleCheckRecordRefused: check --all ran with a profile's old issuer and IDs while setup
// stored new ones; recording its result must not write the old endpoints or status over the
// new entry. Other profiles' results are still recorded.
func TestStaleCheckRecordRefused(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	for _, n := range []string{"moved", "steady"} {
		if err := s.Save(ctx, n, testSecret(n), testMeta(n)); err != nil {
			t.Fatal(err)
		}
	}
	// The check computed its results for the identities it loaded.
	updates := map[string]MetaUpdate{}
	for _, n := range []string{"moved", "steady"} {
		sec := testSecret(n)
		updates[n] = MetaUpdate{Issuer: sec.Issuer, ClientID: sec.ClientID, AccessKeyID: sec.AccessKeyID, Apply: func(m *Meta) {
			m.LastCheckStatus, m.APIEndpoint, m.TokenEndpoint = StatusRejected, "https://old-api.example", "https://old-issuer.example/token"
		}}
	}
	// Meanwhile setup moved the profile to another issuer.
	moved := testSecret("moved")
	moved.Issuer = "https://cxone-gov.niceincontact.com"
	newMeta := MetaFromResult(moved.Issuer, moved.Credentials(), &auth.Result{APIEndpoint: "https://new-api.example", TokenEndpoint: "https://new/token"})
	if err := s.Save(ctx, "moved", moved, newMeta); err != nil {
		t.Fatal(err)
	}
	applied, err := s.UpdateMetasIf(updates)
	if err != nil || !slices.Equal(applied, []string{"steady"}) {
		t.Errorf("UpdateMetasIf applied %v, %v; want only steady", applied, err)
	}
	m, _ := s.Meta("moved")
	if m.Issuer != moved.Issuer || m.APIEndpoint != "https://new-api.example" || m.TokenEndpoint != "https://new/token" || m.LastCheckStatus != StatusValid {
		t.Errorf("the moved profile's entry = %+v; want the new issuer's endpoints and status untouched", m)
	}
	if m, _ := s.Meta("steady"); m.LastCheckStatus != StatusRejected {
		t.Errorf("the steady profile's result was not recorded: %+v", m)
	}
}

// TestOrphansListed: a process killed between the keyring write and the config write leaves
// an item without a config entry; Orphans lists it without asking a passphrase, for the file
// backend (from file names) and for an OS backend (from the library's key listing).
func TestOrphansListed(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s.Save(ctx, "kept", testSecret("kept"), testMeta("kept")); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(testSecret("lost"))
	if err := s.setItem(ctx, BackendFile, secretItem(BackendFile, "lost", data)); err != nil {
		t.Fatal(err)
	}
	fresh := newFileStore(t, cfgDir, fileDir, refusePrompt(t))
	got, err := fresh.Orphans(ctx)
	if err != nil || !slices.Equal(got, []string{"lost"}) {
		t.Errorf("Orphans = %v, %v; want [lost]", got, err)
	}
	// An OS backend: the library's key listing (the in-memory keyring stands in).
	arr := keyring.NewArrayKeyring([]keyring.Item{{Key: "profile:ghost"}, {Key: "profile:kept"}, {Key: "unrelated"}})
	s2, _ := Open(Options{Backend: BackendPass, ConfigDir: cfgDir, FileDir: fileDir, Getenv: envOf(nil), Passphrase: refusePrompt(t)})
	s2.rings[BackendPass] = arr
	got, err = s2.Orphans(ctx)
	// kept lives in the file backend per the config, so its pass item is an orphan too.
	if err != nil || !slices.Equal(got, []string{"ghost", "kept", "lost"}) {
		t.Errorf("Orphans with pass = %v, %v; want [ghost kept lost]", got, err)
	}
	// The orphan can be removed (no passphrase needed for the file backend).
	if err := fresh.Delete(ctx, "lost"); err != nil {
		t.Errorf("Delete of the orphan: %v", err)
	}
	if got, _ := fresh.Orphans(ctx); len(got) != 0 {
		t.Errorf("Orphans after Delete = %v", got)
	}
}

// TestLeftoversCleaned: temp files and folders a killed process left in the keyring folder,
// and temp files next to config.json, are removed by the next save.
func TestLeftoversCleaned(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s.Save(ctx, "a", testSecret("a"), testMeta("a")); err != nil {
		t.Fatal(err)
	}
	leftovers := []string{filepath.Join(fileDir, ".tmp-123"), filepath.Join(fileDir, ".tmp-dir", "profile:x"), filepath.Join(cfgDir, ".config.json.tmp-456")}
	for _, p := range leftovers {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("half written"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	_ = os.Chtimes(filepath.Join(fileDir, ".tmp-dir"), old, old)
	if err := s.Save(ctx, "b", testSecret("b"), testMeta("b")); err != nil {
		t.Fatal(err)
	}
	for _, p := range append(leftovers, filepath.Join(fileDir, ".tmp-dir")) {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("leftover %s still there", p)
		}
	}
}

// TestSecretCacheMasked: the cached token never shows through fmt or slog, alone or inside a
// Secret; the endpoints do.
func TestSecretCacheMasked(t *testing.T) {
	sec := testSecret("x")
	sec.Cache = &SecretCache{TokenEndpoint: "https://tok.example", APIEndpoint: "https://api.example", AccessToken: "eyJTOKENVALUE", TokenExpiresAt: time.Now()}
	var logBuf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&logBuf, nil))
	l.Info("x", "secret", sec, "cache", sec.Cache, "cacheval", *sec.Cache)
	outs := []string{logBuf.String()}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, sprintf(f, sec), sprintf(f, sec.Cache), sprintf(f, *sec.Cache))
	}
	for _, out := range outs {
		if strings.Contains(out, "eyJTOKENVALUE") || strings.Contains(out, sec.ClientSecret) {
			t.Errorf("secret leaked: %q", out)
		}
	}
	if s := sprintf("%v", sec); !strings.Contains(s, "https://tok.example") || !strings.Contains(s, "access_token:(hidden)") {
		t.Errorf("String = %s; want the endpoint shown and the token hidden", s)
	}
}

// TestSecretCacheRoundTrip: the cache is stored in the item and read back; NewSecret fills it
// from a check's result (not from another issuer's); a usable token needs 5 minutes left.
func TestSecretCacheRoundTrip(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	c := testSecret("c").Credentials()
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	r := &auth.Result{Issuer: "https://iss.example", TokenEndpoint: "https://iss.example/token", AuthMethod: auth.AuthPost,
		TenantID: "t1", APIEndpoint: "https://api.example", AccessToken: "TOKEN", TokenExpiresAt: exp}
	sec := NewSecret("https://iss.example", c, r)
	if err := s.Save(ctx, "c", sec, MetaFromResult(sec.Issuer, c, r)); err != nil {
		t.Fatal(err)
	}
	got, err := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn).Load(ctx, "c")
	if err != nil || !got.Equal(sec) {
		t.Fatalf("Load = %v, %v; want %v", got, err, sec)
	}
	if ac := got.AuthCache(); ac == nil || *ac != r.Cache() {
		t.Errorf("AuthCache = %+v, want %+v", ac, r.Cache())
	}
	if tok, e, ok := got.Cache.UsableToken(time.Now()); !ok || tok != "TOKEN" || !e.Equal(exp) {
		t.Errorf("UsableToken = %q, %v, %v", tok, e, ok)
	}
	if _, _, ok := got.Cache.UsableToken(exp.Add(-4 * time.Minute)); ok {
		t.Errorf("a token with 4 minutes left is usable; want at least 5")
	}
	if other := NewSecret("https://elsewhere.example", c, r); other.Cache != nil {
		t.Errorf("a result of another issuer became the cache: %v", other.Cache)
	}
	if plain := NewSecret("https://iss.example", c, nil); plain.Cache != nil || plain.AuthCache() != nil {
		t.Errorf("NewSecret without a result has a cache")
	}
	// Windows Credential Manager: the token is left out of a document that would not fit.
	big := sec
	bc := *sec.Cache
	bc.AccessToken = strings.Repeat("t", 3000)
	big.Cache = &bc
	data, err := encodeSecret(BackendWinCred, "p", big)
	if err != nil || len(data) > wincredMaxBlob || bytes.Contains(data, []byte("ttt")) || !bytes.Contains(data, []byte("api.example")) {
		t.Errorf("wincred document: %d bytes, err %v; want the endpoints without the token under %d", len(data), err, wincredMaxBlob)
	}
	if data, _ := encodeSecret(BackendFile, "p", big); !bytes.Contains(data, []byte("ttt")) {
		t.Errorf("the file backend dropped the token")
	}
}

// TestLeftoverTempFoldersCleaned: the atomic writer's temp folders (".BASE.tmp-*/BASE", what a
// writer killed between its link and its rename leaves, with a whole copy of the file inside)
// are removed by the next write, next to config.json and in the keyring folder, while a
// stranger's temp folder for another file in the same folder (an export under way) is left.
func TestLeftoverTempFoldersCleaned(t *testing.T) {
	ctx := context.Background()
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s.Save(ctx, "a", testSecret("a"), testMeta("a")); err != nil {
		t.Fatal(err)
	}
	leftovers := []string{
		filepath.Join(cfgDir, ".config.json.tmp-1234", "config.json"),
		filepath.Join(fileDir, "."+fileName(itemKey(BackendFile, "a"))+".tmp-1234", fileName(itemKey(BackendFile, "a"))),
		filepath.Join(fileDir, "."+headerName+".tmp-99", headerName),
	}
	stranger := filepath.Join(cfgDir, ".creds.env.tmp-77", "creds.env")
	for _, p := range append(leftovers, stranger) {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("a whole copy SECRET"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(ctx, "b", testSecret("b"), testMeta("b")); err != nil {
		t.Fatal(err)
	}
	for _, p := range leftovers {
		if _, err := os.Lstat(filepath.Dir(p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("leftover temp folder %s still there", filepath.Dir(p))
		}
	}
	if _, err := os.Lstat(stranger); err != nil {
		t.Errorf("another file's temp folder was removed: %v", err)
	}
}
