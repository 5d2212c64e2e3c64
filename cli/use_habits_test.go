package cli

import (
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth/cxonetest"
)

func habitsProfiles(t *testing.T, names ...string) *cliEnv {
	t.Helper()
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for _, n := range names {
		if code, _, stderr := e.run("login", "--env-file", p, "--profile", n); code != 0 {
			t.Fatalf("login (setup) %s: %s", n, stderr)
		}
	}
	return e
}

// TestUsePicker: `use` without NAME asks which profile on a terminal (here the accessible
// line prompt, which the picker falls back to), and refuses with exit 2 without one. A name
// planted in config.json that breaks the name rule is never offered.
func TestUsePicker(t *testing.T) {
	e := habitsProfiles(t, "prod", "qa", "staging")
	if code, _, stderr := e.run("use"); code != 2 || !strings.Contains(stderr, "use NAME") {
		t.Errorf("use without NAME and without a terminal: exit %d, want 2\n%s", code, stderr)
	}
	habitsPlantName(t, filepath.Join(e.vars["CXONE_CONFIG_DIR"], "config.json"), "\x1b[31mevil", "qa")
	io := testStreams(strings.NewReader("3\n"), nil, nil)
	io.SetStdinTTY(true)
	io.SetStderrTTY(true)
	code, _, stderr := e.runIn(io, "switch", "--accessible")
	if code != 0 || !strings.Contains(stderr, `Profile "staging" is now the default.`) {
		t.Fatalf("pick the third: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr, "\x1b") || strings.Contains(stderr, "evil") {
		t.Errorf("a planted name was offered:\n%q", stderr)
	}
	if !strings.Contains(stderr, "1. prod (default)") || !strings.Contains(stderr, "3. staging") {
		t.Errorf("the list does not show the profiles and the default:\n%s", stderr)
	}
	io = testStreams(strings.NewReader(""), nil, nil)
	io.SetStdinTTY(true)
	io.SetStderrTTY(true)
	if code, _, stderr := e.runIn(io, "use", "--accessible"); code != 130 || !strings.Contains(stderr, "unchanged") {
		t.Errorf("input ended at the picker: exit %d, want 130\n%s", code, stderr)
	}
	if _, out, _ := e.run("list"); !strings.Contains(out, "staging (default)") {
		t.Errorf("list after the pick:\n%s", out)
	}
}

// TestUsePickerKeys drives the full-screen picker's model: keys move within the list,
// enter chooses, esc leaves without a choice.
func TestUsePickerKeys(t *testing.T) {
	press := func(m *usePicker, keys ...tea.KeyPressMsg) {
		for _, k := range keys {
			m.Update(k)
		}
	}
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	up := tea.KeyPressMsg{Code: 'k', Text: "k"}
	enter := tea.KeyPressMsg{Code: tea.KeyEnter}
	m := &usePicker{labels: []string{"a", "b (default)", "c"}, cur: 1}
	if v := m.View().Content; !strings.Contains(v, "> b (default)") {
		t.Errorf("the default is not where the cursor starts:\n%s", v)
	}
	press(m, down, down, down)
	if m.cur != 2 {
		t.Errorf("down past the end: at %d, want 2", m.cur)
	}
	press(m, up, up, up, enter)
	if !m.chosen || m.cur != 0 {
		t.Errorf("up to the top and enter: chosen %v at %d", m.chosen, m.cur)
	}
	m = &usePicker{labels: []string{"a", "b"}}
	press(m, down, tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.chosen || !m.done {
		t.Errorf("esc chose %v", m.chosen)
	}
}

// TestHabitAliases: the words of gh auth and aws-vault do what the commands they stand for do.
func TestHabitAliases(t *testing.T) {
	e := habitsProfiles(t, "prod", "qa")
	if code, _, stderr := e.run("switch", "qa"); code != 0 || !strings.Contains(stderr, `"qa" is now the default`) {
		t.Errorf("switch qa: exit %d\n%s", code, stderr)
	}
	code, out, _ := e.run("status", "--json")
	if c := parseCheck(t, out); code != 0 || len(c.Profiles) != 2 {
		t.Errorf("status --json: exit %d, %d profiles, want every profile\n%s", code, len(c.Profiles), out)
	}
	if code, _, _ := e.run("status", "--profile", "qa"); code != 2 {
		t.Errorf("status --profile: exit %d, want 2 (status checks them all)", code)
	}
	key := cxonetest.DefaultCredentials
	key.AccessKeyID, key.AccessKeySecret = stagingKey.AccessKeyID, stagingKey.AccessKeySecret
	e.srv.AddAccessKey(key.AccessKeyID, key.AccessKeySecret, cxonetest.DefaultUser)
	code, _, stderr := e.run("rotate", "--profile", "prod", "--env-file", e.writeEnvFile("new.env", key))
	if code != 0 || !strings.Contains(stderr, "Deactivate the old Access Key ID") {
		t.Errorf("rotate: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := e.run("logout", "qa", "--yes"); code != 0 || !strings.Contains(stderr, `"prod" is the default profile now`) {
		t.Errorf("logout qa: exit %d\n%s", code, stderr)
	}
}
