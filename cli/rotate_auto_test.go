package cli

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// setup --rotate --auto against the emulator's access-key API.

// rotateAutoEnv is a sandbox with profile prod stored from the default credentials.
func rotateAutoEnv(t *testing.T) *cliEnv {
	t.Helper()
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, out, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
	}
	e.srv.ResetRequests()
	return e
}

// rotateAutoFiles is every file of the config and keyring folders, by path, with its bytes.
func rotateAutoFiles(t *testing.T, e *cliEnv) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range []string{e.vars["CXONE_CONFIG_DIR"], e.vars["CXONE_KEYRING_DIR"]} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			out[p] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 2 {
		t.Fatalf("only %d stored files: the sandbox did not store the profile", len(out))
	}
	return out
}

// rotateAutoNewKey is the one key of the default user that is not the old one.
func rotateAutoNewKey(t *testing.T, e *cliEnv) string {
	t.Helper()
	var fresh []string
	for _, id := range e.srv.AccessKeyIDs(cxonetest.DefaultUser.ID) {
		if id != cxonetest.DefaultCredentials.AccessKeyID {
			fresh = append(fresh, id)
		}
	}
	if len(fresh) != 1 {
		t.Fatalf("%d new keys in CXone, want 1", len(fresh))
	}
	return fresh[0]
}

func rotateAutoSecretsAbsent(t *testing.T, e *cliEnv, texts ...string) {
	t.Helper()
	secrets := []string{cxonetest.DefaultCredentials.ClientSecret, cxonetest.DefaultCredentials.AccessKeySecret}
	for _, r := range e.srv.RequestsTo(cxonetest.EndpointToken) {
		secrets = append(secrets, r.Form.Get("password"))
	}
	for _, txt := range texts {
		for _, s := range secrets {
			if s != "" && strings.Contains(txt, s) {
				t.Errorf("a secret is in the output:\n%s", txt)
			}
		}
	}
}

func TestRotateAutoReplacesAndDeactivates(t *testing.T) {
	for _, deleteOld := range []bool{false, true} {
		t.Run(map[bool]string{false: "deactivate", true: "delete-old"}[deleteOld], func(t *testing.T) {
			e := rotateAutoEnv(t)
			args := []string{"setup", "--profile", "prod", "--rotate", "--auto"}
			if deleteOld {
				args = append(args, "--delete-old")
			}
			code, out, stderr := e.run(args...)
			if code != 0 {
				t.Fatalf("rotate --auto: exit %d\n%s\n%s", code, out, stderr)
			}
			rotateAutoSecretsAbsent(t, e, out, stderr)
			newID := rotateAutoNewKey(t, e)
			old := cxonetest.DefaultCredentials.AccessKeyID
			st, exists := e.srv.AccessKey(old)
			switch {
			case deleteOld && exists:
				t.Errorf("--delete-old left the old key in CXone")
			case !deleteOld && (!exists || st.Active):
				t.Errorf("the old key: exists %v, active %v; want it there and inactive", exists, st.Active)
			}
			if st, _ := e.srv.AccessKey(newID); !st.Active || st.LastUsed.IsZero() {
				t.Errorf("the new key: %+v; want active and used (checked live)", st)
			}
			// The profile now works with the new key only: a fresh check sends the new ID.
			e.srv.ResetRequests()
			if code, out, _ := e.run("check", "--profile", "prod", "--json"); code != 0 || parseCheck(t, out).Profiles[0].Status != "valid" {
				t.Fatalf("check after the rotation: exit %d\n%s", code, out)
			}
			if toks := e.srv.RequestsTo(cxonetest.EndpointToken); len(toks) != 1 || toks[0].Form.Get("username") != newID {
				t.Errorf("the check after the rotation did not use the new key")
			}
			// list shows the key's age.
			code, out, _ = e.run("list", "--json")
			if code != 0 || !strings.Contains(out, `"access_key_created_at"`) {
				t.Errorf("list --json has no key age:\n%s", out)
			}
			code, out, _ = e.run("list")
			if code != 0 || !strings.Contains(out, "ACCESS KEY") || !strings.Contains(out, "created just now, used just now") {
				t.Errorf("list has no key age:\n%s", out)
			}
		})
	}
}

