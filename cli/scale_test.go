package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// setupProfiles stores n profiles named p000, p001, ... with the default credentials.
func (e *cliEnv) setupProfiles(n int) []string {
	e.t.Helper()
	p := e.writeEnvFile("setup.env", cxonetest.DefaultCredentials)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("p%03d", i)
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", names[i]); code != 0 {
			e.t.Fatalf("setup %s: exit %d: %s", names[i], code, stderr)
		}
	}
	return names
}

// TestCheckAllAsksThePassphraseOnce: check --all opens the keyring once for every profile. A
// wrong passphrase typed at the prompt is asked again up to three tries in all (as in every
// command), then fails every profile, instead of asking again for each profile (and paying a
// decryption and a diagnosis each time).
func TestCheckAllAsksThePassphraseOnce(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	e.setupProfiles(4)
	delete(e.vars, "CXONE_KEYRING_PASSPHRASE")

	typed := strings.Repeat("not the passphrase at all\n", 8)
	io := testStreams(strings.NewReader(typed), nil, nil)
	io.SetStdinTTY(true)
	code, out, stderr := e.runIn(io, "check", "--all", "--json")
	if code != 1 {
		t.Fatalf("wrong passphrase: exit %d, want 1\n%s\n%s", code, out, stderr)
	}
	if n := strings.Count(stderr, "Passphrase for the keyring"); n != maxPassphraseTries {
		t.Errorf("the passphrase was asked %d times for 4 profiles, want %d tries in all", n, maxPassphraseTries)
	}
	for _, p := range parseCheck(t, out).Profiles {
		if p.Status != "error" || p.Error == nil || p.Error.Kind != "keyring" {
			t.Errorf("%s: got %+v, want a keyring error", p.Profile, p)
		}
	}

	io = testStreams(strings.NewReader("correct horse battery staple\n"), nil, nil)
	io.SetStdinTTY(true)
	code, out, stderr = e.runIn(io, "check", "--all", "--json")
	if code != 0 || strings.Count(stderr, "Passphrase for the keyring") != 1 || len(parseCheck(t, out).Profiles) != 4 {
		t.Errorf("right passphrase: exit %d, %d prompts\n%s", code, strings.Count(stderr, "Passphrase for the keyring"), out)
	}
}

// TestCheckAllSharesConnections: the checks of check --all share one client, so its
// connections are reused from one check to the next: more profiles than checks may run at
// once never open a connection per profile.
func TestCheckAllSharesConnections(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	n := maxConcurrentChecks + 1
	e.setupProfiles(n)
	e.srv.ResetRequests()
	if code, _, stderr := e.run("check", "--all"); code != 0 {
		t.Fatalf("check --all: exit %d: %s", code, stderr)
	}
	reqs := e.srv.Requests()
	conns := map[string]bool{}
	for _, r := range reqs {
		conns[r.RemoteAddr] = true
	}
	if len(reqs) != 2*n {
		t.Errorf("%d requests for %d profiles, want %d (token and proof each)", len(reqs), n, 2*n)
	}
	if len(conns) > maxConcurrentChecks {
		t.Errorf("check --all over %d profiles opened %d connections, want at most %d (one per check in flight)", n, len(conns), maxConcurrentChecks)
	}
	t.Logf("%d profiles, %d requests, %d connections", n, len(reqs), len(conns))
}

// countingWriter counts the writes it gets.
type countingWriter struct {
	buf    strings.Builder
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.buf.Write(p)
}

// TestReportsWriteOnce: list and check --all print their tables in one write, not one system
// call per cell (100 profiles made 1,300 writes, a third of list's time).
func TestReportsWriteOnce(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	e.setupProfiles(5)
	for _, args := range [][]string{{"list"}, {"check", "--all"}, {"check", "--profile", "p000"}} {
		out := &countingWriter{}
		io := testStreams(strings.NewReader(""), out, &strings.Builder{})
		if code := Main(context.Background(), args, io, EnvFromMap(e.vars)); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		if out.writes != 1 || !strings.Contains(out.buf.String(), "p000") {
			t.Errorf("%v: %d writes to stdout, want 1", args, out.writes)
		}
	}
}
