package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The helper role: the test binary re-run as another user, asking the agent for the key.
const agentHelperEnv = "CXONE_AGENT_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(agentHelperEnv) == "raw" {
		// An attacker's own client: no checks of its own, just the request.
		c, err := net.DialTimeout("unix", os.Getenv("T_SOCK"), time.Second)
		if err != nil {
			fmt.Printf("refused: %v\n", err)
			os.Exit(3)
		}
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		fmt.Fprintf(c, `{"op":"get","dir":%q,"header":%q}`+"\n", os.Getenv("T_DIR"), HeaderDigest([]byte(os.Getenv("T_HEADER"))))
		out, _ := io.ReadAll(c)
		if bytes.Contains(out, []byte(`"key"`)) {
			fmt.Printf("KEY %s\n", out)
			os.Exit(0)
		}
		fmt.Printf("refused: %q\n", out)
		os.Exit(3)
	}
	if os.Getenv(agentHelperEnv) == "get" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		key, err := Get(ctx, os.Getenv("T_SOCK"), os.Getenv("T_DIR"), []byte(os.Getenv("T_HEADER")))
		if err == nil && len(key) > 0 {
			fmt.Printf("KEY %x\n", key)
			os.Exit(0)
		}
		fmt.Printf("refused: %v\n", err)
		os.Exit(3)
	}
	os.Exit(m.Run())
}

var testKey = bytes.Repeat([]byte{0xA5}, 32)

// agentSetup is a keyring folder with a header and a private runtime folder.
type agentSetup struct {
	runtime, dir, sock string
	header             []byte
}

func newAgentSetup(t *testing.T, base string) *agentSetup {
	t.Helper()
	if base == "" {
		base = t.TempDir()
	}
	a := &agentSetup{dir: filepath.Join(base, "keyring"), header: []byte(`{"format":2,"salt":"` + t.Name() + `"}` + "\n")}
	if err := os.MkdirAll(a.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(a.dir, "keyring.json"), a.header, 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "XDG_RUNTIME_DIR" {
			return base
		}
		return ""
	}
	var err error
	if a.runtime, err = RuntimeDir(env, true); err != nil {
		t.Fatal(err)
	}
	a.sock = socketName(a.runtime, a.dir)
	return a
}

// serve runs an agent until the test ends; the channel is closed when it exits.
func (a *agentSetup) serve(t *testing.T, deadline time.Duration) chan struct{} {
	t.Helper()
	done := make(chan struct{})
	ready := make(chan struct{})
	exited := make(chan struct{})
	var serr error
	go func() {
		defer close(exited)
		serr = Serve(Config{Socket: a.sock, Dir: a.dir, Header: a.header, Key: testKey, Deadline: time.Now().Add(deadline),
			Ready: func() { close(ready) }, Done: done})
	}()
	select {
	case <-ready:
	case <-exited:
		t.Fatalf("Serve: %v", serr)
	case <-time.After(3 * time.Second):
		t.Fatal("the agent did not start")
	}
	t.Cleanup(func() { close(done); <-exited })
	return exited
}

func get(t *testing.T, a *agentSetup, dir string, header []byte) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	return Get(ctx, a.sock, dir, header)
}

// TestServesOnlyItsKeyring: the key for the folder and header it was unlocked for, nothing
// for another folder or another header.
func TestServesOnlyItsKeyring(t *testing.T) {
	a := newAgentSetup(t, "")
	a.serve(t, time.Minute)
	if key, err := get(t, a, a.dir, a.header); err != nil || !bytes.Equal(key, testKey) {
		t.Fatalf("Get = %x, %v", key, err)
	}
	if key, err := get(t, a, a.dir+"-other", a.header); err == nil || key != nil {
		t.Errorf("the key was served for another folder")
	}
	if key, err := get(t, a, a.dir, []byte("another header")); err == nil || key != nil {
		t.Errorf("the key was served for another header")
	}
}

