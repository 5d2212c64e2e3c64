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
