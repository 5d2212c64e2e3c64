//go:build unix

package gitignore

import (
	"os"
	"path/filepath"
	"syscall"
)

// mkfifo creates a named pipe at path (and its folder).
func mkfifo(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return syscall.Mkfifo(path, 0o644)
}
