package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"cxone-auth/store"
	"cxone-auth/ui"
)

// UseOptions are the parsed options of `use`.
type UseOptions struct {
	F    *Factory
	Name string // "" when none was given: a picker asks
}

func newUseCmd(f *Factory, runF func(context.Context, *UseOptions) error) *cobra.Command {
	opts := &UseOptions{F: f}
	cmd := &cobra.Command{
		Use:     "use [NAME]",
		Aliases: []string{"switch"},
		Short:   "Make a profile the default",
		Long:    `Use makes NAME the default profile: the one every command works on when neither --profile nor CXONE_PROFILE names another. Without NAME on a terminal it lists the profiles to pick from (↑/↓ or j/k, enter; esc leaves the default as it is).`,
		Example: `  cxone-auth use prod
  cxone-auth token            # now prod's token
  cxone-auth use              # pick from the list`,
		Args:              optionalProfileArg("use"),
		ValidArgsFunction: completeProfileArg(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			} else if !(f.IO.IsStdinTTY() && f.IO.IsStderrTTY()) {
				return usageErrorHint(helpHint(cmd), "use takes one profile name without a terminal to pick from: cxone-auth use NAME ('cxone-auth list' shows the names)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return useRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func useRun(ctx context.Context, o *UseOptions) error {
	f := o.F
	s, err := f.Store()
	if err != nil {
		return err
	}
	if o.Name == "" {
		cfg, err := s.Config()
		if err != nil {
			return err
		}
		name, err := f.pickProfile(ctx, cfg)
		if err != nil {
			return err
		}
		o.Name = name
	}
	if err := f.newApp(s).SetDefault(o.Name); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Profile %q is now the default.\n", o.Name)
	return nil
}

// errNothingChosen ends a picker left without a choice (exit 130: nothing changed).
var errNothingChosen = &exitError{code: exitCancelled, err: errors.New("nothing chosen: the default profile is unchanged")}

// pickProfile asks which profile to make the default: a short list on stderr (a numbered
// line prompt with --accessible). Only names the profile-name rule allows are offered (the
// config file can be edited by anyone who can write it).
func (f *Factory) pickProfile(ctx context.Context, cfg store.Config) (string, error) {
	var names []string
	for _, n := range cfg.Names() {
		if store.ValidProfileName(n) == nil {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "", &exitError{code: exitNotFound, err: errors.New("no profiles stored yet: run 'cxone-auth setup' to create one")}
	}
	cur := 0
	labels := make([]string, len(names))
	for i, n := range names {
		labels[i] = n
		if n == cfg.DefaultProfile {
			cur = i
			labels[i] += " (default)"
		}
	}
	if f.Settings.Accessible {
		p := ui.NewPrompter(ctx, f.IO.LineInput(), f.IO.ErrOut)
		i, err := p.Choose("Which profile should be the default?", labels, cur)
		if errors.Is(err, ui.ErrInputEnded) {
			return "", errNothingChosen
		}
		if err != nil {
			return "", err
		}
		return names[i], nil
	}
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(f.IO.In), tea.WithOutput(f.IO.ErrOut)}
	if f.Settings.NoColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	final, err := tea.NewProgram(&usePicker{labels: labels, cur: cur}, opts...).Run()
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, context.Canceled) {
			return "", errNothingChosen
		}
		return "", fmt.Errorf("profile picker: %w", err)
	}
	m, _ := final.(*usePicker)
	if m == nil || !m.chosen {
		return "", errNothingChosen
	}
	return names[m.cur], nil
}

// usePicker is the list `use` shows without NAME: inline on the normal screen (a few lines,
// not the alternate screen), ↑/↓ or j/k to move, enter to choose, esc, q or ctrl+c to leave.
type usePicker struct {
	labels []string
	cur    int
	chosen bool
	done   bool
}

func (m *usePicker) Init() tea.Cmd { return nil }

func (m *usePicker) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch k.String() {
	case "up", "k", "shift+tab":
		if m.cur > 0 {
			m.cur--
		}
	case "down", "j", "tab":
		if m.cur < len(m.labels)-1 {
			m.cur++
		}
	case "home", "g":
		m.cur = 0
	case "end", "G":
		m.cur = len(m.labels) - 1
	case "enter":
		m.chosen, m.done = true, true
		return m, tea.Quit
	case "esc", "q", "ctrl+c":
		m.done = true
		return m, tea.Quit
	}
	return m, nil
}

func (m *usePicker) View() tea.View {
	if m.done {
		return tea.NewView("") // the line printed after it says what happened
	}
	var b strings.Builder
	b.WriteString("Which profile should be the default?\n")
	for i, l := range m.labels {
		if i == m.cur {
			b.WriteString(styles.bold.Render("> "+l) + "\n")
		} else {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString(styles.faint.Render("↑/↓ move · enter choose · esc leave as it is"))
	return tea.NewView(b.String())
}
