package cli

import (
	"fmt"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// benchEnv stores n profiles in a file keyring and puts 50 ms of latency on every answer of
// the emulator, a realistic round trip to CXone.
func benchEnv(b *testing.B, n int) *cliEnv {
	e := newCLIEnv(b, cxonetest.Config{})
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

// BenchmarkCheckAll20 is `check --all` over 20 profiles; the goal is less than twice
// BenchmarkCheckSingle.
func BenchmarkCheckAll20(b *testing.B) {
	e := benchEnv(b, 20)
	b.ResetTimer()
	for b.Loop() {
		if code, _, stderr := e.run("check", "--all"); code != 0 {
			b.Fatalf("check --all: exit %d: %s", code, stderr)
		}
	}
}
