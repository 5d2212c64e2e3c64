package cli

import "fmt"

// warnLooseConfig says on stderr, in one line, when the config folder or file can be written
// by others. The read-only commands (list, token, export, exec) call it: they never write
// config.json, so they never tighten it as the writing commands do.
func (f *Factory) warnLooseConfig() {
	s, err := f.Store()
	if err != nil {
		return
	}
	if w := s.LooseConfigWarning(); w != "" {
		fmt.Fprintln(f.IO.ErrOut, w)
	}
}
