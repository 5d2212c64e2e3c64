// Package stepstest drives the wizard end to end in tests: it runs a ui.Model under teatest
// at 80x24 with the colour profile pinned, and lets a test type, paste and press keys and wait
// for a step or for text on the screen, as a person would.
package stepstest

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"cxone-auth/ui"
	"cxone-auth/ui/uitest"
)

// observed wraps the wizard so the test can see which step is current and what the screen
// says after every message, without racing the program's goroutine.
type observed struct {
	*ui.Model
	mu    sync.Mutex
	step  string
	view  string
	state ui.State
}

func (o *observed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := o.Model.Update(msg)
	o.mu.Lock()
	if s := o.Model.Current(); s != nil {
		o.step = s.ID()
	}
	o.view = ansi.Strip(o.Model.View().Content)
	o.state = o.Model.State()
	o.mu.Unlock()
	return o, cmd
}

func (o *observed) snapshot() (string, string, ui.State) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.step, o.view, o.state
}

// Driver runs one wizard.
type Driver struct {
	t  testing.TB
	tm *teatest.TestModel
	o  *observed
	// Timeout bounds every wait (default 5 s; a live check against a slow emulator may need
	// more).
	Timeout time.Duration
}

// Start runs m at 80x24 and waits for its first frame ("Step 1 of N").
func Start(t testing.TB, m *ui.Model) *Driver {
	t.Helper()
	return StartAt(t, m, 80, 24, "Step 1 of ")
}

// StartAt runs m in a w x h terminal and waits until its first frame shows first (the
// profiles screen's "Profiles", an edit's "Step 1 of 6").
func StartAt(t testing.TB, m *ui.Model, w, h int, first string) *Driver {
	t.Helper()
	o := &observed{Model: m}
	tm := teatest.NewTestModel(t, o,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions( // one call: a second would replace the first
			tea.WithColorProfile(colorprofile.Ascii),
			tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		),
	)
	d := &Driver{t: t, tm: tm, o: o, Timeout: 5 * time.Second}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(first))
	}, teatest.WithDuration(d.Timeout), teatest.WithCheckInterval(10*time.Millisecond))
	return d
}

// WaitFor polls the observed screen until cond holds, and fails the test with the screen
// when it does not within Timeout.
func (d *Driver) WaitFor(what string, cond func(step, view string, st ui.State) bool) {
	d.t.Helper()
	deadline := time.Now().Add(d.Timeout)
	for {
		step, view, st := d.o.snapshot()
		if cond(step, view, st) {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("waiting for %s: step %s, state %v, screen:\n%s", what, step, st, view)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitStep waits until step id is current.
func (d *Driver) WaitStep(id string) {
	d.t.Helper()
	d.WaitFor("step "+id, func(step, _ string, _ ui.State) bool { return step == id })
}

// WaitText waits until step id is current and its screen shows text.
func (d *Driver) WaitText(id, text string) {
	d.t.Helper()
	d.WaitFor(id+" showing "+text, func(step, view string, _ ui.State) bool {
		return step == id && strings.Contains(view, text)
	})
}

// Screen is the current screen without styling.
func (d *Driver) Screen() string {
	_, view, _ := d.o.snapshot()
	return view
}

// Keys presses keys by name (see Press).
func (d *Driver) Keys(keys ...string) {
	for _, k := range keys {
		d.tm.Send(Press(k))
	}
}

// Paste pastes s as a terminal's bracketed paste would.
func (d *Driver) Paste(s string) { d.tm.Send(tea.PasteMsg{Content: s}) }

// Resize tells the program the terminal is now w x h.
func (d *Driver) Resize(w, h int) { d.tm.Send(tea.WindowSizeMsg{Width: w, Height: h}) }

// Type types s one key at a time.
func (d *Driver) Type(s string) { d.tm.Type(s) }

// Final waits for the program to end and returns its model.
func (d *Driver) Final() *ui.Model {
	d.t.Helper()
	return d.tm.FinalModel(d.t, teatest.WithFinalTimeout(d.Timeout)).(*observed).Model
}

// Press is the key press named s (see uitest.Press).
func Press(s string) tea.KeyPressMsg { return uitest.Press(s) }
