package cli

import (
	"net/http"
	"testing"

	"cxone-auth/auth/cyclrtest"
)

// L2: with a cached Cyclr token, a 403 on the install is a refusal of the request itself, not
// a stale token: the write (the access key in its body) goes to Cyclr once, never again after
// a token refresh. A 401 still gets one refresh and one more try.
func TestCyclrWriteIsNotResentAfterA403(t *testing.T) {
	for _, tt := range []struct {
		status, writes int
	}{{403, 1}, {401, 2}} {
		ce := newCyclrTestEnv(t, cyclrtest.SchemaProperties)
		ce.login() // caches a token
		ce.cy.SetFault(cyclrtest.EndpointInstall, cyclrtest.Fault{Kind: cyclrtest.FaultStatus, Status: tt.status, Times: 1})
		before := len(ce.cy.Writes())
		code, _, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
		posts := 0
		for _, r := range ce.cy.Writes()[before:] {
			if r.Method == http.MethodPost {
				posts++
			}
		}
		if posts != tt.writes {
			t.Errorf("HTTP %d on the install: sent %d times, want %d (exit %d)\n%s", tt.status, posts, tt.writes, code, stderr)
		}
	}
}
