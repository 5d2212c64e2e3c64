package auth

import (
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// The token endpoint refuses the password grant with a message that quotes what it was sent:
// the access key secret (as it is, or form-encoded), the client secret, in the JSON
// description, the icStatusDescription header or a 5xx body. No part of a secret reaches the
// error.
func TestTokenErrorsNeverEchoTheSecrets(t *testing.T) {
	d := cxonetest.DefaultCredentials
	secrets := map[string]string{"the access key secret": d.AccessKeySecret, "the client secret": d.ClientSecret}
	for name, f := range map[string]cxonetest.Fault{
		"400 invalid_request": {Kind: cxonetest.FaultStatus, Status: 400, Code: "invalid_request", Description: "password '" + d.AccessKeySecret + "' and client_secret '" + d.ClientSecret + "' are not valid"},
		"400 long, cut":       {Kind: cxonetest.FaultStatus, Status: 400, Code: "invalid_request", Description: strings.Repeat("x", 170) + " '" + d.AccessKeySecret + "'"},
		"401 grant":           {Kind: cxonetest.FaultStatus, Status: 401, Code: "invalid_grant", Description: "bad password " + d.AccessKeySecret},
		"header":              {Kind: cxonetest.FaultStatus, Status: 400, StatusDescription: "value " + d.AccessKeySecret + " refused"},
		"500":                 {Kind: cxonetest.FaultStatus, Status: 500, Code: "server_error", Description: "failed for " + d.ClientSecret},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, cxonetest.Config{})
			h.srv.SetFault(cxonetest.EndpointToken, f)
			_, err := h.check(t, defaultCreds())
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for what, s := range secrets {
				for i := 0; i+12 <= len(s); i++ {
					if strings.Contains(msg, s[i:i+12]) {
						t.Errorf("part of %s reached the error: %s", what, msg)
						break
					}
				}
			}
		})
	}
}
