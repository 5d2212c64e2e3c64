package store

import "cxone-auth/store/gitignore"

// GitIgnoreStatus reports whether path lies inside a git work tree and, if so, whether git
// would ignore it; it starts no process. It is gitignore.Status (store/gitignore, rules in
// docs/gitignore.md).
func GitIgnoreStatus(path string, getenv func(string) string) (inWorkTree, ignored bool) {
	return gitignore.Status(path, getenv)
}