func TestRotateAutoWaitsForTheNewKey(t *testing.T) {
	e := rotateAutoEnv(t)
	e.srv.SetNewKeyDelay(1200 * time.Millisecond)
	code, out, stderr := e.run("setup", "--profile", "prod", "--rotate", "--auto")
	if code != 0 {
		t.Fatalf("rotate --auto with a slow new key: exit %d\n%s\n%s", code, out, stderr)
	}
	newID := rotateAutoNewKey(t, e)
	tries := 0
	for _, r := range e.srv.RequestsTo(cxonetest.EndpointToken) {
		if r.Form.Get("username") == newID {
			tries++
		}
	}
	if tries < 2 {
		t.Errorf("the new key was tried %d times; want retries while CXone does not take it yet", tries)
	}
}

// A refusal before the new key is stored changes nothing: not a byte of the keyring or the
// config, the old key still active, no new key left behind in CXone.
func TestRotateAutoRefusedChangesNothing(t *testing.T) {
	defer func(w time.Duration) { rotateAutoWindow = w }(rotateAutoWindow)
	rotateAutoWindow = 1500 * time.Millisecond
	for _, tt := range []struct {
		name  string
		stage func(e *cliEnv)
		code  int
		want  string
	}{
		{"create 401", func(e *cliEnv) {
			e.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, Method: "POST"})
		}, 3, "HTTP 401"},
		{"create 403", func(e *cliEnv) {
			e.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 403, Method: "POST", Description: "Insufficient permissions"})
		}, 3, "Insufficient permissions"},
		{"create 404", func(e *cliEnv) {
			e.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 404, Method: "POST"})
		}, 1, "HTTP 404"},
		{"create 500", func(e *cliEnv) {
			e.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 500, Method: "POST"})
		}, 1, "500"},
		{"old key already inactive", func(e *cliEnv) { e.srv.SetKeyInactive(cxonetest.DefaultCredentials.AccessKeyID, true) }, 3, "invalid_grant"},
		{"new key never works", func(e *cliEnv) { e.srv.SetNewKeyDelay(time.Hour) }, 3, "did not pass the live check"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := rotateAutoEnv(t)
			before := rotateAutoFiles(t, e)
			tt.stage(e)
			code, out, stderr := e.run("setup", "--profile", "prod", "--rotate", "--auto")
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			for _, want := range []string{tt.want, "setup --profile prod --rotate", "Nothing was changed"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, stderr)
				}
			}
			rotateAutoSecretsAbsent(t, e, out, stderr)
			if after := rotateAutoFiles(t, e); !maps.Equal(before, after) {
				t.Errorf("the stored files changed")
			}
			if st, ok := e.srv.AccessKey(cxonetest.DefaultCredentials.AccessKeyID); !ok || (st.Active != (tt.name != "old key already inactive")) {
				t.Errorf("the old key: %+v, exists %v", st, ok)
			}
			if ids := e.srv.AccessKeyIDs(cxonetest.DefaultUser.ID); !slices.Equal(ids, []string{cxonetest.DefaultCredentials.AccessKeyID}) {
				t.Errorf("CXone holds %d keys afterwards, want only the old one", len(ids))
			}
		})
	}
}

