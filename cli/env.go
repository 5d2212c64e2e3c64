package cli

import (
	"slices"
	"strings"
)

// Env is the environment the product sees, injected so that tests replace it whole and no code
// outside main reads the real one. Its values are those the user gave the process: main builds
// it before anything of ours changed a variable (see store/dbusguard).
type Env struct {
	vars []string // NAME=value
}

// NewEnv returns an environment over NAME=value pairs (the last of a repeated name wins).
func NewEnv(environ []string) Env { return Env{vars: slices.Clone(environ)} }

// Getenv returns the value of name, "" when unset.
func (e Env) Getenv(name string) string {
	v, _ := e.Lookup(name)
	return v
}

// Lookup returns the value of name and whether it is set.
func (e Env) Lookup(name string) (string, bool) {
	for i := len(e.vars) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e.vars[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// Environ returns a copy of the NAME=value pairs.
func (e Env) Environ() []string { return slices.Clone(e.vars) }

// ChildEnviron is the environment of a process the product starts: the user's environment
// without any CXONE_* variable (the keyring passphrase opens every profile; a stale value from
// the parent must not shadow what the product passes on) and without any CYCLR_* variable
// (`cyclr login --from-env` reads CYCLR_CLIENT_SECRET, the partner's long-lived API secret;
// the whole prefix goes, as with CXONE_*, so no half of a Cyclr login is left either), then
// extra in order. See docs/cli.md.
func (e Env) ChildEnviron(extra ...[2]string) []string {
	out := make([]string, 0, len(e.vars)+len(extra))
	for _, kv := range e.vars {
		name, _, _ := strings.Cut(kv, "=")
		if up := strings.ToUpper(name); strings.HasPrefix(up, "CXONE_") || strings.HasPrefix(up, "CYCLR_") { // Windows names ignore case
			continue
		}
		out = append(out, kv)
	}
	for _, kv := range extra {
		out = append(out, kv[0]+"="+kv[1])
	}
	return out
}
