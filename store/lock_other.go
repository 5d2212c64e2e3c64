//go:build !unix && !windows

package store

import "os"

// tryLock has no file locking to offer on this platform; the atomic rename still prevents
// torn files.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) {}

// openLockFile refuses a lock file that is a symbolic link.
func openLockFile(path string) (*os.File, error) { return openLockFilePortable(path) }
