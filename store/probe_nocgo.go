//go:build !cgo

package store

// cgoEnabled reports whether this binary was built with cgo: the macOS Keychain backend of
// the keyring library exists only then (see builtFor).
const cgoEnabled = false
