package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cxone-auth/auth"

	"github.com/99designs/keyring"
)

func testSecret(n string) Secret {
	return Secret{Version: 1, Issuer: "https://cxone.niceincontact.com", ClientID: "client-id-" + n,
		ClientSecret: "CLIENT-SECRET-" + n, AccessKeyID: "ZO4EKEYID-" + n, AccessKeySecret: "ACCESS-KEY-SECRET-" + n}
}

// testMeta is the config entry of testSecret(n) (its identity, nothing learnt).
func testMeta(n string) Meta {
	sec := testSecret(n)
	return MetaFromResult(sec.Issuer, sec.Credentials(), nil)
}

func withTenant(m Meta, tenant string) Meta { m.Tenant = tenant; return m }

type passCounter struct {
	pass     string
	calls    atomic.Int32
	confirms atomic.Int32
}

func (p *passCounter) fn(_ context.Context, prompt string, confirm bool) (string, error) {
	p.calls.Add(1)
	if confirm {
		p.confirms.Add(1)
	}
	return p.pass, nil
}

// testPass is a passphrase long enough for a new file keyring.
const testPass = "correct horse battery"

// envOf is an injected environment backed by a map (nil = empty).
func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// newFileStore opens a Store on the file backend in fresh temp folders, with an empty
// environment.
func newFileStore(t *testing.T, configDir, fileDir string, pass PassphraseFunc) *Store {
	t.Helper()
	s, err := Open(Options{Backend: BackendFile, ConfigDir: configDir, FileDir: fileDir, Passphrase: pass, Getenv: envOf(nil)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dirs(t *testing.T) (string, string) {
	base := t.TempDir()
	return filepath.Join(base, "config"), filepath.Join(base, "data", "keyring")
}

func listDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = string(data)
	}
	return out
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestFileBackendSaveLoadDelete(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	pc := &passCounter{pass: "correct horse"}
	s := newFileStore(t, cfgDir, fileDir, pc.fn)
	ctx := context.Background()
	for _, n := range []string{"prod", "dev"} {
		meta := MetaFromResult("https://cxone.niceincontact.com", testSecret(n).Credentials(), &auth.Result{TenantID: "t-" + n, APIEndpoint: "https://api"})
		if err := s.Save(ctx, n, testSecret(n), meta); err != nil {
			t.Fatalf("Save(%s): %v", n, err)
		}
	}
	for _, n := range []string{"prod", "dev"} {
		got, err := s.Load(ctx, n)
		if err != nil || got != testSecret(n) {
			t.Errorf("Load(%s) = %v, %v; want %v", n, got, err, testSecret(n))
		}
	}
	if got, want := pc.calls.Load(), int32(1); got != want {
		t.Errorf("passphrase asked %d times, want %d", got, want)
	}
	if got := pc.confirms.Load(); got != 1 {
		t.Errorf("confirm asked %d times on creation, want 1", got)
	}
	names, err := s.Names()
	if err != nil || !slices.Equal(names, []string{"dev", "prod"}) {
		t.Errorf("Names() = %v, %v; want [dev prod]", names, err)
	}
	cfg, err := s.Config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DefaultProfile != "prod" || cfg.Backend != BackendFile || cfg.FileDir != fileDir {
		t.Errorf("config default/backend/dir = %q/%q/%q, want prod/file/%s", cfg.DefaultProfile, cfg.Backend, cfg.FileDir, fileDir)
	}
	if m := cfg.Profiles["dev"]; m.TenantID != "t-dev" || m.Backend != BackendFile || m.CreatedAt.IsZero() {
		t.Errorf("meta = %+v, want tenant t-dev, backend file, a creation time", m)
	}
	// Permissions and no secret in the config.
	if runtime.GOOS != "windows" {
		for path, want := range map[string]fs.FileMode{fileDir: 0o700, cfgDir: 0o700, filepath.Join(fileDir, "profile:dev"): 0o600, s.ConfigPath(): 0o600} {
			if got := mode(t, path); got != want {
				t.Errorf("mode of %s = %o, want %o", path, got, want)
			}
		}
	}
	raw, _ := os.ReadFile(s.ConfigPath())
	for _, n := range []string{"prod", "dev"} {
		if bytes.Contains(raw, []byte(testSecret(n).ClientSecret)) || bytes.Contains(raw, []byte(testSecret(n).AccessKeySecret)) {
			t.Errorf("config file holds a secret")
		}
	}
	for name, data := range listDir(t, fileDir) {
		if strings.Contains(data, "SECRET") {
			t.Errorf("keyring file %s holds plaintext", name)
		}
	}

	if err := s.Delete(ctx, "prod"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Load(ctx, "prod"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load after Delete: got %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "prod"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: got %v, want ErrNotFound", err)
	}
	if _, err := s.Meta("prod"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Meta after Delete: got %v, want ErrNotFound", err)
	}
	if cfg, _ := s.Config(); cfg.DefaultProfile != "dev" {
		t.Errorf("default after deleting it = %q, want dev", cfg.DefaultProfile)
	}
	if _, ok := listDir(t, fileDir)["profile:prod"]; ok {
		t.Errorf("keyring file of the deleted profile is still there")
	}
}

func TestSaveOverwriteKeepsCreatedAt(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	ctx := context.Background()
	created := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Save(ctx, "a", testSecret("1"), Meta{CreatedAt: created}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "a", testSecret("2"), Meta{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(ctx, "a"); got != testSecret("2") {
		t.Errorf("Load = %v, want the second secret", got)
	}
	if m, _ := s.Meta("a"); !m.CreatedAt.Equal(created) {
		t.Errorf("CreatedAt = %v, want %v", m.CreatedAt, created)
	}
}

func TestOpenIsLazy(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, func(context.Context, string, bool) (string, error) {
		t.Fatalf("passphrase asked by Open/Config/Names/Backend")
		return "", nil
	})
	if got := s.Backend(); got != BackendFile {
		t.Errorf("Backend() = %q, want file", got)
	}
	if names, err := s.Names(); err != nil || len(names) != 0 {
		t.Errorf("Names() = %v, %v; want empty", names, err)
	}
	if _, err := s.Meta("x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Meta of nothing: got %v, want ErrNotFound", err)
	}
	if _, err := s.Load(context.Background(), "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load of nothing: got %v, want ErrNotFound (without a passphrase)", err)
	}
	for _, d := range []string{cfgDir, fileDir} {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was created before any save", d)
		}
	}
}

func TestPassphraseReuseAcrossStores(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	ctx := context.Background()
	first := &passCounter{pass: testPass}
	if err := newFileStore(t, cfgDir, fileDir, first.fn).Save(ctx, "a", testSecret("a"), Meta{}); err != nil {
		t.Fatal(err)
	}
	second := &passCounter{pass: testPass}
	s2 := newFileStore(t, cfgDir, fileDir, second.fn)
	if err := s2.Save(ctx, "b", testSecret("b"), Meta{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Load(ctx, "a"); err != nil || got != testSecret("a") {
		t.Errorf("Load(a) = %v, %v", got, err)
	}
	if c, k := second.calls.Load(), second.confirms.Load(); c != 1 || k != 0 {
		t.Errorf("existing keyring: asked %d times with %d confirmations, want 1 and 0", c, k)
	}
	if !FileKeyringExists(fileDir, nil) || FileKeyringExists(filepath.Join(fileDir, "nope"), nil) {
		t.Errorf("FileKeyringExists wrong")
	}
}

func TestEnvPassphrase(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	env := map[string]string{passphraseEnv: "from-env passphrase"}
	open := func() *Store {
		s, err := Open(Options{Backend: BackendFile, ConfigDir: cfgDir, FileDir: fileDir, Getenv: envOf(env)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx := context.Background()
	if err := open().Save(ctx, "a", testSecret("a"), Meta{}); err != nil {
		t.Fatalf("Save with env passphrase: %v", err)
	}
	delete(env, passphraseEnv)
	s2 := open()
	if _, err := s2.Load(ctx, "a"); !errors.Is(err, ErrPassphraseRequired) {
		t.Errorf("no env, no prompt: got %v, want ErrPassphraseRequired", err)
	}
	env[passphraseEnv] = "from-env passphrase"
	if got, err := s2.Load(ctx, "a"); err != nil || got != testSecret("a") {
		t.Errorf("Load with env passphrase = %v, %v", got, err)
	}
}

// TestStoreIgnoresProcessEnvironment: the process environment holds a passphrase and folders,
// the injected one nothing; the store must use neither the passphrase nor the folders.
func TestStoreIgnoresProcessEnvironment(t *testing.T) {
	base := t.TempDir()
	t.Setenv(passphraseEnv, "process environment passphrase")
	t.Setenv("HOME", base)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(base, "xdg-config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(base, "xdg-data"))
	if _, err := Open(Options{Backend: BackendFile}); err == nil {
		t.Errorf("Open with no folder and an empty injected environment: got nil error, want one asking for a folder")
	}
	cfgDir, fileDir := dirs(t)
	s, err := Open(Options{Backend: BackendFile, ConfigDir: cfgDir, FileDir: fileDir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(context.Background(), "a", testSecret("a"), Meta{}); !errors.Is(err, ErrPassphraseRequired) {
		t.Errorf("Save: got %v, want ErrPassphraseRequired (the process environment's passphrase must not be used)", err)
	}
	if got := DefaultConfigDir(nil); got != "" {
		t.Errorf("DefaultConfigDir(nil) = %q, want \"\"", got)
	}
	env := envOf(map[string]string{"HOME": "/home/x", "XDG_DATA_HOME": "relative/ignored"})
	if got, want := DefaultConfigDir(env), filepath.Join("/home/x", ".config", "cxone-auth"); got != want {
		t.Errorf("DefaultConfigDir = %q, want %q", got, want)
	}
	if got, want := DefaultFileDir(env), filepath.Join("/home/x", ".local", "share", "cxone-auth", "keyring"); got != want {
		t.Errorf("DefaultFileDir = %q, want %q", got, want)
	}
	env = envOf(map[string]string{"HOME": "/home/x", "XDG_CONFIG_HOME": "/cfg", "XDG_DATA_HOME": "/data", "PASSWORD_STORE_DIR": "/pw"})
	if DefaultConfigDir(env) != filepath.Join("/cfg", "cxone-auth") || DefaultFileDir(env) != filepath.Join("/data", "cxone-auth", "keyring") || passDir(env) != "/pw" {
		t.Errorf("XDG variables and PASSWORD_STORE_DIR not honoured: %q %q %q", DefaultConfigDir(env), DefaultFileDir(env), passDir(env))
	}
	if _, err := os.Stat(filepath.Join(base, "xdg-config")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the process environment's config folder was created")
	}
}

func TestEmptyPassphraseRefusedOnCreate(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: ""}).fn)
	err := s.Save(context.Background(), "a", testSecret("a"), Meta{})
	if !errors.Is(err, ErrEmptyPassphrase) {
		t.Fatalf("got %v, want ErrEmptyPassphrase", err)
	}
	if files := listDir(t, fileDir); len(files) != 0 {
		t.Errorf("keyring folder holds %v after a refused save, want nothing", slices.Collect(mapsKeys(files)))
	}
	if _, err := os.Stat(filepath.Join(cfgDir, configFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("config written after a refused save")
	}
}

func TestWrongPassphrase(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	ctx := context.Background()
	if err := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: "the right passphrase"}).fn).Save(ctx, "a", testSecret("a"), Meta{}); err != nil {
		t.Fatal(err)
	}
	beforeFiles := listDir(t, fileDir)
	beforeCfg, _ := os.ReadFile(filepath.Join(cfgDir, configFile))

	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: "the wrong passphrase"}).fn)
	_, err := s.Load(ctx, "a")
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Load: got %v, want ErrWrongPassphrase", err)
	}
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Backend != BackendFile || !strings.Contains(err.Error(), fileDir) {
		t.Errorf("error %q should be a KeyringError of the file backend naming %s", err, fileDir)
	}
	if err := s.Save(ctx, "b", testSecret("b"), Meta{}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Save with a wrong passphrase: got %v, want ErrWrongPassphrase", err)
	}
	if err := s.Save(ctx, "a", testSecret("z"), Meta{}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("overwrite with a wrong passphrase: got %v, want ErrWrongPassphrase", err)
	}
	afterCfg, _ := os.ReadFile(filepath.Join(cfgDir, configFile))
	if after := listDir(t, fileDir); !mapsEqual(after, beforeFiles) || !bytes.Equal(beforeCfg, afterCfg) {
		t.Errorf("a wrong passphrase changed the keyring or config")
	}
}

