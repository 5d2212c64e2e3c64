// Package ui is the wizard engine: one state machine (Model) that owns the steps, the Step
// interface the steps implement, the Session handed down to them, the key map, the styles and
// the shared widgets (masked field, menu, warning box, live checklist, links).
//
// Steps never call each other: they navigate by returning the commands Next, Back, GoTo,
// Fail, Finish and Abort (huh's pattern). The engine knows nothing of CXone beyond the types
// of the draft it carries for the steps.
package ui

import (
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
	// FailMsg ends the wizard with an error.
	FailMsg struct{ Err error }
	// FinishMsg ends the wizard successfully.
	FinishMsg struct{}
	// AbortMsg ends the wizard as cancelled, without asking.
	AbortMsg struct{}
)

// Next is a command that moves to the next step.
func Next() tea.Msg { return NextMsg{} }

// Back is a command that moves to the previous step.
func Back() tea.Msg { return BackMsg{} }

// Finish is a command that ends the wizard successfully.
func Finish() tea.Msg { return FinishMsg{} }

// Abort is a command that ends the wizard as cancelled (the user chose to stop).
func Abort() tea.Msg { return AbortMsg{} }

// GoTo returns a command that moves to the step with the given ID.
func GoTo(id string) tea.Cmd { return func() tea.Msg { return GoToMsg{ID: id} } }

// Fail returns a command that ends the wizard with err.
func Fail(err error) tea.Cmd { return func() tea.Msg { return FailMsg{Err: err} } }
