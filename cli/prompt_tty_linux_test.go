package cli

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"cxone-auth/auth/cxonetest"
)

// promptPTY is a pseudo-terminal for the prompt tests: the child gets slave as its
// controlling terminal; what it writes there collects in out.
type promptPTY struct {
	t      *testing.T
	master *os.File
	slave  *os.File
	mu     sync.Mutex
	out    bytes.Buffer
}

func newPromptPTY(t *testing.T) *promptPTY {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty slave: %v", err)
	}
	p := &promptPTY{t: t, master: m, slave: s}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := m.Read(b)
			p.mu.Lock()
			p.out.Write(b[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { s.Close(); m.Close() })
	return p
}

func (p *promptPTY) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// answer waits for the n-th appearance of prompt and for the terminal's echo to be off (a
// masked read), then types line.
func (p *promptPTY) answer(prompt string, n int, line string) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(p.text(), prompt) < n || p.echoOn() {
		if time.Now().After(deadline) {
			p.t.Fatalf("no masked prompt %d %q on the terminal; it shows:\n%s", n, prompt, p.text())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := p.master.Write([]byte(line + "\n")); err != nil {
		p.t.Fatal(err)
	}
}

func (p *promptPTY) echoOn() bool {
	tio, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
	return err != nil || tio.Lflag&unix.ECHO != 0
}

// start runs the binary in a new session whose controlling terminal is the pty, with stdin,
// stdout and stderr as given (none of them the terminal).
func (p *promptPTY) start(e *cliEnv, stdout, stderr *bytes.Buffer, args ...string) *exec.Cmd {
	p.t.Helper()
	cmd := exec.Command(testBinary(p.t), args...)
	cmd.Env = e.environ()
	cmd.Stdin = nil // /dev/null
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.ExtraFiles = []*os.File{p.slave}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	return cmd
}

func exitOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the command did not end")
	}
	return cmd.ProcessState.ExitCode()
}

// TestPromptOnTheControllingTerminal is `x=$(cxone-auth token 2>/dev/null) </dev/null`: with
// neither stdin nor stderr a terminal, the passphrase is asked on the controlling terminal
// (as ssh and sudo do), masked, a wrong one is asked again with one plain message, and only
// the token reaches stdout.
func TestPromptOnTheControllingTerminal(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	if code, _, stderr := e.run("setup", "--env-file", e.writeEnvFile("good.env", cxonetest.DefaultCredentials)); code != 0 {
		t.Fatalf("setup: %d %s", code, stderr)
	}
	pass := e.vars["CXONE_KEYRING_PASSPHRASE"]
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")

	p := newPromptPTY(t)
	var stdout, stderr bytes.Buffer
	cmd := p.start(e, &stdout, &stderr, "token")
	p.answer("Passphrase for the keyring", 1, "not the passphrase")
	p.answer("Passphrase for the keyring", 2, pass)
	if code := exitOf(t, cmd); code != 0 {
		t.Fatalf("token: exit %d\nterminal:\n%s\nstderr:\n%s", code, p.text(), stderr.String())
	}
	tty := p.text()
	if !strings.Contains(tty, "Wrong passphrase — 2 tries left") {
		t.Errorf("no retry message on the terminal:\n%s", tty)
	}
	if strings.Contains(tty, pass) || strings.Contains(tty, "not the passphrase") {
		t.Errorf("a typed passphrase was echoed:\n%s", tty)
	}
	if tok := strings.TrimSpace(stdout.String()); tok == "" || strings.Contains(stdout.String(), "Passphrase") {
		t.Errorf("stdout %q, want the token only", stdout.String())
	}
	if strings.Contains(stderr.String(), "Passphrase") {
		t.Errorf("the prompt went to stderr, not the terminal:\n%s", stderr.String())
	}
}

// TestThreeWrongPassphrases: three tries, then one line of error (no chain of what was being
// opened) and exit 1; nothing asks a fourth time.
func TestThreeWrongPassphrases(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	if code, _, stderr := e.run("setup", "--env-file", e.writeEnvFile("good.env", cxonetest.DefaultCredentials)); code != 0 {
		t.Fatalf("setup: %d %s", code, stderr)
	}
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")
	for _, args := range [][]string{{"token"}, {"export"}, {"check"}} {
		t.Run(args[0], func(t *testing.T) {
			p := newPromptPTY(t)
			var stdout, stderr bytes.Buffer
			cmd := p.start(e, &stdout, &stderr, args...)
			for i := 1; i <= 3; i++ {
				p.answer("Passphrase for the keyring", i, "wrong "+strconv.Itoa(i))
			}
			code := exitOf(t, cmd)
			tty := p.text()
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s", code, stderr.String())
			}
			if n := strings.Count(tty, "Passphrase for the keyring"); n != 3 {
				t.Errorf("asked %d times, want 3:\n%s", n, tty)
			}
			for _, want := range []string{"Wrong passphrase — 2 tries left", "Wrong passphrase — 1 try left"} {
				if !strings.Contains(tty, want) {
					t.Errorf("terminal lacks %q:\n%s", want, tty)
				}
			}
			if args[0] != "check" {
				want := "cxone-auth: wrong passphrase for the encrypted-file keyring (3 tries)\n"
				if stderr.String() != want {
					t.Errorf("stderr %q, want the one line %q", stderr.String(), want)
				}
			}
			if stdout.Len() != 0 && args[0] != "check" {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

// TestUsePickerOnATerminal runs `use` without NAME on a real terminal: the picker opens on
// stderr, j moves down, enter makes that profile the default.
func TestUsePickerOnATerminal(t *testing.T) {
	e := habitsProfiles(t, "prod", "qa")
	p := newPromptPTY(t)
	var stdout bytes.Buffer
	cmd := exec.Command(testBinary(t), "use")
	cmd.Env = append(e.environ(), "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.slave, &stdout, p.slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.text(), "enter choose") {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no picker on the terminal:\n%q", p.text())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := p.master.Write([]byte("j\r")); err != nil {
		t.Fatal(err)
	}
	if code := exitOf(t, cmd); code != 0 {
		t.Fatalf("use: exit %d\n%q", code, p.text())
	}
	if !strings.Contains(p.text(), `Profile "qa" is now the default.`) {
		t.Errorf("terminal:\n%q", p.text())
	}
	if _, out, _ := e.run("list"); !strings.Contains(out, "qa (default)") {
		t.Errorf("list after the pick:\n%s", out)
	}
}
