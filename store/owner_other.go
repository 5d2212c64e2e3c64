//go:build !unix

package store

import "io/fs"

// ownedByOther is false where files have no Unix owner.
func ownedByOther(fs.FileInfo) bool { return false }
