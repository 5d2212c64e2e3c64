// Package ui is the wizard engine: one state machine that owns the steps, with two renderers
// of it (the full-screen Model and the line-by-line RunLines for screen readers), the Step
// interface the steps implement, the Session handed down to them, the key map, the styles and
// the shared widgets (field group, masked field, menu, warning box, live checklist, links).
//
// Steps never call each other: they navigate by returning the commands Next, Back, GoTo,
// Finish and Abort (huh's pattern), on screen from Update and line by line from Prompt, and the
// one navigate function turns them into the next step for both renderers. A home screen (the
// profiles screen) can start flows of steps with StartFlow and gets FlowEndedMsg back. The
// engine knows nothing of CXone beyond the types of the draft it carries for the steps.
package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Step is one screen of the wizard. View returns the body only; the engine draws the header,
// the progress and the help line around it.
type Step interface {
	// ID names the step for GoTo ("client", "accesskey", ...).
	ID() string
	// Title is shown in the header.
	Title() string
	// Enter is called each time the step becomes the current one (also when coming back).
	Enter(*Session) tea.Cmd
	// Update receives every message that is not global.
	Update(tea.Msg) (Step, tea.Cmd)
	// View renders the body.
	View() string
	// KeyBinds lists the bindings that work right now, for the help line.
	KeyBinds() []key.Binding
	// Prompt is the same step as plain line prompts (accessible mode): it asks its questions
	// through p, writes what it learns into the session's draft, and returns the navigation
	// message its screen would have sent (NextMsg, BackMsg, GoToMsg, FinishMsg or AbortMsg).
	// It is defined beside the screen in the step's file, so the two say the same thing.
	Prompt(s *Session, p *Prompter) (tea.Msg, error)
}

// TextCapturer is implemented by steps that can have a text field focused. While
// CapturingText reports true the engine leaves printable keys such as "?" to the step (a
// secret may contain a question mark).
type TextCapturer interface {
	CapturingText() bool
}

// Focuser is implemented by steps whose body may be taller than the window: FocusLine is the
// body line (0-based) that must stay visible, usually the focused field.
type Focuser interface {
	FocusLine() int
}

// Pinner is implemented by steps whose body starts with an instruction that must stay in view
// while the rest scrolls to the focus line (a column header, "My Profile → Access Keys"):
// PinnedLines is how many body lines it takes. The engine pins them as long as the focus line
// still fits under them.
type Pinner interface {
	PinnedLines() int
}

// HomeMsg is implemented by the messages a home screen's own commands produce (a live check
// that finishes, a list that loads). The engine hands them to the home screen even while a
// flow runs, so a result that arrives after the person started a flow is not lost.
type HomeMsg interface {
	HomeMsg()
}

// Restyler is implemented by steps whose widgets keep styles of their own (text inputs,
// spinners); the engine calls Restyle on every step when the terminal reports its background.
type Restyler interface {
	Restyle(*Styles)
}

// Navigation messages. Steps emit them through the commands below. The engine stamps From
// with the ID of the step whose command produced them and ignores stale ones: keys typed
// ahead (two quick enters) reach the old step before its NextMsg comes back, and must not
// skip a step.
type (
	// NextMsg moves to the next step (or finishes after the last).
	NextMsg struct{ From string }
	// BackMsg moves to the previous step.
	BackMsg struct{ From string }
	// GoToMsg moves to the step with the given ID.
	GoToMsg struct{ ID, From string }
	// FinishMsg ends the flow normally (saved, or stopped early on purpose).
	FinishMsg struct{}
	// AbortMsg ends the flow as cancelled, without asking.
	AbortMsg struct{}
	// StartFlowMsg starts a flow of steps from the home screen, with its own draft.
	StartFlowMsg struct {
		Steps []Step
		Draft *Draft
	}
	// FlowEndedMsg tells the home screen that the flow it started ended, and how.
	FlowEndedMsg struct {
		Draft *Draft
		State State // StateDone (finished) or StateAborted
	}
)

// Next is a command that moves to the next step.
func Next() tea.Msg { return NextMsg{} }

// Back is a command that moves to the previous step.
func Back() tea.Msg { return BackMsg{} }

// Finish is a command that ends the flow normally.
func Finish() tea.Msg { return FinishMsg{} }

// Abort is a command that ends the flow as cancelled (the user chose to stop).
func Abort() tea.Msg { return AbortMsg{} }

// GoTo returns a command that moves to the step with the given ID.
func GoTo(id string) tea.Cmd { return func() tea.Msg { return GoToMsg{ID: id} } }

// StartFlow returns a command that starts a flow of steps with draft (nil: a new draft).
func StartFlow(steps []Step, draft *Draft) tea.Cmd {
	return func() tea.Msg { return StartFlowMsg{Steps: steps, Draft: draft} }
}

// Nav is where a navigation message leads in a flow of steps.
type Nav struct {
	Index int   // the step to show next, when End is StateRunning
	End   State // StateDone or StateAborted when the flow ends
	Left  bool  // Back on the first step: the flow is left backwards
}

// navigate applies a navigation message to position cur of a flow. It is the one routing
// rule of both renderers. ok is false for a message that is not navigation.
func navigate(steps []Step, cur int, msg any) (n Nav, ok bool, err error) {
	n = Nav{Index: cur, End: StateRunning}
	switch msg := msg.(type) {
	case NextMsg:
		if cur+1 >= len(steps) {
			n.End = StateDone
		} else {
			n.Index = cur + 1
		}
	case BackMsg:
		if cur == 0 {
			n.Left = true
		} else {
			n.Index = cur - 1
		}
	case GoToMsg:
		for i, s := range steps {
			if s.ID() == msg.ID {
				n.Index = i
				return n, true, nil
			}
		}
		return n, true, fmt.Errorf("wizard: no step %q", msg.ID)
	case FinishMsg:
		n.End = StateDone
	case AbortMsg:
		n.End = StateAborted
	default:
		return n, false, nil
	}
	return n, true, nil
}
