package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// keyringRows measures the file keyring (docs/keyring.md, "Figures"): a cached `token` with
// the unlock agent and with the passphrase variable, each beside `version`; the key
// derivations of `check --all` over 20 and 100 profiles; one passphrase guess against format
// 1 and format 2 (a Go benchmark).
func (b *bench) keyringRows() error {
	token := []string{"token", "--profile", "p000"}
	version := []string{"version"}
	withPass := b.env(1)
	p, err := b.pairEnv(withPass, token, withPass, version)
	if err != nil {
		return err
	}
	b.add(row{"cached `token`, passphrase variable (one key derivation)", ms(p.a), "`version`: " + ms(p.b), x(p.ratio),
		"< one round trip (" + ms(b.o.latency) + ")", verdict(p.a < b.o.latency)})

	run := filepath.Join(b.work, "run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		return err
	}
	withRun := append(slices.Clone(withPass), "XDG_RUNTIME_DIR="+run)
	if _, err := b.execEnv(withRun, "unlock", "--for", "30m"); err != nil {
		return err
	}
	defer b.execEnv(withRun, "lock") //nolint:errcheck // best effort: the agent ends at its deadline anyway
	agentOnly := slices.DeleteFunc(slices.Clone(withRun), func(kv string) bool { return strings.HasPrefix(kv, "CXONE_KEYRING_PASSPHRASE=") })
	a, err := b.pairEnv(agentOnly, token, agentOnly, version)
	if err != nil {
		return err
	}
	b.add(row{"cached `token`, unlocked (agent, no derivation)", ms(a.a), "`version`: " + ms(a.b), x(a.ratio), "≤ 1.2×", verdict(a.ratio <= 1.2)})

	for _, n := range []int{20, 100} {
		cmd := exec.Command(b.auth, "--debug", "check", "--all")
		cmd.Env = b.env(n)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("check --all: %v: %s", err, stderr.String())
		}
		d := strings.Count(stderr.String(), `msg="file keyring key derived"`)
		b.add(row{fmt.Sprintf("key derivations in `check --all`, %d profiles", n), strconv.Itoa(d), "one per process", "", "1", verdict(d == 1)})
	}

	var peak, peakOne int64
	for range 3 {
		m, err := b.exec(100, "check", "--all")
		if err != nil {
			return err
		}
		one, err := b.exec(1, "check", "--profile", "p000")
		if err != nil {
			return err
		}
		peak, peakOne = max(peak, m.peak), max(peakOne, one.peak)
	}
	b.add(row{"peak memory of `check --all`, 100 profiles (with the derivation)", mib(peak), "one `check`: " + mib(peakOne),
		x(float64(peak) / float64(peakOne)), "≤ 40 MiB", verdict(peak <= 40<<20)})

	cmd := exec.Command("go", "test", "./store", "-run", "^$", "-bench", "^BenchmarkGuessFormat[12]$", "-benchtime", strconv.Itoa(max(b.o.runs*2, 20))+"x", "-count", "1")
	cmd.Dir = b.o.repo
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench: %v: %s", err, out)
	}
	got := map[string]float64{}
	for _, m := range benchRE.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		got[string(m[1])] = v
	}
	f1, f2 := got["GuessFormat1"], got["GuessFormat2"]
	if f1 == 0 || f2 == 0 {
		return fmt.Errorf("go test -bench: no figures in %q", out)
	}
	b.add(row{"one passphrase guess, format 2 (Argon2id 19 MiB, t=2)", ms(time.Duration(f2)), "format 1 (PBKDF2, 8,192 rounds): " + ms(time.Duration(f1)),
		x(f2 / f1), "> 1× (and 19 MiB per guess)", verdict(f2 > f1)})
	return nil
}

// execEnv is exec with an environment of its own.
func (b *bench) execEnv(env []string, args ...string) (measurement, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.auth, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return measurement{}, fmt.Errorf("cxone-auth %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return measurement{wall: wall, peak: maxRSS(cmd.ProcessState)}, nil
}

// pairEnv is pair with an environment per side.
func (b *bench) pairEnv(envA, a, envB, bargs []string) (pairResult, error) {
	if _, err := b.execEnv(envA, a...); err != nil {
		return pairResult{}, err
	}
	if _, err := b.execEnv(envB, bargs...); err != nil {
		return pairResult{}, err
	}
	var as, bs []time.Duration
	var ratios []float64
	for range b.o.runs {
		ma, err := b.execEnv(envA, a...)
		if err != nil {
			return pairResult{}, err
		}
		mb, err := b.execEnv(envB, bargs...)
		if err != nil {
			return pairResult{}, err
		}
		as, bs = append(as, ma.wall), append(bs, mb.wall)
		ratios = append(ratios, float64(ma.wall)/float64(mb.wall))
	}
	return pairResult{a: median(as), b: median(bs), ratio: median(ratios)}, nil
}
