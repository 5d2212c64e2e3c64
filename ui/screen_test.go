package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestFinalFrameClearsTheAltScreen is the attack of wizard lines left on the normal screen
// after a resize: the last frame must still be on the alternate screen (and empty), so the
// renderer erases the alternate screen before it leaves it.
func TestFinalFrameClearsTheAltScreen(t *testing.T) {
	m := New(context.Background(), &Session{}, []Step{&fakeStep{id: "a"}}, Options{AltScreen: true})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := m.View(); !v.AltScreen || v.Content == "" {
		t.Fatalf("running: AltScreen %v, content %q", v.AltScreen, v.Content)
	}
	m.Update(press("ctrl+c"))
	if m.State() != StateAborted {
		t.Fatalf("state %v, want aborted", m.State())
	}
	if v := m.View(); !v.AltScreen || v.Content != "" {
		t.Errorf("last frame: AltScreen %v, content %q; want the alternate screen, empty", v.AltScreen, v.Content)
	}
	accessible := New(context.Background(), &Session{}, []Step{&fakeStep{id: "a"}}, Options{})
	accessible.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if accessible.View().AltScreen {
		t.Errorf("AltScreen set without Options.AltScreen")
	}
}

func TestCtrlLRedraws(t *testing.T) {
	m, _ := newEngine(1)
	_, cmd := m.Update(press("ctrl+l"))
	if cmd == nil {
		t.Fatal("ctrl+l returned no command")
	}
	if got, want := fmt.Sprintf("%T", cmd()), fmt.Sprintf("%T", tea.ClearScreen()); got != want {
		t.Errorf("ctrl+l gave %s, want %s (tea.ClearScreen)", got, want)
	}
}

// pinStep is a long body with an instruction on top and a focus line far down.
type pinStep struct {
	fakeStep
	pinned, focus int
}

func (p *pinStep) PinnedLines() int { return p.pinned }
func (p *pinStep) Update(m tea.Msg) (Step, tea.Cmd) {
	p.fakeStep.Update(m)
	return p, nil
}
func (p *pinStep) FocusLine() int { return p.focus }

func visibleLines(m *Model) string { return ansi.Strip(m.View().Content) }

func TestPinnedInstructionAndFocusStayInView(t *testing.T) {
	for _, sz := range [][2]int{{40, 10}, {60, 15}, {80, 24}} {
		s := &pinStep{fakeStep: fakeStep{id: "p", lines: 60}, pinned: 2, focus: 45}
		m := New(context.Background(), &Session{}, []Step{s}, Options{})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		v := visibleLines(m)
		for _, want := range []string{"body p line 0", "body p line 1", "body p line 45"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d: %q not in view:\n%s", sz[0], sz[1], want, v)
			}
		}
		if rows := strings.Split(m.View().Content, "\n"); len(rows) > sz[1] {
			t.Errorf("%dx%d: %d rows", sz[0], sz[1], len(rows))
		}
		// Paging shows the rest under the pinned lines, which stay.
		for range 20 {
			m.Update(press("pgdown"))
		}
		if v := visibleLines(m); !strings.Contains(v, "body p line 59") || !strings.Contains(v, "body p line 0") {
			t.Errorf("%dx%d after paging down:\n%s", sz[0], sz[1], v)
		}
	}
}

// TestResizeBringsTheFocusBack: the focused line did not move in the body, but the window
// shrank; it must be scrolled into view at the new size.
func TestResizeBringsTheFocusBack(t *testing.T) {
	s := &pinStep{fakeStep: fakeStep{id: "p", lines: 40}, focus: 20}
	m := New(context.Background(), &Session{}, []Step{s}, Options{})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := visibleLines(m); !strings.Contains(v, "body p line 20") {
		t.Fatalf("80x24: focus line not in view:\n%s", v)
	}
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	if v := visibleLines(m); !strings.Contains(v, "body p line 20") {
		t.Errorf("40x10 after a resize: focus line not in view:\n%s", v)
	}
}

func TestSmallWindowsGiveRowsToTheBody(t *testing.T) {
	for _, tc := range []struct{ h, body int }{{10, 7}, {11, 8}, {12, 7}, {24, 19}, {7, 5}} {
		if got := layoutOf(tc.h, 1).body; got != tc.body {
			t.Errorf("height %d: body %d rows, want %d", tc.h, got, tc.body)
		}
	}
}

// homeWithMsgs counts the HomeMsg it gets.
type homeWithMsgs struct {
	fakeStep
	homeMsgs int
}

type testHomeMsg struct{}

func (testHomeMsg) HomeMsg() {}

func (h *homeWithMsgs) Update(m tea.Msg) (Step, tea.Cmd) {
	if _, ok := m.(testHomeMsg); ok {
		h.homeMsgs++
	}
	h.fakeStep.Update(m)
	return h, nil
}

// TestHomeMessagesReachHomeDuringAFlow: a check the home started finishes while a flow runs;
// its result must reach the home, not the flow's step.
func TestHomeMessagesReachHomeDuringAFlow(t *testing.T) {
	home := &homeWithMsgs{fakeStep: fakeStep{id: "home"}}
	m := New(context.Background(), &Session{}, nil, Options{Home: home})
	m.Init()
	a := &fakeStep{id: "a"}
	m.Update(StartFlowMsg{Steps: []Step{a}})
	m.Update(testHomeMsg{})
	if home.homeMsgs != 1 {
		t.Errorf("home got %d home messages during the flow, want 1", home.homeMsgs)
	}
	for _, got := range a.got {
		if _, ok := got.(testHomeMsg); ok {
			t.Errorf("the flow's step got the home's message")
		}
	}
}

// scriptedHome starts a flow once, then quits.
type scriptedHome struct {
	fakeStep
	prompts int
	ended   []FlowEndedMsg
}

func (h *scriptedHome) Prompt(*Session, *Prompter) (tea.Msg, error) {
	h.prompts++
	if h.prompts == 1 {
		return StartFlowMsg{Steps: []Step{&promptStep{fakeStep: fakeStep{id: "f"}, script: []tea.Msg{FinishMsg{}}}}, Draft: &Draft{Profile: "p", Saved: true}}, nil
	}
	return FinishMsg{}, nil
}

func (h *scriptedHome) Update(m tea.Msg) (Step, tea.Cmd) {
	if e, ok := m.(FlowEndedMsg); ok {
		h.ended = append(h.ended, e)
	}
	return h, nil
}

func TestRunHomeLinesRunsFlows(t *testing.T) {
	h := &scriptedHome{fakeStep: fakeStep{id: "home"}}
	sess := &Session{}
	st, err := RunHomeLines(context.Background(), sess, h, NewPrompter(context.Background(), strings.NewReader(""), io.Discard))
	if err != nil || st != StateDone {
		t.Fatalf("RunHomeLines: %v %v", st, err)
	}
	if h.prompts != 2 || len(h.ended) != 1 || h.ended[0].State != StateDone || h.ended[0].Draft.Profile != "p" {
		t.Errorf("prompts %d, flows ended %+v", h.prompts, h.ended)
	}
	if len(sess.Finished) != 1 {
		t.Errorf("finished drafts %d, want 1", len(sess.Finished))
	}
}
