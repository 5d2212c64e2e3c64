package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// agentProcesses lists the pids of running agents whose command line names sock.
func agentProcesses(t *testing.T, sock string) []int {
	t.Helper()
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if strings.Contains(string(cmd), agentCmdName) && strings.Contains(string(cmd), sock) {
			if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && !strings.Contains(string(st), ") Z ") {
				out = append(out, pid)
			}
		}
	}
	return out
}

func countProcs(name string) int {
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		if c, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm")); err == nil && strings.TrimSpace(string(c)) == name {
			n++
		}
	}
	return n
}

// TestUnlockAgentEndToEnd: unlock starts one agent (the real binary) in a session of its own
// with no terminal or file inherited; commands then need no passphrase; a second unlock moves
// the deadline of the same agent; lock ends it and the passphrase is needed again; no D-Bus
// daemon or other process is left.
func TestUnlockAgentEndToEnd(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	bin := testBinary(t)
	orig := agentExecutable
	agentExecutable = func() (string, error) { return bin, nil }
	t.Cleanup(func() { agentExecutable = orig })
	run := filepath.Join(e.dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	e.vars["XDG_RUNTIME_DIR"] = run
	dbusBefore := countProcs("dbus-daemon")
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatal(stderr)
	}
	t.Cleanup(func() { e.run("lock") })
	// A descriptor without close-on-exec, as a shell's 3>file hands one to the command: the
	// agent must not keep it.
	leak := filepath.Join(e.dir, "inherited.txt")
	if err := os.WriteFile(leak, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	lfd, err := syscall.Open(leak, syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(lfd) })
	code, _, stderr := e.run("unlock", "--for", "1m")
	if code != 0 || !strings.Contains(stderr, "is unlocked until") {
		t.Fatalf("unlock: exit %d: %s", code, stderr)
	}
	socks, _ := filepath.Glob(filepath.Join(run, "cxone-auth", "agent-*.sock"))
	if len(socks) != 1 {
		t.Fatalf("sockets: %v", socks)
	}
	if entries, _ := os.ReadDir(filepath.Join(run, "cxone-auth")); len(entries) != 1 {
		t.Errorf("the runtime folder holds more than the socket: %v", entries)
	}
	pids := agentProcesses(t, socks[0])
	if len(pids) != 1 {
		t.Fatalf("agent processes: %v", pids)
	}
	pid := strconv.Itoa(pids[0])
	st, _ := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	fields := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+1:]))
	if len(fields) < 5 || fields[3] != pid || fields[4] != "0" {
		t.Errorf("agent not in a session of its own without a terminal: session %v tty %v", fields[3], fields[4])
	}
	fds, _ := os.ReadDir(filepath.Join("/proc", pid, "fd"))
	for _, fd := range fds {
		target, _ := os.Readlink(filepath.Join("/proc", pid, "fd", fd.Name()))
		// The runtime's own reads of the cgroup CPU quota are the agent's, not inherited.
		if strings.HasPrefix(target, "/") && target != "/dev/null" && !strings.HasPrefix(target, "/sys/fs/cgroup/") {
			t.Errorf("agent holds fd %s -> %s", fd.Name(), target)
		}
	}
	env, _ := os.ReadFile(filepath.Join("/proc", pid, "environ"))
	if strings.Contains(string(env), "CXONE_") {
		t.Errorf("the agent's environment has a CXONE_ variable")
	}

	// No passphrase from here on.
	pass := e.vars["CXONE_KEYRING_PASSPHRASE"]
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")
	if code, out, stderr := e.run("token", "--profile", "prod"); code != 0 || out == "" {
		t.Fatalf("token with the agent: exit %d: %s", code, stderr)
	}
	if code, _, stderr := e.run("unlock", "--for", "2m"); code != 0 || !strings.Contains(stderr, "replaced") {
		t.Errorf("second unlock: exit %d: %s", code, stderr)
	}
	if got := agentProcesses(t, socks[0]); len(got) != 1 || got[0] != pids[0] {
		t.Errorf("after the second unlock: agents %v, want the same one %d", got, pids[0])
	}
	if code, _, stderr := e.run("lock"); code != 0 || !strings.Contains(stderr, "Locked") {
		t.Errorf("lock: exit %d: %s", code, stderr)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(agentProcesses(t, socks[0])) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := agentProcesses(t, socks[0]); len(got) > 0 {
		t.Fatalf("the agent outlived lock: %v", got)
	}
	if _, err := os.Lstat(socks[0]); err == nil {
		t.Errorf("the socket outlived the agent")
	}
	if code, _, _ := e.run("token", "--profile", "prod"); code == 0 {
		t.Errorf("token without agent or passphrase succeeded")
	}
	if code, _, stderr := e.run("lock"); code != 0 || !strings.Contains(stderr, "No unlock agent") {
		t.Errorf("lock with no agent: exit %d: %s", code, stderr)
	}
	e.vars["CXONE_KEYRING_PASSPHRASE"] = pass
	for _, bad := range []string{"0s", "-1h", "25h"} {
		if code, _, _ := e.run("unlock", "--for", bad); code != 2 {
			t.Errorf("unlock --for %s: exit %d, want 2", bad, code)
		}
	}
	e.vars["CXONE_KEYRING_BACKEND"] = "pass"
	if code, _, stderr := e.run("unlock"); code != 0 || !strings.Contains(stderr, "unlocked by the operating system") {
		t.Errorf("unlock on an OS keyring: exit %d: %s", code, stderr)
	}
	if n := countProcs("dbus-daemon"); n > dbusBefore {
		t.Errorf("%d dbus-daemon processes were left", n-dbusBefore)
	}
}

