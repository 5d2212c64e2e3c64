package store

import (
	"bufio"
	"context"
	"fmt"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cxone-auth/store/dbusguard"
)

// helperEnv selects a helper role when the test binary re-runs itself as a subprocess.
const helperEnv = "CXONE_STORE_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "guard":
		// Report what the process saw after every package init (dbusguard's and keyring's).
		fmt.Printf("addr=%s applied=%s\n", os.Getenv("DBUS_SESSION_BUS_ADDRESS"), dbusguard.Applied)
		os.Exit(0)
	case "save":
		os.Exit(helperSave())
	case "crash-write":
		os.Exit(helperCrashWrite())
	}
	fmt.Fprintln(os.Stderr, "unknown helper")
	os.Exit(2)
}

// helperSave saves profiles PREFIX-0..N-1 once the parent says go (a line on stdin).
func helperSave() int {
	s, err := Open(Options{Backend: BackendFile, ConfigDir: os.Getenv("T_CONFIG"), FileDir: os.Getenv("T_FILE")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	prefix := os.Getenv("T_PREFIX")
	for i := 0; i < 8; i++ {
		n := fmt.Sprintf("%s-%d", prefix, i)
		if err := s.Save(context.Background(), n, testSecret(n), Meta{Tenant: n}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func helperCmd(t *testing.T, role string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=" + role}, env...)...)
	return cmd
}

// TestConcurrentProcessesSave starts two real processes that save different profiles into
// the same config and keyring at the same moment; every profile of both must survive.
func TestConcurrentProcessesSave(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	prefixes := []string{"alpha", "beta", "gamma"}
	var procs []*exec.Cmd
	var gos []func() error
	for _, p := range prefixes {
		cmd := helperCmd(t, "save", "T_CONFIG="+cfgDir, "T_FILE="+fileDir, "T_PREFIX="+p, passphraseEnv+"=shared-pw")
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "ready\n" {
			t.Fatalf("helper %s: %q, %v (stderr %s)", p, line, err, stderr.String())
		}
		procs = append(procs, cmd)
		gos = append(gos, func() error {
			_, err := stdin.Write([]byte("go\n"))
			return err
		})
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("helper %s stderr: %s", p, stderr.String())
			}
		})
	}
	for _, g := range gos {
		if err := g(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range procs {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %s: %v", prefixes[i], err)
		}
	}
	t.Setenv(passphraseEnv, "shared-pw")
	s, err := Open(Options{Backend: BackendFile, ConfigDir: cfgDir, FileDir: fileDir})
	if err != nil {
		t.Fatal(err)
	}
	names, err := s.Names()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range prefixes {
		for i := 0; i < 8; i++ {
			want = append(want, fmt.Sprintf("%s-%d", p, i))
		}
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("profiles after concurrent saves:\ngot  %v\nwant %v", names, want)
	}
	for _, n := range want {
		if got, err := s.Load(context.Background(), n); err != nil || got != testSecret(n) {
			t.Errorf("Load(%s) = %v, %v", n, got, err)
		}
	}
}

// TestGuardRunsBeforeKeyring re-runs the test binary with DBUS_SESSION_BUS_ADDRESS unset and
// XDG_RUNTIME_DIR pointing at a folder where this test listens on "bus". The guard must set
// the address to that socket before the keyring library's init connects to the session bus:
// the connection arriving on the socket proves the order. The child is then refused, so no
// bus is found and nothing is launched.
func TestGuardRunsBeforeKeyring(t *testing.T) {
	dir, err := os.MkdirTemp("", "g") // short: unix socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "bus")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	connected := make(chan struct{}, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// Answer the greeting (the guard probes the bus first), then hang up.
			if line, err := bufio.NewReader(c).ReadString('\n'); err == nil && strings.HasPrefix(line, "\x00AUTH") {
				c.Write([]byte("OK 0123456789abcdef0123456789abcdef\r\n"))
			}
			connected <- struct{}{}
			c.Close()
		}
	}()

	cmd := helperCmd(t, "guard")
	var env []string
	for _, kv := range cmd.Env {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "XDG_RUNTIME_DIR="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	if got, want := strings.TrimSpace(string(out)), "addr=unix:path="+sock+" applied=systemd-user-bus"; got != want {
		t.Errorf("child saw %q, want %q", got, want)
	}
	for i := range 2 { // the guard's probe, then the keyring library
		select {
		case <-connected:
		case <-time.After(10 * time.Second):
			t.Fatalf("connection %d never came: the keyring library never connected to the address the guard set (the guard ran too late)", i+1)
		}
	}

	// Without a runtime dir the guard disables D-Bus instead.
	cmd = helperCmd(t, "guard")
	cmd.Env = append(env, "XDG_RUNTIME_DIR=")
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	if got, want := strings.TrimSpace(string(out)), "addr=disabled: applied=disabled"; got != want {
		t.Errorf("child saw %q, want %q", got, want)
	}
}

// TestStoreImportsGuard checks the package itself (not only this test binary) imports the
// guard, so every program using store gets it.
func TestStoreImportsGuard(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pkg.Imports, "cxone-auth/store/dbusguard") {
		t.Errorf("store imports %v, want cxone-auth/store/dbusguard among them", pkg.Imports)
	}
}
