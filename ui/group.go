package ui

import (
	"cxone-auth/internal/textclean"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Control is one member of a Group: a Field or a Menu.
type Control interface {
	Focus() tea.Cmd
	Blur()
	// Update handles a message while the control has focus; changed reports a new value.
	Update(msg tea.Msg, keys KeyMap) (cmd tea.Cmd, changed bool)
	View(st *Styles, width int) string
	// TakesText reports whether printable keys belong to the control (a text field).
	TakesText() bool
	// Hide masks a revealed secret (when the step is left).
	Hide()
}

// GroupEvent is what a message did to a Group, for the step to act on.
type GroupEvent int

// Group events.
const (
	GroupNone    GroupEvent = iota // nothing the step must act on
	GroupChanged                   // the focused control's value changed
	GroupSubmit                    // enter on the last control: the step validates and moves on
	GroupBack                      // esc, or shift+tab on the first control: the step goes back
	GroupPaired                    // a paste into an ID field was split into the ID and its secret
	GroupRefused                   // a paste into an ID field held several values and was refused
)

// Group is the focus ring of a step's controls, after huh's group: tab and enter move to the
// next control, shift+tab to the previous (and out of the step from the first), esc leaves;
// controls can be hidden by a condition (the issuer field appears only for a custom issuer).
// It also guards ID fields against a paste of the ID and its secret at once (an unmasked field
// would show the secret): such a paste is split into the pair's two fields, and a paste of
// more values is refused without showing any of them.
type Group struct {
	items []groupItem
	focus int
	pairs map[int]int // ID field index -> its secret field's index
}

type groupItem struct {
	c       Control
	visible func() bool
}

// Add appends a control that is always shown and returns its index.
func (g *Group) Add(c Control) int { return g.AddIf(c, nil) }

// AddIf appends a control shown only while visible reports true (nil: always).
func (g *Group) AddIf(c Control, visible func() bool) int {
	g.items = append(g.items, groupItem{c: c, visible: visible})
	return len(g.items) - 1
}

// Pair marks field id as holding an identifier whose secret goes in field secret.
func (g *Group) Pair(id, secret int) {
	if g.pairs == nil {
		g.pairs = map[int]int{}
	}
	g.pairs[id] = secret
}

func (g *Group) shown(i int) bool {
	return i >= 0 && i < len(g.items) && (g.items[i].visible == nil || g.items[i].visible())
}

// Index is the focused control's index.
func (g *Group) Index() int { return g.focus }

// Current is the focused control.
func (g *Group) Current() Control {
	if g.focus < 0 || g.focus >= len(g.items) {
		return nil
	}
	return g.items[g.focus].c
}

// Focus moves the focus to control i (blurring the others).
func (g *Group) Focus(i int) tea.Cmd {
	if i < 0 || i >= len(g.items) {
		return nil
	}
	g.focus = i
	var cmd tea.Cmd
	for j, it := range g.items {
		if j == i {
			cmd = it.c.Focus()
		} else {
			it.c.Blur()
		}
	}
	return cmd
}

// BlurAll takes the focus from every control (while the step shows something else).
func (g *Group) BlurAll() {
	for _, it := range g.items {
		it.c.Blur()
	}
}

// Refocus gives the focus back to the focused control.
func (g *Group) Refocus() tea.Cmd { return g.Focus(g.focus) }

// Move focuses the next (delta 1) or previous (-1) shown control; ok is false at either end.
func (g *Group) Move(delta int) (cmd tea.Cmd, ok bool) {
	for i := g.focus + delta; i >= 0 && i < len(g.items); i += delta {
		if g.shown(i) {
			return g.Focus(i), true
		}
	}
	return nil, false
}

// Last reports whether the focused control is the last one shown.
func (g *Group) Last() bool {
	for i := g.focus + 1; i < len(g.items); i++ {
		if g.shown(i) {
			return false
		}
	}
	return true
}

// TakesText reports whether the focused control takes printable keys.
func (g *Group) TakesText() bool {
	c := g.Current()
	return c != nil && c.TakesText()
}

// HideAll masks every revealed secret.
func (g *Group) HideAll() {
	for _, it := range g.items {
		it.c.Hide()
	}
}

// Values splits pasted text into the values it holds: runs of anything but white space, each
// cleaned (textclean.CleanInput), the empty ones (only control characters) dropped.
func Values(s string) []string {
	var out []string
	for _, v := range strings.Fields(s) {
		if v = textclean.CleanInput(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Update handles a message: navigation keys move the focus or report Submit/Back, enter on a
// control that ok refuses stays put (ok may be nil), anything else goes to the focused control.
func (g *Group) Update(msg tea.Msg, keys KeyMap, ok func(i int) bool) (tea.Cmd, GroupEvent) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keys.NextField):
			if cmd, moved := g.Move(1); moved {
				return cmd, GroupNone
			}
			for i := range g.items { // wrap around to the first shown control
				if g.shown(i) {
					return g.Focus(i), GroupNone
				}
			}
			return nil, GroupNone
		case key.Matches(msg, keys.PrevField):
			if cmd, moved := g.Move(-1); moved {
				return cmd, GroupNone
			}
			return nil, GroupBack
		case key.Matches(msg, keys.Back):
			return nil, GroupBack
		case key.Matches(msg, keys.Next):
			if ok != nil && !ok(g.focus) {
				return nil, GroupNone
			}
			if g.Last() {
				return nil, GroupSubmit
			}
			cmd, _ := g.Move(1)
			return cmd, GroupNone
		}
	case tea.PasteMsg:
		if secret, isID := g.pairs[g.focus]; isID {
			switch vals := Values(msg.Content); {
			case len(vals) == 2:
				id, sec := g.items[g.focus].c, g.items[secret].c
				if f, ok := id.(*Field); ok {
					f.SetValue(vals[0])
					f.Error = ""
				}
				if f, ok := sec.(*Field); ok {
					f.SetValue(vals[1])
				}
				return g.Focus(secret), GroupPaired
			case len(vals) > 2:
				return nil, GroupRefused
			}
		}
	}
	c := g.Current()
	if c == nil {
		return nil, GroupNone
	}
	cmd, changed := c.Update(msg, keys)
	if changed {
		return cmd, GroupChanged
	}
	return cmd, GroupNone
}
