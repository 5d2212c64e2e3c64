package ui

import "charm.land/bubbles/v2/key"

// KeyMap holds the bindings shared by the steps. Steps pick the ones they use in KeyBinds, so
// the help line shows only what works on the current screen.
type KeyMap struct {
	Quit      key.Binding // ctrl+c: global, asks first once anything was typed
	Help      key.Binding // ?: full help (global only when no text field has focus)
	Next      key.Binding // enter: continue
	Back      key.Binding // esc: previous step
	NextField key.Binding // tab: next field
	PrevField key.Binding // shift+tab: previous field (previous step from the first field)
	Up        key.Binding
	Down      key.Binding
	UpDown    key.Binding // help entry for Up and Down together
	Toggle    key.Binding // space: tick a box
	Reveal    key.Binding // ctrl+r: show or hide a masked value
	Open      key.Binding // o: open a link in the browser
	Retry     key.Binding // r: try again
	Reuse     key.Binding // ctrl+o: reuse another profile's client credentials
	PageUp    key.Binding
	PageDown  key.Binding
	Redraw    key.Binding // ctrl+l: draw the whole screen again
	Yes       key.Binding
	No        key.Binding
}

// DefaultKeyMap returns the wizard's bindings. Going back answers to esc and to shift+tab; in
// a step with several fields shift+tab first walks back through the fields, the way huh does.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more")),
		Next:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		UpDown:    key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "choose")),
		Toggle:    key.NewBinding(key.WithKeys("space", "y"), key.WithHelp("space", "confirm")),
		Reveal:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reveal")),
		Open:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open link")),
		Retry:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry")),
		Reuse:     key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "reuse")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll down")),
		Redraw:    key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "redraw")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "N", "esc", "enter"), key.WithHelp("n", "no")),
	}
}
