package steps

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// Prompt implements ui.Step: the same screen as line prompts. It lists the profiles with
// their live check, then offers the same actions as a numbered menu; the inline ones (details,
// check, default, export, remove) are done here, a flow (new, edit, new access key) is
// returned to run. It calls the screen's actions directly (profiles_actions.go), never its
// commands.
func (p *Profiles) Prompt(s *ui.Session, pr *ui.Prompter) (tea.Msg, error) {
	p.sess, p.frame = s, nil
	if !p.loaded || p.stale {
		p.mode = profList
		if err := p.promptList(pr, !p.checked); err != nil {
			return nil, err
		}
	}
	for {
		p.sayRows(pr)
		if p.note != "" {
			pr.Say("%s", p.note)
			p.note = ""
		}
		type action struct {
			label string
			do    func() (tea.Msg, error)
		}
		acts := []action{}
		if len(p.rows) > 0 {
			acts = append(acts,
				action{"Show the details of a profile", func() (tea.Msg, error) {
					return p.promptEach(pr, "details", func(pr *ui.Prompter, r *profileRow) error {
						sayDetails(pr, r, p.statusText)
						return nil
					})
				}},
				action{"Edit a profile", func() (tea.Msg, error) { return p.promptRead(pr, false) }},
				action{"Replace the access key of a profile", func() (tea.Msg, error) { return p.promptRead(pr, true) }},
				action{"Check a profile again", func() (tea.Msg, error) {
					return p.promptEach(pr, "check", func(_ *ui.Prompter, r *profileRow) error {
						p.checkNow([]*profileRow{r})
						return nil
					})
				}},
				action{"Check every profile again", func() (tea.Msg, error) {
					pr.Say("Checking %d profiles live…", len(p.rows))
					p.checkNow(p.rows)
					return nil, nil
				}},
				action{"Make a profile the default", func() (tea.Msg, error) {
					return p.promptEach(pr, "make the default", func(_ *ui.Prompter, r *profileRow) error {
						p.promptAction(setDefaultProfile(p.sess.Ctx, p.mgr, r.View.Name))
						return nil
					})
				}},
				action{"Export a profile to a file", func() (tea.Msg, error) { return p.promptEach(pr, "export", p.promptExport) }},
				action{"Remove a profile", func() (tea.Msg, error) {
					return p.promptEach(pr, "remove", func(pr *ui.Prompter, r *profileRow) error {
						ok, err := pr.YesNo(fmt.Sprintf("Remove profile %q and its stored credentials?", r.View.Name), false)
						if err != nil || !ok {
							if err == nil {
								pr.Say("Nothing removed.")
							}
							return err
						}
						p.promptAction(removeProfile(p.sess.Ctx, p.mgr, r.View.Name))
						return nil
					})
				}},
			)
		}
		acts = append(acts,
			action{"Set up a new profile", func() (tea.Msg, error) {
				return ui.StartFlowMsg{Steps: p.newFlow().Steps}, nil
			}},
			action{"Quit", func() (tea.Msg, error) { return ui.FinishMsg{}, nil }},
		)
		labels := make([]string, len(acts))
		for i, a := range acts {
			labels[i] = a.label
		}
		i, err := pr.Choose("What now?", labels, len(acts)-1)
		if err != nil {
			return nil, err
		}
		msg, err := acts[i].do()
		if err != nil || msg != nil {
			return msg, err
		}
	}
}

// promptList reads the profiles and, with check, checks every one of them live at once.
func (p *Profiles) promptList(pr *ui.Prompter, check bool) error {
	msg := readList(p.sess.Ctx, p.mgr)
	p.loaded, p.stale = true, false
	if msg.err != nil {
		return fmt.Errorf("list the profiles: %w", msg.err)
	}
	p.applyList(msg.list)
	if check && len(p.rows) > 0 {
		p.checked = true
		if len(p.rows) == 1 {
			pr.Say("Checking the profile live…")
		} else {
			pr.Say("Checking %d profiles live…", len(p.rows))
		}
		p.checkNow(p.rows)
	}
	return nil
}

