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
		NewSave(deps.Backends, deps.Saver, cfg).warnReplacing(deps.Profiles),
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

// FlowModel is a flow (the wizard, an edit, a rotation) as a full-screen model; RunFlow runs
// it. It does no I/O: profiles and backends are fetched by commands once the steps need them.
func FlowModel(ctx context.Context, deps Deps, cfg Config, fl Flow) *ui.Model {
	sess := newSession(deps, cfg)
	sess.Draft = fl.Draft
	return ui.New(ctx, sess, fl.Steps, ui.Options{AltScreen: !cfg.Accessible, NoColor: cfg.NoColor})
}

// HomeModel is the profiles screen p as a full-screen model; RunHome runs it.
func HomeModel(ctx context.Context, deps Deps, cfg Config, p *Profiles) *ui.Model {
	return ui.New(ctx, newSession(deps, cfg), nil, ui.Options{AltScreen: !cfg.Accessible, NoColor: cfg.NoColor, Home: p})
}

// RunFlow runs one flow (the wizard, an edit, a rotation) as Run does.
func RunFlow(ctx context.Context, deps Deps, cfg Config, fl Flow, in io.Reader, out io.Writer) (Outcome, error) {
	if cfg.Accessible {
		sess := newSession(deps, cfg)
		sess.Draft = fl.Draft
		st, err := ui.RunLines(ctx, sess, fl.Steps, ui.NewPrompter(ctx, in, out))
		return outcome(st, err, sess)
	}
	return runProgram(ctx, cfg, FlowModel(ctx, deps, cfg, fl), in, out)
}

// RunHome runs the profiles screen, the home of `cxone-auth` on a terminal: the stored
// profiles checked live, and the flows it starts (new profile, edit, rotation) in the same
// program. Quitting it is not a cancellation: the records of the profiles saved meanwhile are
// in the outcome.
func RunHome(ctx context.Context, deps Deps, cfg Config, in io.Reader, out io.Writer) (Outcome, error) {
	p := NewProfiles(deps, cfg)
	if cfg.Accessible {
		sess := newSession(deps, cfg)
		st, err := ui.RunHomeLines(ctx, sess, p, ui.NewPrompter(ctx, in, out))
		return p.outcome(st, err, sess)
	}
	p.preload(ctx)
	m := HomeModel(ctx, deps, cfg, p)
	res, err := runProgram(ctx, cfg, m, in, out)
	res.Records = p.records(m.Session().Finished)
	return res, err
}

func runProgram(ctx context.Context, cfg Config, m *ui.Model, in io.Reader, out io.Writer) (Outcome, error) {
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
