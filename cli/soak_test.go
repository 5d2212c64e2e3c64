package cli

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// TestSoak runs many command lines in one process, as a long-lived screen or a test suite
// would: 1,000 `token` calls and 50 `check --all` over 20 profiles. Goroutines and the heap in
// use must come back to what they were after a warm-up: a command that leaves a connection,
// a goroutine or a buffer behind would grow them by thousands here. The figures are logged.
// The counts are divided by CXONE_SOAK_SCALE, 10 unless set, so that the whole suite stays
// quick; the full soak is CXONE_SOAK_SCALE=1 go test ./cli -run TestSoak -v.
func TestSoak(t *testing.T) {
	scale := envCount(t, "CXONE_SOAK_SCALE", 10)
	tokens, checks := 1000/scale, max(50/scale, 2)
	e := newCLIEnv(t, cxonetest.Config{})
	names := e.setupProfiles(20)
	round := func(i int) {
		if code, out, stderr := e.run("token", "--profile", names[i%len(names)]); code != 0 || len(out) < 100 {
			t.Fatalf("token %d: exit %d: %s", i, code, stderr)
		}
	}
	all := func(i int) {
		if code, _, stderr := e.run("check", "--all"); code != 0 {
			t.Fatalf("check --all %d: exit %d: %s", i, code, stderr)
		}
		// The emulator lives in this process too: it forgets what it recorded and issued, so
		// only the command line's own memory is measured.
		e.srv.ResetRequests()
		e.srv.RevokeTokens()
	}
	// Warm-up: every lazily made thing (the emulator's keys, the HTTP machinery) exists.
	for i := range 20 {
		round(i)
	}
	all(0)
	all(1)
	g0, h0 := settle(0)

	start := time.Now()
	for i := range tokens {
		round(i)
		if i%(tokens/checks) == 0 {
			all(i)
		}
	}
	for i := tokens / (tokens / checks); i < checks; i++ {
		all(i)
	}
	took := time.Since(start)
	g1, h1 := settle(g0 + 5)

	t.Logf("%d token calls and %d check --all over %d profiles in %s", tokens, checks, len(names), took.Round(time.Millisecond))
	t.Logf("goroutines: %d after warm-up, %d at the end; heap in use: %.1f MiB after warm-up, %.1f MiB at the end",
		g0, g1, float64(h0)/(1<<20), float64(h1)/(1<<20))
	if g1 > g0+5 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	if h1 > h0+h0/2+(2<<20) {
		t.Errorf("heap in use grew from %.1f MiB to %.1f MiB", float64(h0)/(1<<20), float64(h1)/(1<<20))
	}
}

// settle collects garbage and returns the number of goroutines and the heap in use. Goroutines
// that serve connections a command has just closed end a moment later, on their own: it
// waits (up to two seconds) for the count to fall to limit, when limit is given.
func settle(limit int) (int, uint64) {
	deadline := time.Now().Add(2 * time.Second)
	for limit > 0 && runtime.NumGoroutine() > limit && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtime.NumGoroutine(), m.HeapInuse
}

// envCount is a positive count from the environment variable name (the size of a soak or a
// crash test), def when it is unset.
func envCount(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}
