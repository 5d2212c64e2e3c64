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

// All returns the wizard's steps in order.
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

func newSession(deps Deps, cfg Config) *ui.Session {
	return &ui.Session{
		OpenURL:    deps.OpenURL,
		Accessible: cfg.Accessible,
		Styles:     ui.NewStyles(true, cfg.NoColor),
	}
}

func newModel(ctx context.Context, deps Deps, cfg Config) *ui.Model {
	return ui.New(ctx, newSession(deps, cfg), All(deps, cfg), ui.Options{AltScreen: !cfg.Accessible, NoColor: cfg.NoColor})
}

// NewModel returns the wizard as a tea.Model (a *ui.Model), for end-to-end tests. It does no
// I/O: profiles and backends are fetched by commands once the steps need them.
func NewModel(deps Deps, cfg Config) tea.Model {
	return newModel(context.Background(), deps, cfg)
}

// Run runs the wizard, reading keys from in and drawing on out (the command passes stderr, so
// stdout stays clean): full-screen on the alternate screen, or with cfg.Accessible as line
// prompts. It returns ErrCancelled when the person quits; nothing is written in that case.
func Run(ctx context.Context, deps Deps, cfg Config, in io.Reader, out io.Writer) (Outcome, error) {
	if cfg.Accessible {
		sess := newSession(deps, cfg)
		st, err := ui.RunLines(ctx, sess, All(deps, cfg), ui.NewPrompter(ctx, in, out))
		return outcome(st, err, sess)
	}
	m := newModel(ctx, deps, cfg)
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out)}
	if cfg.NoColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	final, err := tea.NewProgram(m, opts...).Run()
	if err != nil {
		if errors.Is(err, tea.ErrInterrupted) || ctx.Err() != nil {
			return outcome(ui.StateAborted, nil, m.Session())
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
func outcomeOf(m *ui.Model) (Outcome, error) { return outcome(m.State(), m.Err(), m.Session()) }

func outcome(st ui.State, err error, sess *ui.Session) (Outcome, error) {
	var out Outcome
	for _, d := range sess.Finished {
		out.Records = append(out.Records, RecordOf(d))
	}
	d := sess.Draft
	if len(sess.Finished) > 0 {
		d = sess.Finished[len(sess.Finished)-1]
	}
	switch st {
	case ui.StateDone:
		if d != nil {
			out.Saved, out.Profile, out.Result, out.Backend, out.Later = d.Saved, d.Profile, d.Result, d.Backend, d.Later
		}
		return out, nil
	case ui.StateFailed:
		return out, err
	}
	if err != nil && !errors.Is(err, ui.ErrInputEnded) && !errors.Is(err, context.Canceled) {
		return out, err
	}
	return out, ErrCancelled
}
