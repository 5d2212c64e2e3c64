//go:build !unix && !windows

package store

import "os"

// tryLock has no file locking to offer on this platform; the atomic rename still prevents
// torn files.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) {}
