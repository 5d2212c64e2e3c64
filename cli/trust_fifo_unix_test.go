//go:build unix

package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// trustRunUntil runs the binary and, after delay, sends sig (0: none); it returns the exit
// code, stderr and whether the process had to be killed after the bound.
func trustRunUntil(t *testing.T, e *cliEnv, delay time.Duration, sig syscall.Signal, bound time.Duration, args ...string) (int, string, bool) {
	t.Helper()
	var errb bytes.Buffer
	c := exec.Command(testBinary(t), args...)
	c.Env, c.Stderr = e.environ(), &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	if sig != 0 {
		select {
		case <-done:
		case <-time.After(delay):
			c.Process.Signal(sig)
		}
	}
	select {
	case <-done:
		return c.ProcessState.ExitCode(), errb.String(), false
	case <-time.After(bound):
		c.Process.Kill()
		<-done
		return -1, errb.String(), true
	}
}

// TestFIFOsNeverHang is the attack of a named pipe where a file is expected: a config.json
// that is a FIFO must not hang every command (it is refused at once), and an --env-file FIFO
// whose writer never comes is abandoned on the first SIGINT or SIGTERM with exit 130.
func TestFIFOsNeverHang(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	fifo := filepath.Join(e.dir, "creds.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		code, stderr, killed := trustRunUntil(t, e, 300*time.Millisecond, sig, 3*time.Second, "check", "--env-file", fifo)
		if killed || code != 130 {
			t.Errorf("--env-file FIFO, %v: exit %d (killed %v), want 130\n%s", sig, code, killed, stderr)
		}
	}

	// A pipe with a writer (`--env-file <(pass show cxone)`) still works.
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		c := cxonetest.DefaultCredentials
		w.WriteString("CXONE_CLIENT_ID=" + c.ClientID + "\nCXONE_CLIENT_SECRET=" + c.ClientSecret +
			"\nCXONE_ACCESS_KEY_ID=" + c.AccessKeyID + "\nCXONE_ACCESS_KEY_SECRET=" + c.AccessKeySecret + "\n")
		w.Close()
	}()
	if code, stderr, killed := trustRunUntil(t, e, 0, 0, 10*time.Second, "check", "--env-file", fifo); code != 0 || killed {
		t.Errorf("--env-file FIFO with a writer: exit %d (killed %v)\n%s", code, killed, stderr)
	}

	cfgDir := e.vars["CXONE_CONFIG_DIR"]
	os.MkdirAll(cfgDir, 0o700)
	if err := syscall.Mkfifo(filepath.Join(cfgDir, "config.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"list"}, {"check", "--all"}, {"__complete", "check", "--profile", ""}} {
		code, stderr, killed := trustRunUntil(t, e, 0, 0, 3*time.Second, args...)
		if killed {
			t.Errorf("%v with config.json a FIFO hung", args)
			continue
		}
		if args[0] != "__complete" && (code != 1 || !strings.Contains(stderr, "not a regular file")) {
			t.Errorf("%v with config.json a FIFO: exit %d, want 1 saying it is not a regular file\n%s", args, code, stderr)
		}
	}
}
