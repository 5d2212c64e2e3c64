package steps

import (
	"context"
	"cxone-auth/auth"
	"errors"
	"strings"
	"testing"
)

func TestRunAccessible(t *testing.T) {
	tests := []struct {
		name      string
		errFor    func(int, auth.Credentials) error
		input     []string
		wantCalls int
	}{
		{
			name: "happy path",
			input: []string{
				"",               // environment: default
				"",               // profile: default
				"",               // already registered: yes
				testClientID,     // client ID
				testClientSecret, // client secret
				"y",              // copied the key
				testKeyID,        // access key ID
				testKeySecret,    // access key secret
				"",               // backend: default (file)
				testPassphrase,   // new passphrase
				testPassphrase,   // repeated
			},
			wantCalls: 1,
		},
		{
			name:   "wrong client secret fixed",
			errFor: wrongClientSecret,
			input: []string{
				"2", "", "",
				testClientID, wrongSecret,
				"n", "y",
				testKeyID, testKeySecret,
				"1", // fix the client credentials
				"",  // keep the client ID
				testClientSecret,
				"y",
				"", // keep the access key ID
				"", // keep the access key secret
				"", testPassphrase, testPassphrase,
			},
			wantCalls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deps, v, s := testDeps()
			v.errFor = tt.errFor
			var out strings.Builder
			in := strings.NewReader(strings.Join(tt.input, "\n") + "\n")
			got, err := Run(context.Background(), deps, Config{Accessible: true}, in, &out)
			if err != nil {
				t.Fatalf("RunAccessible: %v\n%s", err, out.String())
			}
			if !got.Saved || got.Profile != "default" || got.Backend != "file" {
				t.Errorf("outcome %+v, want saved default to file", got)
			}
			if v.Calls() != tt.wantCalls {
				t.Errorf("verifier calls %d, want %d", v.Calls(), tt.wantCalls)
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].Creds.ClientSecret != testClientSecret || reqs[0].Creds.AccessKeySecret != testKeySecret || reqs[0].Passphrase != testPassphrase {
				t.Fatalf("save requests: %d (values differ from those typed)", len(reqs))
			}
			text := out.String()
			for _, s := range secrets() {
				if strings.Contains(text, s) {
					t.Errorf("a secret was echoed to the output")
				}
			}
			for _, want := range []string{"Step 6 of 8: Check", "Discover the issuer: done", "SHOWN ONLY ONCE", "cxone-auth export -o .env"} {
				if !strings.Contains(strings.ToUpper(text), strings.ToUpper(want)) {
					t.Errorf("output lacks %q", want)
				}
			}
			if strings.Contains(text, "\x1b") {
				t.Errorf("accessible output contains escape sequences")
			}
		})
	}
}

func TestRunAccessibleEndOfInputCancels(t *testing.T) {
	deps, _, s := testDeps()
	var out strings.Builder
	_, err := Run(context.Background(), deps, Config{Accessible: true}, strings.NewReader("\n\n\n"+testClientID+"\n"), &out)
	if !errors.Is(err, ErrCancelled) {
		t.Errorf("error %v, want ErrCancelled", err)
	}
	if len(s.Requests()) != 0 {
		t.Errorf("saved after the input ended")
	}
}
