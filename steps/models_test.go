package steps

import (
	"context"
	"io"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/ui"
)

// The test entry points of this package's own tests (other packages' tests use
// steps/wizardtest): they are not in the product, which starts the wizard through RunFlow and
// RunHome only.

func newModel(ctx context.Context, deps Deps, cfg Config) *ui.Model {
	return FlowModel(ctx, deps, cfg, NewProfileFlow(deps, cfg))
}

func newHomeModel(ctx context.Context, deps Deps, cfg Config) *ui.Model {
	return HomeModel(ctx, deps, cfg, NewProfiles(deps, cfg))
}

// NewModel returns the wizard as a tea.Model (a *ui.Model).
func NewModel(deps Deps, cfg Config) tea.Model {
	return newModel(context.Background(), deps, cfg)
}

// Run runs the wizard for a new profile as RunFlow does.
func Run(ctx context.Context, deps Deps, cfg Config, in io.Reader, out io.Writer) (Outcome, error) {
	return RunFlow(ctx, deps, cfg, NewProfileFlow(deps, cfg), in, out)
}