// checkNow checks rows at once and waits for all of them (line prompts).
func (p *Profiles) checkNow(rows []*profileRow) {
	run, names := p.beginChecks(rows)
	if len(names) == 0 {
		return
	}
	p.applyChecks(run, checkProfiles(p.sess.Ctx, p.mgr, names))
	p.frame = nil
}

func (p *Profiles) sayRows(pr *ui.Prompter) {
	if len(p.rows) == 0 {
		pr.Say("No profiles are stored.")
		return
	}
	pr.Say("Profiles:")
	for i, r := range p.rows {
		_, status := p.statusText(r, true)
		name := r.View.Name
		if r.Default {
			name += " (default)"
		}
		v := r.View
		pr.Say("  %d. %s: %s. Tenant %s; business unit %s; user %s.", i+1, name, status,
			store.Or(v.TenantText()), store.Or(v.BusinessUnitText()), store.Or(v.User))
	}
}

// promptEach asks which profile (when there are several) and does fn with it.
func (p *Profiles) promptEach(pr *ui.Prompter, what string, fn func(*ui.Prompter, *profileRow) error) (tea.Msg, error) {
	r, err := p.promptPick(pr, what)
	if err != nil {
		return nil, err
	}
	return nil, fn(pr, r)
}

func (p *Profiles) promptPick(pr *ui.Prompter, what string) (*profileRow, error) {
	if len(p.rows) == 1 {
		return p.rows[0], nil
	}
	names := make([]string, len(p.rows))
	for i, r := range p.rows {
		names[i] = r.View.Name
	}
	i, err := pr.Choose("Which profile to "+what+"?", names, p.list.cursor)
	if err != nil {
		return nil, err
	}
	p.list.cursor = i
	return p.rows[i], nil
}

// promptAction takes an action's outcome in and reads the list again.
func (p *Profiles) promptAction(msg actionMsg) {
	p.acted(msg)
	if l := readList(p.sess.Ctx, p.mgr); l.err == nil {
		p.applyList(l.list)
	}
}

// promptRead reads a profile from the keyring and returns the edit or rotation to run. A
// failed profile's edit starts at the value its check points at.
func (p *Profiles) promptRead(pr *ui.Prompter, rotate bool) (tea.Msg, error) {
	what := "edit"
	if rotate {
		what = "give a new access key"
	}
	r, err := p.promptPick(pr, what)
	if err != nil {
		return nil, err
	}
	msg := loadProfile(p.sess.Ctx, p.mgr, r.View.Name, rotate, fixFrom(r))
	if msg.err != nil {
		pr.Say("Could not read profile %s: %s", r.View.Name, errorText(msg.err))
		return nil, nil
	}
	fl := p.flowOf(msg)
	return ui.StartFlowMsg{Steps: fl.Steps, Draft: fl.Draft}, nil
}

func (p *Profiles) promptExport(pr *ui.Prompter, r *profileRow) error {
	opts := make([]string, len(store.Formats))
	for i, f := range store.Formats {
		opts[i] = f.Name + " (" + f.Note + ")"
	}
	f, err := pr.Choose("Format:", opts, 0)
	if err != nil {
		return err
	}
	path, err := pr.Text("File", exportPath(r.View.Name, f), func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("enter the path of the file to write")
		}
		return nil
	})
	if err != nil {
		return err
	}
	req := ExportRequest{Profile: r.View.Name, Format: store.Formats[f].Name, Path: path}
	msg := exportProfile(p.sess.Ctx, p.mgr, req)
	if errors.Is(msg.err, fs.ErrExist) {
		ok, err := pr.YesNo(auth.Sanitize(path)+" exists. Replace it?", false)
		if err != nil || !ok {
			if err == nil {
				pr.Say("Not replaced.")
			}
			return err
		}
		req.Force = true
		msg = exportProfile(p.sess.Ctx, p.mgr, req)
	}
	if msg.err != nil {
		pr.Say("Error: %s", errorText(msg.err))
		return nil
	}
	p.setNote("✓ "+exportNote(msg), false)
	p.logAction(exportRecord(msg))
	return nil
}
