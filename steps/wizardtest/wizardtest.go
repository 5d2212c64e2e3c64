// Package wizardtest builds the wizard's models for other packages' end-to-end tests (the
// product itself starts them through steps.RunFlow and steps.RunHome). They do no I/O:
// profiles and backends are fetched by commands once the steps need them.
package wizardtest

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/steps"
)

// NewModel returns the wizard for a new profile as a tea.Model (a *ui.Model).
func NewModel(deps steps.Deps, cfg steps.Config) tea.Model {
	return steps.FlowModel(context.Background(), deps, cfg, steps.NewProfileFlow(deps, cfg))
}

// NewFlowModel returns a flow (an edit, a rotation) as a tea.Model.
func NewFlowModel(deps steps.Deps, cfg steps.Config, fl steps.Flow) tea.Model {
	return steps.FlowModel(context.Background(), deps, cfg, fl)
}

// NewHomeModel returns the profiles screen as a tea.Model.
func NewHomeModel(deps steps.Deps, cfg steps.Config) tea.Model {
	return steps.HomeModel(context.Background(), deps, cfg, steps.NewProfiles(deps, cfg))
}