// TestOtherUserGetsNothing: a process of another user (uid 65534) asks for the key, through
// the private folder (refused by its mode) and, with the folder opened up as a mistake would,
// through the socket itself (refused by the peer check). It gets nothing either way.
func TestOtherUserGetsNothing(t *testing.T) {
	if os.Getuid() != 0 {
		t.Fatal("this test runs as root, to run a helper as another user")
	}
	// Somewhere uid 65534 can execute the test binary from.
	base, err := os.MkdirTemp("/tmp", "agent-uid-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	bin := filepath.Join(base, "agent.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	a := newAgentSetup(t, base)
	a.serve(t, time.Minute)
	ask := func(role string) (string, int) {
		cmd := exec.Command(bin, "-test.run=^$")
		cmd.Env = []string{agentHelperEnv + "=" + role, "T_SOCK=" + a.sock, "T_DIR=" + a.dir, "T_HEADER=" + string(a.header)}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	for _, role := range []string{"get", "raw"} {
		if out, code := ask(role); code != 3 || strings.Contains(out, "KEY") {
			t.Errorf("%s client through the private folder: exit %d, %s", role, code, out)
		}
	}
	// The mistake: folder and socket open to everyone. The peer check still refuses.
	if err := os.Chmod(a.runtime, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(a.sock, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"get", "raw"} {
		if out, code := ask(role); code != 3 || strings.Contains(out, "KEY") {
			t.Errorf("%s client through an open socket: exit %d, %s", role, code, out)
		}
	}
	// The same helper as this user does get it (the test can fail).
	if key, err := get(t, a, a.dir, a.header); err != nil || !bytes.Equal(key, testKey) {
		t.Errorf("own user: %x, %v", key, err)
	}
}

// TestRuntimeDirRefused: a runtime folder that is a symbolic link, another user's, or open to
// others is refused, and no socket is made in it.
func TestRuntimeDirRefused(t *testing.T) {
	cases := map[string]func(t *testing.T, dir string){
		"symlink": func(t *testing.T, dir string) {
			target := t.TempDir()
			if err := os.Symlink(target, dir); err != nil {
				t.Fatal(err)
			}
		},
		"loose mode": func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			_ = os.Chmod(dir, 0o755)
		},
		"other owner": func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(dir, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		},
		"a file": func(t *testing.T, dir string) {
			if err := os.WriteFile(dir, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, plant := range cases {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			plant(t, filepath.Join(base, "cxone-auth"))
			env := func(k string) string {
				if k == "XDG_RUNTIME_DIR" {
					return base
				}
				return ""
			}
			if dir, err := RuntimeDir(env, true); err == nil {
				t.Errorf("RuntimeDir accepted %s", dir)
			}
			if _, err := SocketPath(env, "/k", false); err == nil {
				t.Errorf("SocketPath accepted it")
			}
		})
	}
}

// TestPlantedSocketRefused: a socket someone else left where the agent's goes is neither
// replaced by the agent nor spoken to by a client; a dead socket of our own (a killed agent)
// is replaced.
func TestPlantedSocketRefused(t *testing.T) {
	a := newAgentSetup(t, "")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: a.sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	if err := os.Chown(a.sock, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	go func() { // the planted listener would answer anything
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, `{"key":"AAAA"}`+"\n")
			c.Close()
		}
	}()
	if key, err := get(t, a, a.dir, a.header); err == nil || key != nil {
		t.Errorf("a client took a key from a socket of another user: %x", key)
	}
	err = Serve(Config{Socket: a.sock, Dir: a.dir, Header: a.header, Key: testKey, Deadline: time.Now().Add(time.Minute)})
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("Serve over a planted socket: %v", err)
	}
	ln.Close()
	// Now a dead socket of this user's: replaced.
	if err := os.Chown(a.sock, os.Getuid(), os.Getgid()); err != nil {
		t.Fatal(err)
	}
	a.serve(t, time.Minute)
	if key, err := get(t, a, a.dir, a.header); err != nil || !bytes.Equal(key, testKey) {
		t.Errorf("after replacing a dead socket: %x, %v", key, err)
	}
}

// TestHeaderSwapStopsAgent: a keyring.json replaced under a running agent (a new keyring, or
// someone's swap) ends it: no key is served for the new header, and the agent exits.
func TestHeaderSwapStopsAgent(t *testing.T) {
	a := newAgentSetup(t, "")
	res := a.serve(t, time.Minute)
	if err := os.WriteFile(filepath.Join(a.dir, "keyring.json"), []byte(`{"format":2,"salt":"swapped"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if key, err := get(t, a, a.dir, a.header); err == nil || key != nil {
		t.Errorf("the key was served after the header changed")
	}
	select {
	case <-res:
	case <-time.After(3 * headerPoll):
		t.Fatal("the agent kept running after its header changed")
	}
	if _, err := os.Lstat(a.sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket is left: %v", err)
	}
}

// TestSilentClientBounded: a process that connects and never speaks holds no one up: others
// are answered meanwhile, and it is dropped after connTimeout.
func TestSilentClientBounded(t *testing.T) {
	a := newAgentSetup(t, "")
	a.serve(t, time.Minute)
	var silent []net.Conn
	for range maxConns - 1 {
		c, err := net.Dial("unix", a.sock)
		if err != nil {
			t.Fatal(err)
		}
		silent = append(silent, c)
	}
	start := time.Now()
	if key, err := get(t, a, a.dir, a.header); err != nil || !bytes.Equal(key, testKey) {
		t.Fatalf("Get beside silent clients: %x, %v", key, err)
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("Get beside silent clients took %s", took)
	}
	_ = silent[0].SetReadDeadline(time.Now().Add(3 * connTimeout))
	if _, err := silent[0].Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a silent client was not dropped: %v", err)
	}
	for _, c := range silent {
		c.Close()
	}
}

// TestDeadlineExtendLock: the agent exits at its deadline; extend moves it; lock ends it and
// no key is served from that moment.
func TestDeadlineExtendLock(t *testing.T) {
	a := newAgentSetup(t, "")
	res := a.serve(t, 300*time.Millisecond)
	ctx := context.Background()
	if err := Extend(ctx, a.sock, time.Now().Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := Extend(ctx, a.sock, time.Now().Add(MaxLifetime+time.Hour)); err == nil {
		t.Errorf("a deadline past 24h was taken")
	}
	time.Sleep(500 * time.Millisecond)
	if key, err := get(t, a, a.dir, a.header); err != nil || key == nil {
		t.Fatalf("after extending, at the first deadline: %v", err)
	}
	if err := Lock(ctx, a.sock); err != nil {
		t.Fatal(err)
	}
	if key, err := get(t, a, a.dir, a.header); err == nil || key != nil {
		t.Errorf("a key after lock")
	}
	select {
	case <-res:
	case <-time.After(2 * time.Second):
		t.Fatal("the agent kept running after lock")
	}

	b := newAgentSetup(t, "")
	res = b.serve(t, 200*time.Millisecond)
	select {
	case <-res:
	case <-time.After(2 * time.Second):
		t.Fatal("the agent ran past its deadline")
	}
	if _, err := get(t, b, b.dir, b.header); !errors.Is(err, ErrNoAgent) {
		t.Errorf("after the deadline: %v, want ErrNoAgent", err)
	}
}
