//go:build !unix

package store

import "os"

// openNoBlock opens path for reading (no named pipes to wait for here).
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
