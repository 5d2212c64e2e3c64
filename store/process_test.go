package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"go/build"
	"io"
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
	case "create":
		os.Exit(helperCreate())
	}
	fmt.Fprintln(os.Stderr, "unknown helper")
	os.Exit(2)
}

// helperSave saves profiles PREFIX-0..N-1 once the parent says go (a line on stdin).
func helperSave() int {
	// The helper is a stand-in for the command, which hands its environment in.
	s, err := Open(Options{Backend: BackendFile, ConfigDir: os.Getenv("T_CONFIG"), FileDir: os.Getenv("T_FILE"), Getenv: os.Getenv})
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

// helperCreate saves profile T_NAME into a keyring that does not exist yet, with the "new"
// passphrase T_PASS typed at a prompt. The prompt says "asked" and waits for a line on stdin,
// so the parent can make two processes both decide to create the keyring before either does.
// Exit 3 is a wrong passphrase.
func helperCreate() int {
	in := bufio.NewReader(os.Stdin)
	prompt := func(_ context.Context, _ string, confirm bool) (string, error) {
		fmt.Printf("asked new=%v\n", confirm)
		if _, err := in.ReadString('\n'); err != nil {
			return "", err
		}
		return os.Getenv("T_PASS"), nil
	}
	s, err := Open(Options{Backend: BackendFile, ConfigDir: os.Getenv("T_CONFIG"), FileDir: os.Getenv("T_FILE"), Passphrase: prompt})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n := os.Getenv("T_NAME")
	if err := s.Save(context.Background(), n, testSecret(n), testMeta(n)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if errors.Is(err, ErrWrongPassphrase) {
			return 3
		}
		return 1
	}
	return 0
}

// TestConcurrentProcessesCreateKeyring: two real processes set up the first profile into the
// same new keyring at the same moment, each with its own new passphrase. Both are asked for a
// new passphrase (neither sees a keyring); the creation lock lets one create it, and the other
// finds it created meanwhile, refuses its passphrase and writes nothing.
func TestConcurrentProcessesCreateKeyring(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	passes := []string{"process one passphrase", "process two passphrase"}
	type proc struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		stderr *strings.Builder
	}
	var procs []proc
	for i, p := range passes {
		cmd := helperCmd(t, "create", "T_CONFIG="+cfgDir, "T_FILE="+fileDir, "T_PASS="+p, fmt.Sprintf("T_NAME=p%d", i))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stderr := &strings.Builder{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		procs = append(procs, proc{cmd, stdin, stderr})
		// Wait until this process is at its prompt, having found no keyring.
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "asked new=true\n" {
			t.Fatalf("helper %d: %q, %v (stderr %s)", i, line, err, stderr.String())
		}
	}
	for _, p := range procs {
		if _, err := p.stdin.Write([]byte("go\n")); err != nil {
			t.Fatal(err)
		}
	}
	var codes []int
	for i, p := range procs {
		err := p.cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
		if code == 3 && !strings.Contains(p.stderr.String(), "created meanwhile") {
			t.Errorf("helper %d refused with %q, want it to say the keyring was created meanwhile", i, p.stderr.String())
		}
		if code != 0 && code != 3 {
			t.Errorf("helper %d: exit %d: %s", i, code, p.stderr.String())
		}
	}
	slices.Sort(codes)
	if !slices.Equal(codes, []int{0, 3}) {
		t.Fatalf("exit codes %v, want one success and one wrong passphrase", codes)
	}
	if got := openingPassphrases(t, fileDir, passes...); len(got) != 1 {
		t.Errorf("%d passphrases open the whole keyring, want exactly 1", len(got))
	}
	if n := len(fileItems(fileDir)); n != 1 {
		t.Errorf("%d profile items, want 1", n)
	}
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
		cmd := helperCmd(t, "save", "T_CONFIG="+cfgDir, "T_FILE="+fileDir, "T_PREFIX="+p, passphraseEnv+"="+testPass)
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
	s, err := Open(Options{Backend: BackendFile, ConfigDir: cfgDir, FileDir: fileDir, Getenv: envOf(map[string]string{passphraseEnv: testPass})})
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
