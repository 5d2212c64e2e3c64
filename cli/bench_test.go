package cli

import (
	"fmt"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// benchEnv stores n profiles in a file keyring and puts 50 ms of latency on every answer of
// the emulator, a realistic round trip to CXone. The emulator signs with ES256: it runs on the
// same cores as the client, and its RSA signatures would be counted against the client.
func benchEnv(b *testing.B, n int) *cliEnv {
	e := newCLIEnv(b, cxonetest.Config{SigningAlg: cxonetest.ES256})
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	for i := range n {
		if code, _, stderr := e.run("setup", "--env-file", p, "--profile", fmt.Sprintf("p%02d", i)); code != 0 {
			b.Fatalf("setup: exit %d: %s", code, stderr)
		}
	}
	e.srv.SetLatency(50 * time.Millisecond)
	return e
}

// BenchmarkCheckSingle is `check --profile p00` (cached endpoints: token and proof).
func BenchmarkCheckSingle(b *testing.B) {
	e := benchEnv(b, 1)
	b.ResetTimer()
	for b.Loop() {
		if code, _, stderr := e.run("check", "--profile", "p00"); code != 0 {
			b.Fatalf("check: exit %d: %s", code, stderr)
		}
	}
}

// BenchmarkCheckAll1, BenchmarkCheckAll20 and BenchmarkCheckAll100 are `check --all` over 1,
// 20 and 100 profiles; the goal is at most twice BenchmarkCheckSingle for each.
func BenchmarkCheckAll1(b *testing.B)   { benchCheckAll(b, 1) }
func BenchmarkCheckAll20(b *testing.B)  { benchCheckAll(b, 20) }
func BenchmarkCheckAll100(b *testing.B) { benchCheckAll(b, 100) }

func benchCheckAll(b *testing.B, n int) {
	e := benchEnv(b, n)
	b.ResetTimer()
	for b.Loop() {
		if code, _, stderr := e.run("check", "--all"); code != 0 {
			b.Fatalf("check --all: exit %d: %s", code, stderr)
		}
	}
}

// BenchmarkList100 is `list` over 100 profiles: the config file only, never the keyring.
func BenchmarkList100(b *testing.B) {
	e := newCLIEnv(b, cxonetest.Config{SigningAlg: cxonetest.ES256})
	e.setupProfiles(100)
	b.ResetTimer()
	for b.Loop() {
		if code, _, stderr := e.run("list"); code != 0 {
			b.Fatalf("list: exit %d: %s", code, stderr)
		}
	}
}

// BenchmarkVersion is `version`: the command line's own cost, the floor of every command.
func BenchmarkVersion(b *testing.B) {
	e := newCLIEnv(b, cxonetest.Config{})
	b.ResetTimer()
	for b.Loop() {
		if code, _, stderr := e.run("version"); code != 0 {
			b.Fatalf("version: exit %d: %s", code, stderr)
		}
	}
}