// TestScreensAskNothingWhenUnlocked: with the agent holding the key, the profiles screen's
// unlock before it opens asks no passphrase, the wizard's list of profiles needs none, and
// every profile reads (through the agent) with no passphrase anywhere.
func TestScreensAskNothingWhenUnlocked(t *testing.T) {
	e := threeProfiles(t) // stored with the passphrase; the variable is unset afterwards
	orig := agentExecutable
	bin := testBinary(t)
	agentExecutable = func() (string, error) { return bin, nil }
	t.Cleanup(func() { agentExecutable = orig })
	run := filepath.Join(e.dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	e.vars["XDG_RUNTIME_DIR"] = run
	e.vars["CXONE_KEYRING_PASSPHRASE"] = homePassphrase
	if code, _, stderr := e.run("unlock", "--for", "1m"); code != 0 {
		t.Fatalf("unlock: %s", stderr)
	}
	t.Cleanup(func() { e.run("lock") })
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")

	f, errOut := newTTYFactory(t, e, "") // a terminal where nothing is typed
	if !f.passphraseKnown() {
		t.Errorf("the agent's key does not count as a known passphrase")
	}
	if err := f.unlockKeyring(context.Background()); err != nil {
		t.Fatalf("unlockKeyring: %v", err)
	}
	if strings.Contains(errOut.String(), "Passphrase") {
		t.Errorf("a passphrase was asked:\n%s", errOut.String())
	}
	profiles, err := profileSource{f}.Profiles(context.Background())
	if err != nil || len(profiles) == 0 {
		t.Fatalf("profiles: %v, %v", profiles, err)
	}
	for _, p := range profiles {
		if p.NeedsPassphrase {
			t.Errorf("%s needs a passphrase although the keyring is unlocked", p.Name)
		}
	}
	s, err := f.Store()
	if err != nil {
		t.Fatal(err)
	}
	names, _ := s.Names()
	for n, r := range s.LoadMany(context.Background(), names) {
		if r.Err != nil {
			t.Errorf("%s: %v", n, r.Err)
		}
	}
	// Locked again: the same screen would have to ask.
	if code, _, _ := e.run("lock"); code != 0 {
		t.Fatal("lock failed")
	}
	f2, _ := newTTYFactory(t, e, "")
	if f2.passphraseKnown() {
		t.Errorf("after lock the passphrase still counts as known")
	}
}
