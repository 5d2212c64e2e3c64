//go:build unix

package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// refreshTTL makes the emulator's tokens expire 2 s after the 5 minutes (and margin) exec
// --refresh keeps: each is replaced about a second after it is handed out.
const refreshTTL = 5*time.Minute + 32*time.Second

// startRefreshing starts `exec --refresh --from-env` of the built binary over script (sh -c,
// with $1 = a file the script may write to, $2 = a file that receives the token file's path)
// and returns the running command, its stderr and the path of the token file once the child
// has written it.
func startRefreshing(t *testing.T, sb *statelessSandbox, script string) (*exec.Cmd, *bytes.Buffer, string, string) {
	t.Helper()
	dir := t.TempDir()
	record, pathFile := filepath.Join(dir, "record"), filepath.Join(dir, "path")
	script = `echo "$CXONE_ACCESS_TOKEN_FILE" > "$2.tmp" && mv "$2.tmp" "$2"; ` + script
	cmd := exec.Command(sb.bin, "exec", "--refresh", "--from-env", "--", "sh", "-c", script, "_", record, pathFile)
	for k, v := range sb.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range credentialVars(cxonetest.DefaultCredentials) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var path string
	waitFor(t, 10*time.Second, "the token file's path from the child", func() bool {
		b, err := os.ReadFile(pathFile)
		path = strings.TrimSpace(string(b))
		return err == nil && path != ""
	})
	return cmd, &stderr, path, record
}

// tokensScript records each distinct content of the token file in $1 until it has seen n,
// then exits 0; a content that is not a whole JWT is recorded as BAD.
func tokensScript(n int) string {
	return `prev=""; n=0; while [ $n -lt ` + string(rune('0'+n)) + ` ]; do
  t=$(cat "$CXONE_ACCESS_TOKEN_FILE") || t=""
  case "$t" in *.*.*) ;; *) echo "BAD:$t" >> "$1";; esac
  if [ "$t" != "$prev" ]; then n=$((n+1)); prev=$t; echo "$t" >> "$1"; fi
  sleep 0.02
done`
}

func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		t.Fatalf("exec --refresh still running after %s", limit)
		return -1
	}
}

// TestExecRefreshKeepsTheTokenFileFresh: a command that outlives its token finds a new one in
// CXONE_ACCESS_TOKEN_FILE before the old one has 5 minutes left: the file is 0600 in a private
// 0700 folder under XDG_RUNTIME_DIR, holds only a whole token at every read (atomic
// replacement), and is gone with its folder when the command ends; exec exits with its status.
func TestExecRefreshKeepsTheTokenFileFresh(t *testing.T) {
	sb := newStatelessSandboxWith(t, cxonetest.Config{TokenTTL: refreshTTL})
	cmd, stderr, path, record := startRefreshing(t, sb, tokensScript(3)+`; exit 7`)
	dir := filepath.Dir(path)
	if filepath.Dir(dir) != sb.env["XDG_RUNTIME_DIR"] {
		t.Errorf("token folder %s is not in XDG_RUNTIME_DIR %s", dir, sb.env["XDG_RUNTIME_DIR"])
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("token folder: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	if code := waitExit(t, cmd, 30*time.Second); code != 7 {
		t.Errorf("exec --refresh: exit %d, want the child's 7\nstderr: %s", code, stderr)
	}
	b, _ := os.ReadFile(record)
	lines := strings.Fields(string(b))
	if strings.Contains(string(b), "BAD:") || len(lines) != 3 {
		t.Errorf("the child read %d tokens (want 3 distinct), or a partial file:\n%s", len(lines), b)
	}
	if n := len(sb.srv.RequestsTo(cxonetest.EndpointToken)); n < 3 {
		t.Errorf("%d token requests, want at least 3 (the first and two renewals)", n)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("token folder %s left behind: %v", dir, err)
	}
}

// TestExecRefreshSurvivesFailedRenewals: CXone answering 503 to two renewals (six requests:
// the client itself tries each renewal three times) is reported on stderr and retried with
// backoff; the file keeps the old (still valid) token meanwhile, and
// the command runs on and gets the next token.
func TestExecRefreshSurvivesFailedRenewals(t *testing.T) {
	sb := newStatelessSandboxWith(t, cxonetest.Config{TokenTTL: refreshTTL})
	cmd, stderr, path, record := startRefreshing(t, sb, tokensScript(2))
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sb.srv.SetFault(cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503, Times: 6})
	if code := waitExit(t, cmd, 30*time.Second); code != 0 {
		t.Fatalf("exec --refresh: exit %d\nstderr: %s", code, stderr)
	}
	b, _ := os.ReadFile(record)
	lines := strings.Fields(string(b))
	if strings.Contains(string(b), "BAD:") || len(lines) != 2 || lines[0] != string(first) {
		t.Errorf("the child read %q; want the first token, then one new one, each whole", lines)
	}
	if n := strings.Count(stderr.String(), "could not renew the token"); n != 2 || !strings.Contains(stderr.String(), "the file keeps the current token (it expires in") {
		t.Errorf("stderr reports %d failed renewals, want 2 with the old token's remaining time:\n%s", n, stderr)
	}
	if !strings.Contains(stderr.String(), "trying again in 1s") || !strings.Contains(stderr.String(), "trying again in 2s") {
		t.Errorf("no backoff (1s, then 2s) in the reports:\n%s", stderr)
	}
	if strings.Contains(stderr.String(), cxonetest.DefaultCredentials.ClientSecret) || strings.Contains(stderr.String(), cxonetest.DefaultCredentials.AccessKeySecret) {
		t.Error("a secret in the renewal report")
	}
}

// TestExecRefreshRemovesTheFolderOnSignals: exec --refresh killed with SIGTERM, SIGINT or
// SIGHUP passes the signal on, and once the child has died of it, removes the token folder
// and exits 128+N; a child killed by another hand (SIGKILL) also leaves no folder.
func TestExecRefreshRemovesTheFolderOnSignals(t *testing.T) {
	sb := newStatelessSandbox(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGKILL} {
		script := `echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; while :; do sleep 0.05; done`
		cmd, stderr, path, record := startRefreshing(t, sb, script)
		target := cmd.Process.Pid
		if sig == syscall.SIGKILL { // the child itself, not exec
			var pid int
			waitFor(t, 5*time.Second, "the child's pid", func() bool {
				b, err := os.ReadFile(record)
				if err != nil {
					return false
				}
				_, err = fmt.Sscan(strings.TrimSpace(string(b)), &pid)
				return err == nil
			})
			target = pid
		}
		if err := syscall.Kill(target, sig); err != nil {
			t.Fatal(err)
		}
		if code := waitExit(t, cmd, 10*time.Second); code != 128+int(sig) {
			t.Errorf("%v: exit %d, want %d\nstderr: %s", sig, code, 128+int(sig), stderr)
		}
		if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
			t.Errorf("%v: token folder left behind: %v", sig, err)
		}
	}
	if entries, _ := os.ReadDir(sb.env["XDG_RUNTIME_DIR"]); len(entries) != 0 {
		t.Errorf("XDG_RUNTIME_DIR keeps %d entries", len(entries))
	}
}
