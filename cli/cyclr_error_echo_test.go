// The attack: Cyclr's install endpoint refuses the body with a validation message that quotes
// the value it was sent (ASP.NET model validation does: "The value '...' is not valid for
// ..."; a hostile or buggy Cyclr can do it on purpose). serverMessage (cyclr/client.go:238)
// prints Cyclr's Message sanitised but not redacted, so the CXone Access Key Secret (or the
// base64 AuthValue that holds it) reaches stderr, and with it CI logs (SPEC 9: never a secret
// in an error message). The client knows the secrets it sent and can hide them.
package cli

import (
	"encoding/base64"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

func TestReviewCyclrErrorNeverEchoesTheKey(t *testing.T) {
	d := cxonetest.DefaultCredentials
	basic := base64.StdEncoding.EncodeToString([]byte(d.AccessKeyID + ":" + d.AccessKeySecret))
	for _, schema := range []cyclrtest.Schema{cyclrtest.SchemaProperties, cyclrtest.SchemaBasic} {
		t.Run(string(schema), func(t *testing.T) {
			ce := newCyclrTestEnv(t, schema)
			ce.login()
			echo := "The value '" + d.AccessKeySecret + "' is not valid for accessKeySecret; AuthValue '" + basic + "' is not valid."
			ce.cy.SetFault(cyclrtest.EndpointInstall, cyclrtest.Fault{Kind: cyclrtest.FaultStatus, Status: 400, Message: echo})
			code, out, stderr := ce.run("cyclr", "install", "--profile", "prod", "--account", cyclrtest.DefaultAccountID)
			if code == 0 {
				t.Fatalf("install against a refusing Cyclr: exit 0")
			}
			for what, s := range map[string]string{"the Access Key Secret": d.AccessKeySecret, "the AuthValue": basic} {
				if strings.Contains(out+stderr, s) {
					t.Errorf("%s reached the output through Cyclr's error message (exit %d):\n%s", what, code, stderr)
				}
			}
		})
	}
}