// After the store, a failure exits 1, keeps the new key and names what is left to do; the
// old key stays active whenever it may still be in use.
func TestRotateAutoFailureAfterStore(t *testing.T) {
	t.Run("deactivate refused", func(t *testing.T) {
		e := rotateAutoEnv(t)
		e.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 500, Method: "PATCH"})
		code, _, stderr := e.run("setup", "--profile", "prod", "--rotate", "--auto")
		if code != 1 || !strings.Contains(stderr, "Left to do: deactivate the old access key") {
			t.Fatalf("exit %d, want 1 naming what is left\n%s", code, stderr)
		}
		newID := rotateAutoNewKey(t, e)
		if st, _ := e.srv.AccessKey(cxonetest.DefaultCredentials.AccessKeyID); !st.Active {
			t.Errorf("the old key is inactive")
		}
		e.srv.ResetRequests()
		if code, _, _ := e.run("check", "--profile", "prod"); code != 0 || e.srv.RequestsTo(cxonetest.EndpointToken)[0].Form.Get("username") != newID {
			t.Errorf("the new key is not the stored one")
		}
	})
	t.Run("delete refused", func(t *testing.T) {
		e := rotateAutoEnv(t)
		e.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 403, Method: "DELETE"})
		code, _, stderr := e.run("setup", "--profile", "prod", "--rotate", "--auto", "--delete-old")
		if code != 1 || !strings.Contains(stderr, "Left to do: delete the old access key") {
			t.Fatalf("exit %d, want 1 naming what is left\n%s", code, stderr)
		}
		if st, ok := e.srv.AccessKey(cxonetest.DefaultCredentials.AccessKeyID); !ok || st.Active {
			t.Errorf("the old key: %+v, exists %v; want deactivated", st, ok)
		}
	})
	t.Run("push refused", func(t *testing.T) {
		defer func(p []RotatePusher) { rotatePushers = p }(rotatePushers)
		e := rotateAutoEnv(t)
		rotatePushers = []RotatePusher{{Name: "the test sink", Push: func(context.Context, string, string, string) error {
			return errors.New("sink down")
		}}}
		code, _, stderr := e.run("setup", "--profile", "prod", "--rotate", "--auto")
		if code != 1 || !strings.Contains(stderr, "update the test sink with the new key") || !strings.Contains(stderr, "sink down") {
			t.Fatalf("exit %d, want 1 naming the push\n%s", code, stderr)
		}
		if st, _ := e.srv.AccessKey(cxonetest.DefaultCredentials.AccessKeyID); !st.Active {
			t.Errorf("the old key was deactivated although the push failed")
		}
	})
}

// The push hook runs between the store and the deactivation, with the new key.
func TestRotateAutoPushHook(t *testing.T) {
	defer func(p []RotatePusher) { rotatePushers = p }(rotatePushers)
	e := rotateAutoEnv(t)
	var gotProfile, gotID, gotSecret string
	var oldActive bool
	var stored map[string]string
	before := rotateAutoFiles(t, e)
	rotatePushers = []RotatePusher{{Name: "the test sink", Push: func(_ context.Context, profile, id, secret string) error {
		gotProfile, gotID, gotSecret = profile, id, secret
		st, _ := e.srv.AccessKey(cxonetest.DefaultCredentials.AccessKeyID)
		oldActive = st.Active
		stored = rotateAutoFiles(t, e)
		return nil
	}}}
	if code, _, stderr := e.run("setup", "--profile", "prod", "--rotate", "--auto"); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	newID := rotateAutoNewKey(t, e)
	if gotProfile != "prod" || gotID != newID || len(gotSecret) != 56 {
		t.Errorf("push got profile %q, key %v, a secret of %d characters", gotProfile, gotID == newID, len(gotSecret))
	}
	if !oldActive {
		t.Errorf("the old key was deactivated before the push")
	}
	if maps.Equal(before, stored) {
		t.Errorf("the new key was not stored before the push")
	}
}

func TestRotateAutoUsage(t *testing.T) {
	e := rotateAutoEnv(t)
	p := e.writeEnvFile("n.env", cxonetest.DefaultCredentials)
	for _, args := range [][]string{
		{"setup", "--profile", "prod", "--auto"},
		{"setup", "--profile", "prod", "--rotate", "--delete-old"},
		{"setup", "--profile", "prod", "--rotate", "--auto", "--env-file", p},
	} {
		if code, _, stderr := e.run(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
	if code, _, stderr := e.run("setup", "--profile", "nope", "--rotate", "--auto"); code != 4 {
		t.Errorf("an unknown profile: exit %d, want 4\n%s", code, stderr)
	}
	code, out, _ := e.run("setup", "--help")
	if code != 0 || !strings.Contains(out, "--auto") || !strings.Contains(out, "experimental") {
		t.Errorf("setup --help does not mark --auto experimental:\n%s", out)
	}
	if len(e.srv.RequestsTo(cxonetest.EndpointAccessKeys)) != 0 {
		t.Errorf("a usage error reached the access-key API")
	}
}

// On a terminal a refusal hands over to the guided rotation (here the line prompts, stopped at
// once by an empty input), with nothing changed and the reason said first.
func TestRotateAutoRefusedOnTerminalGoesGuided(t *testing.T) {
	e := rotateAutoEnv(t)
	before := rotateAutoFiles(t, e)
	e.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 403, Method: "POST"})
	io := testStreams(strings.NewReader(""), nil, nil)
	io.SetStdinTTY(true)
	io.SetStdoutTTY(true)
	code, out, stderr := e.runIn(io, "--accessible", "setup", "--profile", "prod", "--rotate", "--auto")
	if code == 3 || code == 0 {
		t.Errorf("exit %d: the guided rotation did not take over", code)
	}
	t.Logf("exit %d after the guided rotation's prompts ended", code)
	if !strings.Contains(stderr, "HTTP 403") || !strings.Contains(stderr, "Continuing with the guided rotation") {
		t.Errorf("stderr does not give the reason and the hand-over:\n%s", stderr)
	}
	if !strings.Contains(out+stderr, "Access Key") {
		t.Errorf("the guided rotation's prompts did not appear:\n%s\n%s", out, stderr)
	}
	if after := rotateAutoFiles(t, e); !maps.Equal(before, after) {
		t.Errorf("the stored files changed")
	}
}

