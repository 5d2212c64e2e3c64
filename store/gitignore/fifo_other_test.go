//go:build !unix

package gitignore

import "errors"

// mkfifo is unavailable here.
func mkfifo(string) error { return errors.New("no named pipes on this OS") }
