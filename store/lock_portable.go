//go:build !unix

package store

import "os"

// openLockFilePortable is the open of systems without O_NOFOLLOW: look first, then open. The
// gap between the two is the best these systems offer (creating symbolic links needs a
// privilege on Windows).
func openLockFilePortable(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return nil, errLockSymlink
	}
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
