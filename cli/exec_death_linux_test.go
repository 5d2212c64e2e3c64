//go:build linux

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// TestExecChildDiesWithExec is the attack of a SIGKILLed exec (the OOM killer, a supervisor's
// hard stop) leaving its child running with the token in its environment and no parent: the
// child must die with it.
func TestExecChildDiesWithExec(t *testing.T) {
	sb := newStatelessSandbox(t)
	cmd, pid, _ := execSignalChild(t, sb)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitFor(t, 5*time.Second, "end of the child after exec was killed", func() bool { return !processRunning(pid) })
}

// processRunning reports whether pid is a live process (a zombie, dead but not yet reaped by
// whoever inherited it, is not).
func processRunning(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses: "PID (COMM) S ...".
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// TestExecRefreshSweepsAKilledExecsFolder: a SIGKILLed exec --refresh cannot remove its token
// folder (its child dies with it); the next exec --refresh removes it, and leaves alone the
// folder of an exec still running and anything that is not a folder.
func TestExecRefreshSweepsAKilledExecsFolder(t *testing.T) {
	sb := newStatelessSandbox(t)
	script := `echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; while :; do sleep 0.05; done`
	cmd, _, path, record := startRefreshing(t, sb, script)
	var child int
	waitFor(t, 5*time.Second, "the child's pid", func() bool {
		b, err := os.ReadFile(record)
		if err != nil {
			return false
		}
		_, err = fmt.Sscan(strings.TrimSpace(string(b)), &child)
		return err == nil
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitFor(t, 5*time.Second, "end of the child", func() bool { return !processRunning(child) })
	stale := filepath.Dir(path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the killed exec's token file is already gone (%v): nothing to sweep", err)
	}
	runtimeDir := sb.env["XDG_RUNTIME_DIR"]
	live := filepath.Join(runtimeDir, fmt.Sprintf("%s%d-live", tokenFolderPrefix, os.Getpid()))
	notDir := filepath.Join(runtimeDir, tokenFolderPrefix+"1-file")
	if err := os.Mkdir(live, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for k, v := range credentialVars(cxonetest.DefaultCredentials) {
		env[k] = v
	}
	if code, _, stderr := sb.run("", env, "exec", "--refresh", "--from-env", "--", "true"); code != 0 {
		t.Fatalf("exec --refresh: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the killed exec's token folder %s is still there: %v", stale, err)
	}
	for _, p := range []string{live, notDir} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}
