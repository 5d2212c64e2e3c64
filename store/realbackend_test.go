package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tests below use real keyring backends, always in a throwaway instance: a private D-Bus
// session with its own gnome-keyring and data folder, a temporary GNUPGHOME and password
// store, the process-private kernel keyring. They never touch the keyring of the machine.
// A missing tool skips them, except under CI=true, where it fails them. .ci/backends.sh
// installs the tools and runs them inside a session it prepared (CXONE_STORE_TEST_BUS=1,
// CXONE_STORE_TEST_PASS=1).

// needTool skips (or, under CI, fails) when a program is missing.
func needTool(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI=true (run .ci/backends.sh --install): %v", n, err)
			}
			t.Skipf("%s is not installed", n)
		}
	}
}

// exerciseBackend runs Save, Load, Names, overwrite and Delete against backend b for real.
func exerciseBackend(t *testing.T, b string) {
	t.Helper()
	cfgDir := t.TempDir()
	s, err := Open(Options{Backend: b, ConfigDir: cfgDir, Timeout: 20 * time.Second, Getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Backend(); got != b {
		t.Fatalf("Backend() = %q, want %q", got, b)
	}
	ctx := context.Background()
	names := []string{"real-test-a", "real-test-b"}
	t.Cleanup(func() {
		for _, n := range names {
			_ = s.Delete(context.Background(), n) // best effort: the instance is thrown away anyway
		}
	})
	for _, n := range names {
		if err := s.Save(ctx, n, testSecret(n), Meta{Tenant: n}); err != nil {
			t.Fatalf("Save(%s): %v", n, err)
		}
	}
	for _, n := range names {
		if got, err := s.Load(ctx, n); err != nil || got != testSecret(n) {
			t.Fatalf("Load(%s) = %v, %v; want %v", n, got, err, testSecret(n))
		}
	}
	if got, err := s.Names(); err != nil || !slices.Equal(got, names) {
		t.Errorf("Names() = %v, %v; want %v", got, err, names)
	}
	// A fresh Store (another process, in effect) finds them through the config.
	s2, _ := Open(Options{ConfigDir: cfgDir, Getenv: os.Getenv})
	if got, err := s2.Load(ctx, names[0]); err != nil || got != testSecret(names[0]) {
		t.Errorf("Load from a fresh store = %v, %v", got, err)
	}
	// The cache lives in the item: a compare-and-swap update writes it, a stale one does not.
	cache := &SecretCache{TokenEndpoint: "https://cxone.niceincontact.com/auth/token", AuthMethod: "client_secret_basic",
		TenantID: "t", APIEndpoint: "https://api-na1.niceincontact.com", AccessToken: "REAL-BACKEND-TOKEN", TokenExpiresAt: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
	if wrote, err := s.UpdateSecret(ctx, names[0], testSecret(names[0]), func(x *Secret) { x.Cache = cache }); err != nil || !wrote {
		t.Fatalf("UpdateSecret: wrote %v, err %v", wrote, err)
	}
	if got, err := s2.Load(ctx, names[0]); err != nil || got.Cache == nil || !got.Cache.equal(*cache) {
		t.Errorf("Load after UpdateSecret = %v, %v; want the cache", got, err)
	}
	if wrote, err := s.UpdateSecret(ctx, names[0], testSecret("stale"), func(x *Secret) { x.Cache = nil }); err != nil || wrote {
		t.Errorf("stale UpdateSecret: wrote %v, err %v; want no write", wrote, err)
	}
	res := s2.LoadMany(ctx, append([]string{"real-test-missing"}, names...))
	for _, n := range names {
		if r := res[n]; r.Err != nil || r.Secret.SameIdentity(testSecret(n)) == false {
			t.Errorf("LoadMany[%s] = %v, %v", n, r.Secret, r.Err)
		}
	}
	if !errors.Is(res["real-test-missing"].Err, ErrNotFound) {
		t.Errorf("LoadMany of a missing profile: %v", res["real-test-missing"].Err)
	}
	// An item without a config entry (a killed save) is listed as an orphan.
	data, _ := json.Marshal(testSecret("orphan"))
	if err := s.setItem(ctx, b, secretItem(b, "real-test-orphan", data)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Orphans(ctx); err != nil || !slices.Contains(got, "real-test-orphan") || slices.Contains(got, names[1]) {
		t.Errorf("Orphans = %v, %v; want real-test-orphan and not the saved profiles", got, err)
	}
	if _, err := s.removeItem(ctx, b, itemKey(b, "real-test-orphan")); err != nil {
		t.Error(err)
	}
	// Saving new credentials replaces the whole item: the cache goes.
	if err := s.Save(ctx, names[0], testSecret("changed"), Meta{}); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	if got, err := s.Load(ctx, names[0]); err != nil || !got.Equal(testSecret("changed")) {
		t.Errorf("Load after overwrite = %v, %v", got, err)
	}
	for _, n := range names {
		if err := s.Delete(ctx, n); err != nil {
			t.Fatalf("Delete(%s): %v", n, err)
		}
		if _, err := s.Load(ctx, n); !errors.Is(err, ErrNotFound) {
			t.Errorf("Load(%s) after Delete: got %v, want ErrNotFound", n, err)
		}
		if err := s.Delete(ctx, n); !errors.Is(err, ErrNotFound) {
			t.Errorf("second Delete(%s): got %v, want ErrNotFound", n, err)
		}
	}
	if got, _ := s.Names(); len(got) != 0 {
		t.Errorf("Names() after deleting all = %v, want none", got)
	}
}

// TestSecretServiceRoundTrip stores profiles in a real gnome-keyring over D-Bus, collection
// `login`. Outside a prepared session it re-runs itself in a private one.
func TestSecretServiceRoundTrip(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service backend exists on Linux only")
	}
	if os.Getenv("CXONE_STORE_TEST_BUS") != "1" {
		needTool(t, "dbus-run-session", "gnome-keyring-daemon")
		runInPrivateSession(t, "^TestSecretServiceRoundTrip$")
		return
	}
	if ok, note := probe(BackendSecretService, "", os.Getenv); !ok {
		t.Fatalf("no Secret Service in the prepared session: %s", note)
	}
	exerciseBackend(t, BackendSecretService)
	if _, err := exec.LookPath("secret-tool"); err == nil {
		// Seen from outside: the item lives in the service under our key.
		s, _ := Open(Options{Backend: BackendSecretService, ConfigDir: t.TempDir(), Getenv: os.Getenv})
		if err := s.Save(context.Background(), "seen", testSecret("seen"), Meta{}); err != nil {
			t.Fatal(err)
		}
		// lookup prints the stored document (a secret): check only that it is found.
		if err := exec.Command("secret-tool", "lookup", "profile", "profile:seen").Run(); err != nil {
			t.Errorf("secret-tool lookup profile profile:seen: %v, want the item found", err)
		}
		if err := s.Delete(context.Background(), "seen"); err != nil {
			t.Error(err)
		}
		if err := exec.Command("secret-tool", "lookup", "profile", "profile:seen").Run(); err == nil {
			t.Errorf("secret-tool still finds the item after Delete")
		}
	}
	t.Log("SECRET-SERVICE-RAN")
}

// runInPrivateSession re-runs the test binary inside `dbus-run-session` with a fresh
// gnome-keyring whose login keyring is unlocked with a throwaway password, in temp folders.
func runInPrivateSession(t *testing.T, pattern string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.MkdirTemp("", "cxks")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	run := filepath.Join(base, "run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	script := `echo -n throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
"$@"; rc=$?
# The daemon leaves with the bus; ask it to go now so nothing outlives the test.
pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk '/uint32/ {print $2}')
[ -n "$pid" ] && kill "$pid" 2>/dev/null
exit $rc`
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dbus-run-session", "--", "sh", "-c", script, "sh", exe, "-test.run="+pattern, "-test.v", "-test.count=1")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "HOME="+base, "XDG_DATA_HOME="+filepath.Join(base, "data"), "XDG_CONFIG_HOME="+filepath.Join(base, "config"),
		"XDG_RUNTIME_DIR="+run, "CXONE_STORE_TEST_BUS=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SECRET-SERVICE-RAN") {
		t.Fatalf("in a private D-Bus session: %v\n%s", err, out)
	}
}

// TestPassRoundTrip stores profiles with the real pass and gpg, in a temporary GNUPGHOME and
// password store (made here unless .ci/backends.sh prepared them).
func TestPassRoundTrip(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pass does not exist on Windows")
	}
	needTool(t, "pass", "gpg")
	if os.Getenv("CXONE_STORE_TEST_PASS") != "1" {
		setupPassStore(t)
	}
	if ok, note := probe(BackendPass, "", os.Getenv); !ok {
		t.Fatalf("pass is not usable: %s", note)
	}
	exerciseBackend(t, BackendPass)
	s, _ := Open(Options{Backend: BackendPass, ConfigDir: t.TempDir(), Getenv: os.Getenv})
	if err := s.Save(context.Background(), "listed", testSecret("listed"), Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("PASSWORD_STORE_DIR"), "cxone-auth", "profile:listed.gpg")); err != nil {
		t.Errorf("pass item not under cxone-auth/: %v", err)
	}
	if err := s.Delete(context.Background(), "listed"); err != nil {
		t.Error(err)
	}
}

// setupPassStore makes a throwaway GPG key (no passphrase) and password store.
func setupPassStore(t *testing.T) {
	t.Helper()
	base, err := os.MkdirTemp("", "cxpass") // short: gpg-agent's socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	gnupg, store := filepath.Join(base, "gnupg"), filepath.Join(base, "store")
	if err := os.MkdirAll(gnupg, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GNUPGHOME", gnupg)
	t.Setenv("PASSWORD_STORE_DIR", store)
	t.Cleanup(func() {
		_ = exec.Command("gpgconf", "--kill", "gpg-agent").Run() // the agent started for this home
		os.RemoveAll(base)
	})
	run := func(stdin string, name string, args ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run("%no-protection\nKey-Type: EdDSA\nKey-Curve: ed25519\nSubkey-Type: ECDH\nSubkey-Curve: cv25519\nName-Real: cxone-auth test\nName-Email: test@cxone-auth.invalid\nExpire-Date: 0\n%commit\n",
		"gpg", "--batch", "--gen-key")
	run("", "pass", "init", "test@cxone-auth.invalid")
}

// TestKeyctlRoundTrip uses the kernel keyring inside a fresh anonymous session keyring
// (`keyctl session -` re-runs the test binary in one), so nothing reaches the user's keyrings
// and every thread of the process sees the same keyring.
func TestKeyctlRoundTrip(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the kernel keyring exists on Linux only")
	}
	if err := keyctlUsable(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kernel keyring not usable under CI=true: %v", err)
		}
		t.Skipf("kernel keyring not usable here: %v", err)
	}
	if os.Getenv("CXONE_STORE_TEST_KEYCTL") != "1" {
		needTool(t, "keyctl")
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "keyctl", "session", "-", exe, "-test.run=^TestKeyctlRoundTrip$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "CXONE_STORE_TEST_KEYCTL=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "KEYCTL-RAN") {
			t.Fatalf("in a fresh session keyring: %v\n%s", err, out)
		}
		return
	}
	orig := keyctlScope
	keyctlScope = "session"
	t.Cleanup(func() { keyctlScope = orig })
	exerciseBackend(t, BackendKeyctl)
	t.Log("KEYCTL-RAN")
}
