package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles holds every style of the wizard. Colours are named in NewStyles only, so a theme
// change (or NO_COLOR) is one edit.
type Styles struct {
	NoColor bool
	IsDark  bool

	App          lipgloss.Style // product name in the header
	Title        lipgloss.Style // step title in the header
	Progress     lipgloss.Style // "Step 2 of 8"
	Rule         lipgloss.Style // line under the header
	Heading      lipgloss.Style // a heading inside a body
	Text         lipgloss.Style // ordinary body text
	Muted        lipgloss.Style // secondary text
	Label        lipgloss.Style // a field label
	FocusedLabel lipgloss.Style
	Value        lipgloss.Style // a value the user chose or CXone returned
	Code         lipgloss.Style // a command or a literal choice
	Link         lipgloss.Style // a URL (the hyperlink is added per link)
	Selected     lipgloss.Style // the selected row of a list
	Disabled     lipgloss.Style // an unavailable choice
	OK           lipgloss.Style // ✓
	Warn         lipgloss.Style // ! and warning text
	Error        lipgloss.Style // ✗ and error text
	Spinner      lipgloss.Style
	WarnBox      lipgloss.Style // the prominent box of the access key step
	ErrorBox     lipgloss.Style
	Prompt       lipgloss.Style // "> " of a focused field
	BlurPrompt   lipgloss.Style
	Input        lipgloss.Style
	Placeholder  lipgloss.Style
	Cursor       color.Color
	HelpKey      lipgloss.Style
	HelpDesc     lipgloss.Style
	HelpSep      lipgloss.Style
	Confirm      lipgloss.Style // the quit confirmation line
}

// NewStyles builds the styles for a dark or light terminal background. With noColor every
// style keeps only attributes that survive without colour (bold, underline, reverse), so
// NO_COLOR users still see what is focused and what is a warning.
func NewStyles(isDark, noColor bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	var (
		accent = c("#5A3FD6", "#9D8CFF")
		subtle = c("#6B6B6B", "#8A8A8A")
		text   = c("#1A1A1A", "#E8E8E8")
		green  = c("#12803A", "#4FD37A")
		amber  = c("#9A5B00", "#F2B544")
		red    = c("#C4242B", "#FF6B6B")
		link   = c("#1F5FC4", "#6CB4FF")
		dimmed = c("#A0A0A0", "#5C5C5C")
		code   = c("#7A2E8E", "#E38CFF")
	)
	s := &Styles{NoColor: noColor, IsDark: isDark}
	s.App = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(text)
	s.Progress = lipgloss.NewStyle().Foreground(subtle)
	s.Rule = lipgloss.NewStyle().Foreground(dimmed)
	s.Heading = lipgloss.NewStyle().Bold(true).Foreground(text)
	s.Text = lipgloss.NewStyle().Foreground(text)
	s.Muted = lipgloss.NewStyle().Foreground(subtle)
	s.Label = lipgloss.NewStyle().Foreground(subtle)
	s.FocusedLabel = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Value = lipgloss.NewStyle().Bold(true).Foreground(text)
	s.Code = lipgloss.NewStyle().Foreground(code)
	s.Link = lipgloss.NewStyle().Underline(true).Foreground(link)
	s.Selected = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Disabled = lipgloss.NewStyle().Foreground(dimmed)
	s.OK = lipgloss.NewStyle().Foreground(green)
	s.Warn = lipgloss.NewStyle().Foreground(amber)
	s.Error = lipgloss.NewStyle().Foreground(red)
	s.Spinner = lipgloss.NewStyle().Foreground(accent)
	s.WarnBox = lipgloss.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(amber).Padding(0, 1)
	s.ErrorBox = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(red).Padding(0, 1)
	s.Prompt = lipgloss.NewStyle().Foreground(accent)
	s.BlurPrompt = lipgloss.NewStyle().Foreground(dimmed)
	s.Input = lipgloss.NewStyle().Foreground(text)
	s.Placeholder = lipgloss.NewStyle().Foreground(dimmed)
	s.Cursor = accent
	s.HelpKey = lipgloss.NewStyle().Foreground(subtle)
	s.HelpDesc = lipgloss.NewStyle().Foreground(dimmed)
	s.HelpSep = lipgloss.NewStyle().Foreground(dimmed)
	s.Confirm = lipgloss.NewStyle().Bold(true).Foreground(amber)
	if noColor {
		s.Selected = s.Selected.Reverse(false)
		s.WarnBox = s.WarnBox.Bold(true)
	}
	return s
}
