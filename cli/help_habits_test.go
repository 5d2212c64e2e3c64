package cli

import (
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// TestHelpPipedIsPlain: help written to a pipe or a file has no padding (no line ends in
// spaces, as fang's padded every line to 120 columns), no escape sequences, and flags with
// their value names. The root's help is ours too, through --help, -h and `help`.
func TestHelpPipedIsPlain(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"--profile NAME", "--timeout DUR", "--config-dir DIR", "--issuer URL", "COMMANDS", "status"}},
		{[]string{"-h"}, []string{"--profile NAME"}},
		{[]string{"help"}, []string{"--profile NAME", "COMMANDS"}},
		{[]string{"help", "export"}, []string{"-o --output FILE", "--format FORMAT", "GLOBAL FLAGS"}},
		{[]string{"check", "--help"}, []string{"--env-file FILE", "--profile NAME", "EXAMPLES"}},
		{[]string{"remove", "--help"}, []string{"remove [NAME]", "ALIASES", "logout"}},
		{[]string{"completion", "bash", "--help"}, []string{"EXAMPLES"}},
	} {
		code, out, stderr := e.run(tc.args...)
		if code != 0 {
			t.Errorf("%v: exit %d\n%s", tc.args, code, stderr)
			continue
		}
		for i, line := range strings.Split(out, "\n") {
			if strings.TrimRight(line, " \t") != line {
				t.Errorf("%v: line %d ends in spaces: %q", tc.args, i+1, line)
				break
			}
		}
		if strings.Contains(out, "\x1b") || strings.Contains(out, "`") {
			t.Errorf("%v: escape sequences or backquotes in piped help:\n%s", tc.args, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: help lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
	if code, _, _ := e.run("help", "nosuch"); code != 2 {
		t.Errorf("help of an unknown command: exit %d, want 2", code)
	}
}

// TestVersionNamesCommitAndDate: --version gives the commit and the build date when known.
func TestVersionNamesCommitAndDate(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	saved := [3]string{version, commit, date}
	t.Cleanup(func() { version, commit, date = saved[0], saved[1], saved[2] })
	version, commit, date = "1.2.0", "0123456789abcdef0123", "2026-11-23T20:00:00Z"
	code, out, _ := e.run("--version")
	if want := "cxone-auth version 1.2.0 (0123456789ab, built 2026-11-23)\n"; code != 0 || out != want {
		t.Errorf("--version: exit %d, %q, want %q", code, out, want)
	}
	if _, out, _ := e.run("version"); !strings.Contains(out, "commit 0123456789abcdef0123") || !strings.Contains(out, "built 2026-11-23T20:00:00Z") {
		t.Errorf("version:\n%s", out)
	}
}

// TestManPageSections: the man page has EXIT STATUS (every code scripts rely on),
// ENVIRONMENT and FILES.
func TestManPageSections(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	code, out, _ := e.run("man")
	if code != 0 {
		t.Fatalf("man: exit %d", code)
	}
	for _, want := range []string{".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH FILES", "CXONE_KEYRING_PASSPHRASE", "CXONE_CONFIG_DIR",
		"config.json", "/dev/tty", `\fB130\fR`, `\fB4\fR`, `\fB3\fR`, `\fB2\fR`} {
		if !strings.Contains(out, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	if strings.Contains(out, "`") {
		t.Errorf("man page shows the backquotes of a value name")
	}
	if i, j := strings.Index(out, ".SH EXIT STATUS"), strings.Index(out, ".SH FILES"); i < 0 || j < i {
		t.Errorf("EXIT STATUS should come before FILES")
	}
}
