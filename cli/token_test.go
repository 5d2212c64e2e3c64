package cli

import (
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// TestTokenIsCached: two `token` calls in a row make one request at most; --fresh always asks.
func TestTokenIsCached(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p); code != 0 {
		t.Fatal(stderr)
	}
	e.srv.ResetRequests()
	code, first, _ := e.run("token")
	if code != 0 || len(e.srv.Requests()) != 0 {
		t.Fatalf("token right after setup: exit %d, %d requests; want the token setup got, no request", code, len(e.srv.Requests()))
	}
	code, second, _ := e.run("token")
	if code != 0 || second != first || len(e.srv.Requests()) != 0 {
		t.Fatalf("second token: exit %d, same %v, %d requests", code, second == first, len(e.srv.Requests()))
	}
	code, fresh, _ := e.run("token", "--fresh")
	if code != 0 || fresh == first || len(e.srv.RequestsTo(cxonetest.EndpointToken)) != 1 {
		t.Fatalf("--fresh: exit %d, new token %v, %d token requests", code, fresh != first, len(e.srv.RequestsTo(cxonetest.EndpointToken)))
	}
	// The fresh token replaced the cached one.
	e.srv.ResetRequests()
	if _, again, _ := e.run("token"); again != fresh || len(e.srv.Requests()) != 0 {
		t.Errorf("token after --fresh: same as the fresh one %v, %d requests", again == fresh, len(e.srv.Requests()))
	}
	// exec and export --with-token reuse it too.
	if code, out, _ := e.run("exec", "--", "sh", "-c", `printf %s "$CXONE_ACCESS_TOKEN"`); code != 0 || out+"\n" != fresh {
		t.Errorf("exec: exit %d, same token %v", code, out+"\n" == fresh)
	}
	if code, out, _ := e.run("export", "--with-token"); code != 0 || !strings.Contains(out, "CXONE_ACCESS_TOKEN="+strings.TrimSpace(fresh)) {
		t.Errorf("export --with-token: exit %d", code)
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("exec and export --with-token made %d requests, want 0", n)
	}
	if code, _, _ := e.run("export", "--fresh"); code != 2 {
		t.Errorf("export --fresh without --with-token: exit %d, want 2", code)
	}
}

// TestTokenNearExpiryIsRenewed: a token with less than 5 minutes left is never handed out.
func TestTokenNearExpiryIsRenewed(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{TokenTTL: 4 * time.Minute})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p); code != 0 {
		t.Fatal(stderr)
	}
	e.srv.ResetRequests()
	for i := range 2 {
		if code, _, _ := e.run("token"); code != 0 {
			t.Fatalf("token %d: exit %d", i, code)
		}
	}
	if n := len(e.srv.RequestsTo(cxonetest.EndpointToken)); n != 2 {
		t.Errorf("token requests %d, want 2: a token with 4 minutes left must not be reused", n)
	}
}

// TestNewCredentialsDiscardTheToken: after the access key changes, the old key's token is never
// handed out.
func TestNewCredentialsDiscardTheToken(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, _, stderr := e.run("setup", "--env-file", p); code != 0 {
		t.Fatal(stderr)
	}
	_, old, _ := e.run("token")
	other := cxonetest.Credentials{ClientID: cxonetest.DefaultCredentials.ClientID, ClientSecret: cxonetest.DefaultCredentials.ClientSecret,
		AccessKeyID: "NEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWKEYNEWK====", AccessKeySecret: "NEWSECRETNEWSECRETNEWSECRETNEWSECRETNEWSECRETNEWSEC===="}
	e.srv.AddAccessKey(other.AccessKeyID, other.AccessKeySecret, cxonetest.DefaultUser)
	e.srv.SetKeyInactive(cxonetest.DefaultCredentials.AccessKeyID, true)
	if code, _, stderr := e.run("setup", "--env-file", e.writeEnvFile("n.env", other)); code != 0 {
		t.Fatal(stderr)
	}
	if _, tok, _ := e.run("token"); tok == old {
		t.Error("the old key's token was handed out after the key changed")
	}
}

// BenchmarkTokenCached and BenchmarkTokenFresh compare `token` with the cached token (one
// keyring read, no request) and without it (one token request at 50 ms latency), in-process;
// scripts/bench measures the same as processes against `cxone-auth version`.
func BenchmarkTokenCached(b *testing.B) { benchToken(b) }

// BenchmarkTokenFresh is `token --fresh`.
func BenchmarkTokenFresh(b *testing.B) { benchToken(b, "--fresh") }

func benchToken(b *testing.B, args ...string) {
	e := benchEnv(b, 1)
	e.vars["CXONE_PROFILE"] = "p00"
	if code, _, stderr := e.run("token", "--fresh"); code != 0 {
		b.Fatal(stderr)
	}
	b.ResetTimer()
	for b.Loop() {
		if code, _, stderr := e.run(append([]string{"token"}, args...)...); code != 0 {
			b.Fatalf("token: exit %d: %s", code, stderr)
		}
	}
}
