//go:build unix

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// execSignalChild starts the built binary's `exec --from-env` over a shell that records the
// signals it gets in marks and writes its pid; it returns the running exec and the child's pid.
func execSignalChild(t *testing.T, sb *statelessSandbox, traps ...string) (*exec.Cmd, int, string) {
	t.Helper()
	dir := t.TempDir()
	marks, pidFile := filepath.Join(dir, "marks"), filepath.Join(dir, "pid")
	script := ""
	for _, s := range traps {
		script += "trap 'echo " + s + ` >> "$1"' ` + s + "; "
	}
	script += `echo $$ > "$2.tmp" && mv "$2.tmp" "$2"; while :; do sleep 0.05; done`
	cmd := exec.Command(sb.bin, "exec", "--from-env", "--", "sh", "-c", script, "_", marks, pidFile)
	for k, v := range sb.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range credentialVars(cxonetest.DefaultCredentials) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var pid int
	waitFor(t, 10*time.Second, "the child's pid", func() bool {
		b, err := os.ReadFile(pidFile)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil
	})
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	return cmd, pid, marks
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestExecForwardsEverySignal is the supervisor whose USR1 (reload), USR2, WINCH or ALRM
// meant for the command stopped at exec: each must reach the child. A TERM then ends it and
// exec exits with the child's status.
func TestExecForwardsEverySignal(t *testing.T) {
	sb := newStatelessSandbox(t)
	sigs := map[string]syscall.Signal{"USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "WINCH": syscall.SIGWINCH, "ALRM": syscall.SIGALRM}
	cmd, _, marks := execSignalChild(t, sb, "USR1", "USR2", "WINCH", "ALRM")
	for name, sig := range sigs {
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, name+" at the child", func() bool {
			b, _ := os.ReadFile(marks)
			return strings.Contains(string(b), name+"\n")
		})
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Errorf("exec after SIGTERM: %v, want exit %d (the child's death by SIGTERM)", err, 128+int(syscall.SIGTERM))
	}
}
