//go:build !linux

package store

import "os"

// openUnnamedFile reports that this OS has no unnamed files; writes take the private-folder way.
func openUnnamedFile(string) (*os.File, error) { return nil, errNoUnnamed }

// linkUnnamed is never reached where openUnnamedFile always fails.
func linkUnnamed(*os.File, string) error { return errNoUnnamed }