func TestCorruptKeyringFile(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	ctx := context.Background()
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	for _, n := range []string{"a", "b"} {
		if err := s.Save(ctx, n, testSecret(n), Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	item := filepath.Join(fileDir, "profile:a")
	garbage := []byte("this is not a JWE\x00\xff")
	if err := os.WriteFile(item, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	_, err := s2.Load(ctx, "a")
	if err == nil || errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), item) {
		t.Errorf("Load of a damaged item: got %v, want an error naming %s that is not a wrong passphrase", err, item)
	}
	if got, err := s2.Load(ctx, "b"); err != nil || got != testSecret("b") {
		t.Errorf("the intact item b: got %v, %v", got, err)
	}
	if data, _ := os.ReadFile(item); !bytes.Equal(data, garbage) {
		t.Errorf("the damaged file was changed")
	}
	// The marker proves the passphrase, so a damaged profile does not block the others.
	if err := os.Remove(filepath.Join(fileDir, "profile:b")); err != nil {
		t.Fatal(err)
	}
	if err := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn).Save(ctx, "c", testSecret("c"), Meta{}); err != nil {
		t.Errorf("Save next to a damaged item, with the marker: %v", err)
	}
	// Without the header and the marker and with only damaged items, the passphrase cannot be
	// checked; the error names the file.
	for _, n := range []string{headerName, markerKey, "profile:c"} {
		if err := os.Remove(filepath.Join(fileDir, n)); err != nil {
			t.Fatal(err)
		}
	}
	s3 := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s3.Save(ctx, "c", testSecret("c"), Meta{}); err == nil || !strings.Contains(err.Error(), item) {
		t.Errorf("Save next to only damaged items: got %v, want an error naming %s", err, item)
	}
	// A damaged item can always be removed (no passphrase needed).
	if err := newFileStore(t, cfgDir, fileDir, nil).Delete(ctx, "a"); err != nil {
		t.Errorf("Delete of a damaged profile: %v", err)
	}
}

