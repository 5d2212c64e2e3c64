//go:build unix

package store

import (
	"os"
	"syscall"
)

// openNoBlock opens path for reading without blocking: opening a named pipe (FIFO) with no
// writer would otherwise wait forever, signals or not. Callers then refuse anything that is not
// a regular file.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
