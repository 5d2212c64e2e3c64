package cli

import (
	"strings"
	"testing"

	"cxone-auth/auth"
)

// The advice for an error kind is shown by the command line, the wizard and the profiles
// screen alike, so auth's texts name no flag; the command line adds the flags that act on the
// kind (flagHint), and the check report carries them.
func TestAdviceNamesNoFlagTheCommandLineAddsThem(t *testing.T) {
	kinds := []auth.Kind{auth.KindInvalidClient, auth.KindInvalidGrant, auth.KindUnauthorized, auth.KindNetwork,
		auth.KindTimeout, auth.KindServer, auth.KindProtocol, auth.KindKeyring, auth.KindNotFound}
	for _, k := range kinds {
		a := auth.AdviceFor(k)
		for _, text := range []string{a.Title, a.Short, a.Cause, a.Fix} {
			if strings.Contains(text, "--") {
				t.Errorf("the advice for %s names a flag: %q", k, text)
			}
		}
	}
	for k, flag := range map[auth.Kind]string{auth.KindTimeout: "--timeout", auth.KindKeyring: "--keyring-backend", auth.KindProtocol: "--debug"} {
		e := checkEntry{Source: "keyring", Error: &checkError{Kind: string(k), Message: "x"}}
		if got := fixAdvice(e); !strings.Contains(got, flag) || !strings.Contains(got, auth.AdviceFor(k).Fix) {
			t.Errorf("the report's advice for %s: %q, want the advice and %s", k, got, flag)
		}
	}
}