func TestDamagedItemPayload(t *testing.T) {
	// A keyring item that decrypts but does not hold a credentials document.
	cfgDir, fileDir := dirs(t)
	ctx := context.Background()
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s.setItem(ctx, BackendFile, keyring.Item{Key: "profile:x", Data: []byte("{not json SECRETPART")}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx, "x")
	if err == nil || strings.Contains(err.Error(), "SECRETPART") || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("Load of a damaged document: got %v, want a JSON error without the content", err)
	}
}

func TestCorruptConfig(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfgDir, configFile)
	corrupt := []byte(`{"version":1,"profiles":{"a":`)
	if err := os.WriteFile(path, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	for name, err := range map[string]error{
		"Config":     func() error { _, err := s.Config(); return err }(),
		"Names":      func() error { _, err := s.Names(); return err }(),
		"Save":       s.Save(context.Background(), "a", testSecret("a"), Meta{}),
		"UpdateMeta": s.UpdateMeta("a", func(*Meta) {}),
		"Delete":     s.Delete(context.Background(), "a"),
	} {
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("%s: got %v, want an error naming %s as corrupt", name, err, path)
		}
	}
	if data, _ := os.ReadFile(path); !bytes.Equal(data, corrupt) {
		t.Errorf("corrupt config was overwritten")
	}
	if files := listDir(t, fileDir); len(files) != 0 {
		t.Errorf("keyring written although the config is corrupt")
	}
	// Newer versions are refused too.
	if err := os.WriteFile(path, []byte(`{"version":9,"profiles":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Config(); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("version 9: got %v, want a newer-version error", err)
	}
}

// failConfigRename makes renames onto config.json fail for the test's duration.
func failConfigRename(t *testing.T) {
	orig := renameFile
	renameFile = func(from, to string) error {
		if filepath.Base(to) == configFile {
			return errors.New("disk full (injected)")
		}
		return orig(from, to)
	}
	t.Cleanup(func() { renameFile = orig })
}

func TestSaveRollsBackWhenConfigWriteFails(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	ctx := context.Background()
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s.Save(ctx, "old", testSecret("1"), Meta{}); err != nil {
		t.Fatal(err)
	}
	failConfigRename(t)

	err := s.Save(ctx, "new", testSecret("2"), Meta{})
	if err == nil || !strings.Contains(err.Error(), "injected") || !strings.Contains(err.Error(), "put back") {
		t.Fatalf("Save: got %v, want the config error and a note that the keyring was put back", err)
	}
	if _, err := s.Load(ctx, "new"); !errors.Is(err, ErrNotFound) {
		t.Errorf("new profile after rollback: got %v, want ErrNotFound", err)
	}
	if err := s.Save(ctx, "old", testSecret("3"), Meta{}); err == nil {
		t.Fatal("overwrite: got no error, want one")
	}
	if got, err := s.Load(ctx, "old"); err != nil || got != testSecret("1") {
		t.Errorf("overwritten profile after rollback = %v, %v; want the original", got, err)
	}
	for name := range listDir(t, fileDir) {
		if name != "profile:old" && name != markerKey && name != keyringLockName && name != headerName {
			t.Errorf("left behind in the keyring folder: %s", name)
		}
	}
	for name := range listDir(t, cfgDir) {
		if strings.Contains(name, ".tmp-") {
			t.Errorf("temp file left in the config dir: %s", name)
		}
	}
}

func TestUpdateMeta(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	if err := s.Save(context.Background(), "a", testSecret("a"), withTenant(testMeta("a"), "t")); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	if err := s.UpdateMeta("a", func(m *Meta) { m.LastCheckAt, m.LastCheckStatus, m.LastErrorKind = at, StatusRejected, "invalid_grant" }); err != nil {
		t.Fatal(err)
	}
	m, err := s.Meta("a")
	if err != nil || !m.LastCheckAt.Equal(at) || m.LastCheckStatus != StatusRejected || m.LastErrorKind != "invalid_grant" || m.Tenant != "t" {
		t.Errorf("Meta after UpdateMeta = %+v, %v", m, err)
	}
	if err := s.UpdateMeta("zz", func(*Meta) { t.Error("fn called for a missing profile") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateMeta of a missing profile: got %v, want ErrNotFound", err)
	}
	// UpdateMetas: both existing profiles updated in one write, the missing one skipped.
	if err := s.Save(context.Background(), "b", testSecret("b"), withTenant(testMeta("b"), "tb")); err != nil {
		t.Fatal(err)
	}
	ida, idb := testSecret("a"), testSecret("b")
	applied, err := s.UpdateMetasIf(map[string]MetaUpdate{
		"a":  {Issuer: ida.Issuer, ClientID: ida.ClientID, AccessKeyID: ida.AccessKeyID, Apply: func(m *Meta) { m.LastCheckStatus = StatusValid }},
		"b":  {Issuer: idb.Issuer, ClientID: idb.ClientID, AccessKeyID: idb.AccessKeyID, Apply: func(m *Meta) { m.LastCheckStatus = StatusRejected }},
		"zz": {Apply: func(*Meta) { t.Error("fn called for a missing profile") }},
	})
	if !slices.Equal(applied, []string{"a", "b"}) {
		t.Errorf("UpdateMetasIf applied %v, want [a b]", applied)
	}
	ma, _ := s.Meta("a")
	mb, _ := s.Meta("b")
	if err != nil || ma.LastCheckStatus != StatusValid || mb.LastCheckStatus != StatusRejected || mb.Tenant != "tb" {
		t.Errorf("UpdateMetas: err %v, a %q, b %q (tenant %q)", err, ma.LastCheckStatus, mb.LastCheckStatus, mb.Tenant)
	}
	if err := s.SetDefault("a"); err != nil {
		t.Errorf("SetDefault: %v", err)
	}
	if err := s.SetDefault("zz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetDefault of a missing profile: got %v, want ErrNotFound", err)
	}
}

func TestInvalidNames(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, nil)
	ctx := context.Background()
	for _, n := range []string{"", "Upper", "-x", "a/b", "../x", strings.Repeat("a", 65), "a b", "a:b"} {
		if ValidProfileName(n) == nil {
			t.Errorf("ValidProfileName(%q) = nil, want an error", n)
		}
		if err := s.Save(ctx, n, testSecret("x"), Meta{}); err == nil {
			t.Errorf("Save(%q) = nil, want an error", n)
		}
		if _, err := s.Load(ctx, n); err == nil {
			t.Errorf("Load(%q) = nil, want an error", n)
		}
	}
	for _, n := range []string{"default", "a", "0", "prod.eu-1_x", strings.Repeat("a", 64)} {
		if err := ValidProfileName(n); err != nil {
			t.Errorf("ValidProfileName(%q) = %v, want nil", n, err)
		}
	}
	if err := ValidProfileName("TOPSECRETVALUE"); err == nil || strings.Contains(err.Error(), "TOPSECRETVALUE") {
		t.Errorf("ValidProfileName error %v should not echo the input", err)
	}
}

func TestValidBackend(t *testing.T) {
	for _, b := range []string{"auto", "keychain", "wincred", "secret-service", "kwallet", "pass", "keyctl", "file"} {
		if err := ValidBackend(b); err != nil {
			t.Errorf("ValidBackend(%q) = %v", b, err)
		}
	}
	if err := ValidBackend("vault"); err == nil || !strings.Contains(err.Error(), "secret-service") {
		t.Errorf("ValidBackend(vault) = %v, want an error listing the backends", err)
	}
	if _, err := Open(Options{Backend: "vault"}); err == nil {
		t.Errorf("Open with an unknown backend: got nil error")
	}
}

func TestBackendsList(t *testing.T) {
	infos := Backends("/some/dir", nil)
	defaults := 0
	var names []string
	for _, in := range infos {
		names = append(names, in.Name)
		if in.Default {
			defaults++
			if !in.Available {
				t.Errorf("default backend %s is not available", in.Name)
			}
		}
		if in.Label == "" || in.Note == "" {
			t.Errorf("backend %s lacks a label or note", in.Name)
		}
		if in.Name == BackendFile && (!in.Available || !strings.Contains(in.Note, "/some/dir")) {
			t.Errorf("file backend = %+v, want available with the folder in the note", in)
		}
	}
	if defaults != 1 {
		t.Errorf("%d defaults, want 1", defaults)
	}
	if !slices.Contains(names, BackendFile) || slices.Contains(names, BackendAuto) {
		t.Errorf("backends %v: want file and not auto", names)
	}
	if runtime.GOOS == "linux" && (!slices.Contains(names, BackendKeyctl) || slices.Contains(names, BackendKeychain)) {
		t.Errorf("linux backends %v: want keyctl, not keychain", names)
	}
	for _, in := range infos {
		if in.Name == BackendKeyctl && in.Default {
			t.Errorf("keyctl must never be the automatic choice")
		}
	}
}

func TestAutoSkipsUnusableBackends(t *testing.T) {
	// With the session bus disabled and no password store, auto must fall back to the file.
	if runtime.GOOS != "linux" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "disabled:" {
		t.Skip("needs Linux with DBUS_SESSION_BUS_ADDRESS=disabled: (the project's test setting)")
	}
	env := envOf(map[string]string{"PASSWORD_STORE_DIR": t.TempDir(), "HOME": t.TempDir()})
	if got := autoBackend(env); got != BackendFile {
		t.Errorf("autoBackend() = %q, want file", got)
	}
	cfgDir, _ := dirs(t)
	s, err := Open(Options{ConfigDir: cfgDir, Getenv: env})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Backend(); got != BackendFile {
		t.Errorf("Backend() = %q, want file", got)
	}
}

func TestConfigBackendIsReused(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	if err := writeConfig(filepath.Join(cfgDir, configFile), Config{Backend: BackendKeyctl, FileDir: fileDir}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{ConfigDir: cfgDir})
	if err != nil {
		t.Fatal(err)
	}
	if s.Backend() != BackendKeyctl || s.FileDir() != fileDir {
		t.Errorf("Backend/FileDir = %q/%q, want the config's keyctl/%s", s.Backend(), s.FileDir(), fileDir)
	}
	s2, _ := Open(Options{Backend: BackendFile, ConfigDir: cfgDir})
	if s2.Backend() != BackendFile {
		t.Errorf("explicit backend: got %q, want file", s2.Backend())
	}
}

// TestArrayKeyringBackend runs Save/Load/Delete through the generic (non-file) path with the
// library's in-memory keyring standing in for an OS backend.
func TestArrayKeyringBackend(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	ctx := context.Background()
	s, err := Open(Options{Backend: BackendPass, ConfigDir: cfgDir, FileDir: fileDir})
	if err != nil {
		t.Fatal(err)
	}
	arr := keyring.NewArrayKeyring(nil)
	s.rings[BackendPass] = arr
	if err := s.Save(ctx, "p", testSecret("p"), Meta{}); err != nil {
		t.Fatal(err)
	}
	item, err := arr.Get("profile:p")
	if err != nil {
		t.Fatalf("item key: %v", err)
	}
	if item.Label != "CXone credentials (p)" {
		t.Errorf("label = %q", item.Label)
	}
	var doc map[string]any
	if err := json.Unmarshal(item.Data, &doc); err != nil {
		t.Fatal(err)
	}
	// "profile" names the profile the item was saved for (item binding, docs/keyring.md).
	wantKeys := []string{"access_key_id", "access_key_secret", "client_id", "client_secret", "issuer", "profile", "version"}
	if got := slices.Sorted(mapsKeys(doc)); !slices.Equal(got, wantKeys) || doc["version"] != float64(1) {
		t.Errorf("item document keys %v version %v, want %v version 1", got, doc["version"], wantKeys)
	}
	if got, err := s.Load(ctx, "p"); err != nil || got != testSecret("p") {
		t.Errorf("Load = %v, %v", got, err)
	}
	// The profile remembers its backend: a store without an explicit backend still finds it
	// although the config's default backend changes later.
	s2, _ := Open(Options{ConfigDir: cfgDir, FileDir: fileDir})
	s2.rings[BackendPass] = arr
	if got, err := s2.Load(ctx, "p"); err != nil || got != testSecret("p") {
		t.Errorf("Load via recorded backend = %v, %v", got, err)
	}
	// Moving the profile to the file backend removes the old item.
	s3, _ := Open(Options{Backend: BackendFile, ConfigDir: cfgDir, FileDir: fileDir, Getenv: envOf(map[string]string{passphraseEnv: testPass})})
	s3.rings[BackendPass] = arr
	if err := s3.Save(ctx, "p", testSecret("p2"), Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := arr.Get("profile:p"); !errors.Is(err, keyring.ErrKeyNotFound) {
		t.Errorf("old item after moving backends: got %v, want removed", err)
	}
	if err := s2.Delete(ctx, "p"); err != nil {
		t.Errorf("Delete: %v", err)
	}
	if err := s2.Delete(ctx, "p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: got %v, want ErrNotFound", err)
	}
}

func TestKeyringCallTimeout(t *testing.T) {
	s, _ := Open(Options{Timeout: 20 * time.Millisecond, ConfigDir: t.TempDir()})
	release := make(chan struct{})
	defer close(release)
	err := s.call(context.Background(), BackendSecretService, "load", func() error { <-release; return nil })
	var ke *KeyringError
	if !errors.As(err, &ke) || !errors.Is(err, ErrKeyringTimeout) {
		t.Fatalf("got %v, want a KeyringError wrapping ErrKeyringTimeout", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "secret-service") || !strings.Contains(msg, "unlock") {
		t.Errorf("message %q should name the backend and how to unlock it", msg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.call(ctx, BackendPass, "load", func() error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
	if err := s.call(context.Background(), BackendPass, "load", func() error { panic("boom") }); err == nil {
		t.Errorf("panicking backend: got nil error")
	}
}

func TestSecretMasking(t *testing.T) {
	sec := testSecret("x")
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "secret", sec)
	outs := []string{logBuf.String()}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, sprintf(f, sec))
	}
	for _, out := range outs {
		if strings.Contains(out, sec.ClientSecret) || strings.Contains(out, sec.AccessKeySecret) {
			t.Errorf("secret leaked: %q", out)
		}
	}
	if !strings.Contains(sprintf("%v", sec), "(hidden)") {
		t.Errorf("String should show the secrets as hidden: %v", sec)
	}
	if sec.Credentials().ClientSecret != sec.ClientSecret || sec.Credentials().AccessKeyID != sec.AccessKeyID {
		t.Errorf("Credentials() lost values")
	}
}

func TestMetaFromResultAndCache(t *testing.T) {
	c := auth.Credentials{ClientID: "cid", ClientSecret: "cs", AccessKeyID: "kid", AccessKeySecret: "ks"}
	checked := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := MetaFromResult("https://iss", c, &auth.Result{User: "u", TenantID: "t", BusinessUnitID: 5, APIEndpoint: "https://api",
		TokenEndpoint: "https://tok", AuthMethod: auth.AuthPost, CheckedAt: checked, AccessToken: "TOKEN"})
	if m.Issuer != "https://iss" || m.ClientID != "cid" || m.AccessKeyID != "kid" || m.User != "u" || m.BusinessUnitID != 5 ||
		m.LastCheckStatus != StatusValid || !m.LastCheckAt.Equal(checked) || m.CreatedAt.IsZero() {
		t.Errorf("MetaFromResult = %+v", m)
	}
	raw, _ := json.Marshal(m)
	for _, s := range []string{"TOKEN", `"cs"`, `"ks"`} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("meta JSON holds %s", s)
		}
	}
	if m := MetaFromResult("i", c, nil); m.LastCheckStatus != "" || m.ClientID != "cid" {
		t.Errorf("MetaFromResult(nil) = %+v", m)
	}
}

// TestNoProcessEnvironmentReads keeps the store from reading the process environment again:
// no non-test file of the package may call os.Getenv, os.LookupEnv, os.Environ or
// os.UserHomeDir (dbusguard, a separate package, is the documented exception).
func TestNoProcessEnvironmentReads(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	banned := map[string]bool{"Getenv": true, "LookupEnv": true, "Environ": true, "UserHomeDir": true}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" && banned[sel.Sel.Name] {
					t.Errorf("%s: os.%s reads the process environment; use the injected getenv", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
}
