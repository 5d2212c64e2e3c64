package steps

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"cxone-auth/ui"
)

// All returns the wizard's steps in order (SPEC section 3).
func All(deps Deps, cfg Config) []ui.Step {
	return []ui.Step{
		NewWelcome(cfg, deps.Profiles),
		NewRegister(deps.OpenURL),
		NewClient(deps.Profiles, cfg),
		NewCreateKey(),
		NewAccessKey(),
		NewCheck(deps.Verifier),
		NewSave(deps.Backends, deps.Saver, cfg),
		NewDone(),
	}
}

func newModel(ctx context.Context, deps Deps, cfg Config) *ui.Model {
	sess := &ui.Session{
		OpenURL:    deps.OpenURL,
		Accessible: cfg.Accessible,
		Styles:     ui.NewStyles(true, cfg.NoColor),
	}
	return ui.New(ctx, sess, All(deps, cfg), ui.Options{AltScreen: !cfg.Accessible, NoColor: cfg.NoColor})
}

// NewModel returns the wizard as a tea.Model (a *ui.Model), for end-to-end tests. It does no
// I/O: profiles and backends are fetched by commands once the steps need them.
func NewModel(deps Deps, cfg Config) tea.Model {
	return newModel(context.Background(), deps, cfg)
}

// Run runs the full-screen wizard on the alternate screen, reading keys from in and drawing on
// out (main passes stderr, so stdout stays clean). It returns ErrCancelled when the user
// quits; nothing is written in that case. With cfg.Accessible it runs RunAccessible.
func Run(ctx context.Context, deps Deps, cfg Config, in io.Reader, out io.Writer) (Outcome, error) {
	if cfg.Accessible {
		return RunAccessible(ctx, deps, cfg, in, out)
	}
	m := newModel(ctx, deps, cfg)
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out)}
	if cfg.NoColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	final, err := tea.NewProgram(m, opts...).Run()
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || ctx.Err() != nil {
			return Outcome{}, ErrCancelled
		}
		return Outcome{}, fmt.Errorf("wizard: %w", err)
	}
	fm, ok := final.(*ui.Model)
	if !ok {
		return Outcome{}, errors.New("wizard: unexpected final model")
	}
	return outcomeOf(fm)
}

// outcomeOf reads what the finished wizard did.
func outcomeOf(m *ui.Model) (Outcome, error) {
	d := m.Session().Draft
	switch m.State() {
	case ui.StateDone:
		return Outcome{Saved: d.Saved, Profile: d.Profile, Result: d.Result, Backend: d.Backend}, nil
	case ui.StateFailed:
		return Outcome{}, m.Err()
	}
	return Outcome{}, ErrCancelled
}
