package steps

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// The save step's keyrings: listing them (off the update loop), the menu and which one is
// selected first, the keyring decided before the step, and the stored profile a new one
// would replace.

func listBackends(src BackendSource) ([]Backend, error) {
	if src == nil {
		return nil, errors.New("no keyring backends are configured")
	}
	ch := make(chan []Backend, 1)
	go func() { ch <- src.Backends() }()
	select {
	case list := <-ch:
		return list, nil
	case <-time.After(backendsTimeout):
		return nil, errors.New("listing the keyring backends took too long")
	}
}

func loadBackends(ctx context.Context, src BackendSource, profiles ProfileSource, d *ui.Draft) tea.Cmd {
	name, existing := d.Profile, d.Existing
	return func() tea.Msg {
		list, err := listBackends(src)
		msg := backendsMsg{list: list, err: err}
		if !existing {
			msg.replacing = findReplaced(ctx, profiles, name)
		}
		return msg
	}
}

// findReplaced is the stored profile called name, nil when there is none (or the list cannot
// be read: the warning is a courtesy, the welcome step warned already).
func findReplaced(ctx context.Context, src ProfileSource, name string) *ExistingProfile {
	if src == nil || name == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, backendsTimeout)
	defer cancel()
	list, err := src.Profiles(ctx)
	if err != nil {
		return nil
	}
	for _, p := range list {
		if p.Name == name {
			return &p
		}
	}
	return nil
}

// replaceText warns that saving replaces the stored profile p.
func replaceText(p *ExistingProfile) string {
	where := ""
	if p.Backend != "" {
		where = " (in the " + auth.Sanitize(p.Backend) + " keyring)"
	}
	return fmt.Sprintf("Profile %q is already stored%s: saving replaces its credentials.", p.Name, where)
}

// fixed is the backend decided before this step, and why: the one named by --keyring-backend,
// else, for a stored profile, the one that holds it. "" when the person chooses.
func (s *Save) fixed() (name, why string) {
	switch d := s.sess.Draft; {
	case s.cfg.Backend != "":
		return s.cfg.Backend, "from --keyring-backend"
	case d.Existing && d.Backend != "":
		return d.Backend, "where the profile is stored"
	}
	return "", ""
}

// flagged reports whether the backend was decided before this step (no choice to offer).
func (s *Save) flagged() bool {
	b, ok := s.selected()
	name, _ := s.fixed()
	return ok && name != "" && b.Name == name
}

// backendMenu lists the backends; the one decided before (flag, why), else the one
// config.json remembers, else the detected default, is selected. ok is false when none is
// available.
func backendMenu(list []Backend, flag, why string) (ui.Menu, bool) {
	m := ui.Menu{Focused: true, Cursor: -1}
	// The keyring config.json remembers comes before the detected default: a new profile goes
	// where the others are, unless the person picks another.
	remembered := -1
	for i, b := range list {
		if b.Remembered && b.Available && remembered < 0 {
			remembered = i
		}
	}
	for i, b := range list {
		label := b.Label
		if label == "" {
			label = b.Name
		}
		note := b.Note
		switch {
		case flag != "" && b.Name == flag:
			note = joinNote(why, note)
		case flag == "" && b.Remembered && b.Available:
			note = joinNote("used last", note)
		case flag == "" && b.Default && b.Available && remembered < 0:
			note = joinNote("detected default", note)
		}
		m.Items = append(m.Items, ui.MenuItem{Label: label, Note: note, Disabled: !b.Available})
		if b.Available && m.Cursor < 0 && ((flag != "" && b.Name == flag) || (flag == "" && remembered < 0 && b.Default)) {
			m.Cursor = i
		}
	}
	if flag == "" && remembered >= 0 {
		m.Cursor = remembered
	}
	if m.Cursor < 0 {
		for i, b := range list {
			if b.Available {
				m.Cursor = i
				break
			}
		}
	}
	return m, m.Cursor >= 0
}
