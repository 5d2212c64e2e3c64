package steps

import (
	"cxone-auth/ui"
)

// Flow is a sequence of steps and the draft it starts from: the wizard for a new profile, the
// edit of a stored one, or the rotation of its access key. The profiles screen starts flows
// with ui.StartFlow; the command line runs one with RunFlow.
type Flow struct {
	Steps []ui.Step
	Draft *ui.Draft // nil: a new, empty draft
}

// NewProfileFlow is the wizard that sets up a new profile.
func NewProfileFlow(deps Deps, cfg Config) Flow { return Flow{Steps: All(deps, cfg)} }

// storedDraft is the draft of an edit or rotation of p: the stored values, the profile marked
// as existing (the record says "Updated") and the keyring that holds it (saved back there).
func storedDraft(p StoredSecret) *ui.Draft {
	return &ui.Draft{
		Profile:        p.Name,
		Environment:    envNames[envOf(p.Issuer)],
		Issuer:         p.Issuer,
		Creds:          p.Creds,
		Existing:       true,
		Backend:        p.Backend,
		OldAccessKeyID: p.Creds.AccessKeyID,
	}
}

// EditFlow edits stored profile p: every value shows its stored form masked and Enter keeps
// it, the environment is pre-selected from p.Issuer; there is nothing to register and no key to
// create, so those steps are left out. from is the step to start on: "" for the first
// (the environment), IDClient or IDAccessKey to go straight to the value a check rejected.
// refused (may be nil) is how CXone refused the stored values earlier in this run: unchanged,
// they are not sent again.
func EditFlow(deps Deps, cfg Config, p StoredSecret, from string, refused error) Flow {
	d := storedDraft(p)
	ids := []string{IDWelcome, IDClient, IDAccessKey, IDCheck, IDSave, IDDone}
	switch from {
	case IDClient:
		ids = ids[1:]
	case IDAccessKey:
		ids = ids[2:]
	}
	check := newCheckIn(deps.Verifier, ids...)
	check.refuse(d, refused)
	all := map[string]ui.Step{
		IDWelcome:   NewEditWelcome(cfg, p.Name, p.Issuer),
		IDClient:    NewClient(deps.Profiles, cfg),
		IDAccessKey: NewAccessKey(),
		IDCheck:     check,
		IDSave:      NewSave(deps.Backends, deps.Saver, cfg),
		IDDone:      NewDone(),
	}
	steps := make([]ui.Step, 0, len(ids))
	for _, id := range ids {
		steps = append(steps, all[id])
	}
	return Flow{Steps: steps, Draft: d}
}

// RotateFlow replaces the access key of stored profile p: the once-only warning of a new key,
// its ID and secret (empty fields; the old ID shown for reference), the live check of the new
// key with the stored client credentials and issuer, then one write of the whole keyring item
// in the keyring that holds it. The done screen and the record name the old Access Key ID, to
// be deactivated in CXone.
func RotateFlow(deps Deps, cfg Config, p StoredSecret) Flow {
	d := storedDraft(p)
	d.Creds.AccessKeyID, d.Creds.AccessKeySecret = "", ""
	return Flow{Draft: d, Steps: []ui.Step{
		NewRotateCreateKey(),
		NewRotateAccessKey(),
		newCheckIn(deps.Verifier, IDCreateKey, IDAccessKey, IDCheck, IDSave, IDDone),
		NewSave(deps.Backends, deps.Saver, cfg),
		NewDone(),
	}}
}
