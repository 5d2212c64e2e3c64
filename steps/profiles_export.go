package steps

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/store"
	"cxone-auth/ui"
)

// profExportForm is the profiles screen's export form: the format (one of store.Formats) and
// the file, whose default follows the format until the person types another. It only asks;
// the screen writes the file (exportProfile) and tells the form how that went.
type profExportForm struct {
	name   string // the profile being exported
	group  ui.Group
	format ui.Menu
	path   ui.Field
}

// newProfExportForm returns the form; it must stay where it is (the group keeps pointers).
func newProfExportForm() *profExportForm {
	f := &profExportForm{}
	for _, fm := range store.Formats {
		f.format.Items = append(f.format.Items, ui.MenuItem{Label: fm.Name, Note: fm.Note})
	}
	f.path = ui.NewField("File", "path of the file to write", false)
	f.group.Add(&f.format)
	f.group.Add(&f.path)
	return f
}

// exportPath is the default file of an export: the profile's name with the format's
// extension, in the current folder (never a project's .env by surprise).
func exportPath(name string, format int) string { return name + store.Formats[format].Ext }

// open starts the form for profile name, on the first format and its default file.
func (f *profExportForm) open(name string) tea.Cmd {
	f.name = name
	f.format.Select(0)
	f.path.SetValue(exportPath(name, 0))
	f.path.Error, f.path.Warning = "", ""
	return f.group.Focus(0)
}

func (f *profExportForm) restyle(st *ui.Styles) { f.path.SetStyles(st) }

// capturing reports whether the file field has the keyboard (printable keys are its own).
func (f *profExportForm) capturing() bool { return f.group.Current() == &f.path }

// request is the export the form asks for.
func (f *profExportForm) request() ExportRequest {
	return ExportRequest{Profile: f.name, Format: store.Formats[f.format.Selected()].Name, Path: strings.TrimSpace(f.path.Value())}
}

// Update handles a key or a paste. It returns submit once the person asked to write the file,
// back when they left the form.
func (f *profExportForm) Update(msg tea.Msg, keys ui.KeyMap) (cmd tea.Cmd, submit, back bool) {
	before := f.format.Selected()
	cmd, ev := f.group.Update(msg, keys, func(int) bool {
		if f.group.Current() == &f.path && strings.TrimSpace(f.path.Value()) == "" {
			f.path.Error = "enter the path of the file to write"
			return false
		}
		return true
	})
	if after := f.format.Selected(); after != before && f.path.Value() == exportPath(f.name, before) {
		// The default path follows the format until the person types another.
		f.path.SetValue(exportPath(f.name, after))
	}
	switch ev {
	case ui.GroupBack:
		f.group.BlurAll()
		return nil, false, true
	case ui.GroupSubmit:
		f.group.BlurAll()
		return nil, true, false
	case ui.GroupChanged:
		f.path.Error = ""
	}
	return cmd, false, false
}

// failed shows why the file could not be written and gives the file field the keyboard.
func (f *profExportForm) failed(reason string) tea.Cmd {
	f.path.Error = reason
	return f.group.Focus(1)
}

// View adds the form to b; question, when set, is the confirmation asked under it.
func (f *profExportForm) View(b *body, sess *ui.Session, question string) {
	st, tw, fw := sess.Styles, textWidth(sess), fieldWidth(sess)
	b.add(ui.Wrap(st.Text.Render("Export profile ")+st.Value.Render(f.name)+st.Text.Render(" to a file readable only by you."), tw))
	b.pin()
	b.gap()
	b.add(label(st, "Format", f.format.Focused))
	if f.group.Current() == &f.format {
		b.focusAt(f.format.Selected())
	}
	b.add(f.format.View(st, sess.BodyWidth()))
	b.gap()
	if f.group.Current() == &f.path {
		b.focus()
	}
	b.add(f.path.View(st, fw))
	if question != "" {
		b.gap()
		b.focus()
		b.add(ui.Wrap(st.Confirm.Render(question), tw))
	}
}

// KeyBinds is the form's help line.
func (f *profExportForm) KeyBinds(k ui.KeyMap) []key.Binding {
	if f.group.Current() == &f.format {
		return []key.Binding{k.UpDown, k.Next, binding("esc", "cancel")}
	}
	return []key.Binding{binding("enter", "write"), k.PrevField, binding("esc", "cancel")}
}

// replaceQuestion asks before an existing file is replaced.
func replaceQuestion(path string) string { return auth.Sanitize(path) + " exists. Replace it? y/N" }