// With --debug, the whole rotation (created, retried, listed, deactivated, deleted) logs no
// secret: not the old key's, not the new one's (taken from the emulator's record of the live
// check), not the client secret, not a token.
func TestRotateAutoDebugLogHoldsNoSecret(t *testing.T) {
	e := rotateAutoEnv(t)
	e.srv.SetNewKeyDelay(600 * time.Millisecond)
	code, out, stderr := e.run("--debug", "setup", "--profile", "prod", "--rotate", "--auto", "--delete-old")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "DEBUG") && !strings.Contains(stderr, "level=DEBUG") && !strings.Contains(stderr, "http") {
		t.Fatalf("--debug logged nothing:\n%s", stderr)
	}
	rotateAutoSecretsAbsent(t, e, out, stderr)
	for _, r := range e.srv.Requests() {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.Contains(out+stderr, tok) {
			t.Errorf("a bearer token is in the output")
		}
	}
}

// A rotation stored while `rotate --auto` waits for its new key to work is not undone: the
// automatic rotation's save is a compare and swap against the item it loaded, so it refuses,
// exits 1, deletes the key it made, and the other rotation's key stays the profile's.
func TestRotateAutoConcurrentRotationIsNotUndone(t *testing.T) {
	e := rotateAutoEnv(t)
	e.srv.SetNewKeyDelay(1500 * time.Millisecond)
	other := cxonetest.Credentials{AccessKeyID: "OTHERKEYOTHERKEYOTHERKEYOTHERKEYOTHERKEYOTHERKEYOTHE====",
		AccessKeySecret: "OTHERSECRETOTHERSECRETOTHERSECRETOTHERSECRETOTHERSEC===="}
	e.srv.AddAccessKey(other.AccessKeyID, other.AccessKeySecret, cxonetest.DefaultUser)
	p := filepath.Join(e.dir, "other.env")
	if err := os.WriteFile(p, []byte("CXONE_ACCESS_KEY_ID="+other.AccessKeyID+"\nCXONE_ACCESS_KEY_SECRET="+other.AccessKeySecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, stderr := e.run("setup", "--profile", "prod", "--rotate", "--auto")
		done <- result{code, stderr}
	}()
	time.Sleep(500 * time.Millisecond) // the automatic rotation is waiting for its new key
	if code, _, stderr := e.run("setup", "--rotate", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatalf("the concurrent rotation: exit %d\n%s", code, stderr)
	}
	r := <-done
	if r.code != 1 || !strings.Contains(r.stderr, "changed meanwhile") {
		t.Errorf("rotate --auto after a concurrent rotation: exit %d, want 1 naming the change\n%s", r.code, r.stderr)
	}
	code, out, _ := e.run("check", "--profile", "prod", "--json")
	if code != 0 || parseCheck(t, out).Profiles[0].AccessKeyID != other.AccessKeyID {
		t.Errorf("the profile does not hold the concurrent rotation's key: exit %d\n%s", code, out)
	}
	for _, id := range e.srv.AccessKeyIDs(cxonetest.DefaultUser.ID) {
		if id != other.AccessKeyID && id != cxonetest.DefaultCredentials.AccessKeyID {
			t.Errorf("the automatic rotation's key %s was left in CXone", id)
		}
	}
}
