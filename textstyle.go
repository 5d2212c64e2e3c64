package main

import (
	"io"

	"charm.land/lipgloss/v2"
)

// textStyles colour the plain (non-wizard) output. They use the 16 basic ANSI colours, which
// every terminal maps to its own theme, and are off when the stream is not a terminal or
// NO_COLOR / --no-color is set.
type textStyles struct {
	on               bool
	okS, badS, warnS lipgloss.Style
	boldS, faintS    lipgloss.Style
}

func newTextStyles(w io.Writer, noColor bool) textStyles {
	return textStyles{
		on:     !noColor && isTerminal(w),
		okS:    lipgloss.NewStyle().Foreground(lipgloss.Green).Bold(true),
		badS:   lipgloss.NewStyle().Foreground(lipgloss.Red).Bold(true),
		warnS:  lipgloss.NewStyle().Foreground(lipgloss.Yellow).Bold(true),
		boldS:  lipgloss.NewStyle().Bold(true),
		faintS: lipgloss.NewStyle().Faint(true),
	}
}

func (t textStyles) apply(s lipgloss.Style, text string) string {
	if !t.on {
		return text
	}
	return s.Render(text)
}

func (t textStyles) ok(s string) string    { return t.apply(t.okS, s) }
func (t textStyles) bad(s string) string   { return t.apply(t.badS, s) }
func (t textStyles) warn(s string) string  { return t.apply(t.warnS, s) }
func (t textStyles) bold(s string) string  { return t.apply(t.boldS, s) }
func (t textStyles) faint(s string) string { return t.apply(t.faintS, s) }
