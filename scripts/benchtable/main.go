// Command benchtable measures cxone-auth as whole processes against the CXone emulator and
// prints one table in which every figure stands beside its floor, measured in the same run on
// the same machine, and the target it is held to. scripts/bench builds the binaries and runs
// it; see docs/reliability.md.
//
// Each comparison runs its two commands in turn (A B A B ...) and takes the median of the
// pairwise ratios, so a machine whose speed drifts during the run (other builds, a laptop
// cooling down) moves both sides of a pair alike. Times are wall-clock times of the whole
// process, start-up included; peak memory is the kernel's maximum resident set size.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

type options struct {
	bin     string        // folder with cxone-auth, cxone-emulator and minimaltea
	repo    string        // the repository, for the Go benchmarks and first-frame.py
	runs    int           // pairs per comparison
	latency time.Duration // the emulator's latency per answer
	keyring bool          // only the file keyring's rows (keyring.go)
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", "", "`folder` holding cxone-auth, cxone-emulator and minimaltea")
	flag.StringVar(&o.repo, "repo", ".", "the repository `folder`")
	flag.IntVar(&o.runs, "runs", 10, "runs of each command (pairs, for comparisons)")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "the emulator's `latency` per answer (one round trip)")
	flag.BoolVar(&o.keyring, "keyring", false, "measure only the file keyring's figures")
	flag.Parse()
	if o.bin == "" {
		return errors.New("-bin is required")
	}
	work, err := os.MkdirTemp("", "cxone-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b := &bench{o: o, work: work, auth: filepath.Join(o.bin, "cxone-auth")}
	defer b.stopEmulator()
	return b.all()
}

type bench struct {
	o    options
	work string
	auth string
	port int
	emu  *exec.Cmd
	rows []row
}

// row is one line of the table.
type row struct {
	figure, value, floor, ratio, target, met string
}

func (b *bench) add(r row) {
	b.rows = append(b.rows, r)
	fmt.Fprintf(os.Stderr, "  %s: %s (floor %s, ratio %s)\n", r.figure, r.value, r.floor, r.ratio)
}

func (b *bench) all() error {
	fmt.Fprintf(os.Stderr, "benchtable: %d runs each, emulator latency %s\n", b.o.runs, b.o.latency)
	port, err := freePort()
	if err != nil {
		return err
	}
	b.port = port
	// The profiles are stored without latency (setup is not measured), then the emulator is
	// started again on the same port with it.
	if err := b.startEmulator(0); err != nil {
		return err
	}
	creds := filepath.Join(b.work, "creds.env")
	if err := os.WriteFile(creds, []byte(credentials), 0o600); err != nil {
		return err
	}
	start := time.Now()
	for _, n := range []int{1, 20, 100} {
		if err := b.setup(n, creds); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "benchtable: 121 profiles stored in %s\n", time.Since(start).Round(time.Millisecond))
	b.stopEmulator()
	if err := b.startEmulator(b.o.latency); err != nil {
		return err
	}

	if b.o.keyring {
		if err := b.keyringRows(); err != nil {
			return err
		}
		b.print()
		return nil
	}
	one := []string{"check", "--profile", "p000"}
	for _, n := range []int{1, 20, 100} {
		p, err := b.pair(n, []string{"check", "--all"}, n, one)
		if err != nil {
			return err
		}
		b.add(row{fmt.Sprintf("`check --all`, %d profile%s", n, plural(n)), ms(p.a), "one `check`: " + ms(p.b),
			x(p.ratio), "≤ 2×", verdict(p.ratio <= 2)})
		if n == 100 {
			b.add(row{"peak memory of `check --all`, 100 profiles", mib(p.peakA), "one `check`: " + mib(p.peakB),
				x(float64(p.peakA) / float64(p.peakB)), "≤ 40 MiB", verdict(p.peakA <= 40<<20)})
		}
	}
	list, err := b.pair(100, []string{"list"}, 100, []string{"version"})
	if err != nil {
		return err
	}
	b.add(row{"`list`, 100 profiles", ms(list.a), "`version`: " + ms(list.b), x(list.ratio), "< 50 ms", verdict(list.a < 50*time.Millisecond)})

	// A cached token: the first `token` after a check has a fresh one in the keyring.
	tok, err := b.pair(1, []string{"token", "--profile", "p000"}, 1, []string{"version"})
	if err != nil {
		return err
	}
	rt := b.o.latency
	b.add(row{"cached `token`", ms(tok.a), "`version` (process start): " + ms(tok.b), x(tok.ratio),
		"< one round trip (" + ms(rt) + ")", verdict(tok.a < rt)})
	fresh, err := b.pair(1, []string{"token", "--profile", "p000"}, 1, []string{"token", "--profile", "p000", "--fresh"})
	if err != nil {
		return err
	}
	b.add(row{"cached `token` vs a new one", ms(fresh.a), "`token --fresh`: " + ms(fresh.b), x(fresh.ratio), "< 1×", verdict(fresh.ratio < 1)})
	if err := b.keyringRows(); err != nil {
		return err
	}

	if err := b.firstFrame(); err != nil {
		return err
	}
	if err := b.profilesScreen(); err != nil {
		return err
	}
	if err := b.goBench(); err != nil {
		return err
	}
	if err := b.sizes(); err != nil {
		return err
	}
	b.print()
	return nil
}

const credentials = `CXONE_CLIENT_ID=485a2498-41b6-42f1-9e01-f85a40fe647f
CXONE_CLIENT_SECRET=7D1E5A6C0B9F48A2B3C4D5E6F708192A3B4C5D6E7F8091A2
CXONE_ACCESS_KEY_ID=ZO4EBONGDHBHNBQK2BVM4NIQJXEYHQ4WVBO2BC66J54H6P7KO2NA====
CXONE_ACCESS_KEY_SECRET=QQID2WDRJZIIWMNAN2MSH3HA6DSCB7JPINYF2I6YT6OV26Y7Z6DA====
`

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startEmulator runs the emulator on b.port with latency. It signs with ES256: it shares the
// machine's cores with cxone-auth, and RSA signatures would be counted against cxone-auth.
func (b *bench) startEmulator(latency time.Duration) error {
	addr := fmt.Sprintf("127.0.0.1:%d", b.port)
	var lastErr error
	for range 50 { // the port may take a moment to be free again after a restart
		cmd := exec.Command(filepath.Join(b.o.bin, "cxone-emulator"), "-addr", addr, "-latency", latency.String(), "-sign", "ES256", "-quiet")
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			return err
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && strings.HasPrefix(line, "CXONE_ISSUER=") {
			b.emu = cmd
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return nil
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		lastErr = fmt.Errorf("the emulator did not start on %s", addr)
		time.Sleep(100 * time.Millisecond)
	}
	return lastErr
}

func (b *bench) stopEmulator() {
	if b.emu != nil {
		_ = b.emu.Process.Kill()
		_ = b.emu.Wait()
		b.emu = nil
	}
}

// env is the environment of cxone-auth for the set of n profiles.
func (b *bench) env(n int) []string {
	dir := filepath.Join(b.work, fmt.Sprintf("p%d", n))
	keep := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CXONE_") && !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			keep = append(keep, kv)
		}
	}
	return append(keep,
		fmt.Sprintf("CXONE_ISSUER=http://127.0.0.1:%d", b.port),
		"CXONE_CONFIG_DIR="+filepath.Join(dir, "config"),
		"CXONE_KEYRING_DIR="+filepath.Join(dir, "keyring"),
		"CXONE_KEYRING_BACKEND=file",
		"CXONE_KEYRING_PASSPHRASE=correct horse battery staple",
		"DBUS_SESSION_BUS_ADDRESS=disabled:",
		"NO_COLOR=1",
	)
}

// setup stores n profiles p000... in their own folders, four processes at a time.
func (b *bench) setup(n int, creds string) error {
	// The first one alone: it creates the keyring.
	if _, err := b.exec(n, "setup", "--env-file", creds, "--profile", "p000"); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if _, err := b.exec(n, "setup", "--env-file", creds, "--profile", fmt.Sprintf("p%03d", i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := 1; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	return <-errs
}

// measurement is one process run.
type measurement struct {
	wall time.Duration
	peak int64 // bytes
}

// exec runs cxone-auth with args in the set of n profiles and fails on a non-zero exit.
func (b *bench) exec(n int, args ...string) (measurement, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.auth, args...)
	cmd.Env = b.env(n)
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

// pairResult is the median of A's and B's runs and of the ratios A/B pair by pair.
type pairResult struct {
	a, b         time.Duration
	ratio        float64
	peakA, peakB int64
}

// pair runs A (args a in the set of na profiles) and B in turn, after one warm-up each.
func (b *bench) pair(na int, a []string, nb int, bargs []string) (pairResult, error) {
	if _, err := b.exec(na, a...); err != nil {
		return pairResult{}, err
	}
	if _, err := b.exec(nb, bargs...); err != nil {
		return pairResult{}, err
	}
	var as, bs []time.Duration
	var ratios []float64
	var peakA, peakB []int64
	for range b.o.runs {
		ma, err := b.exec(na, a...)
		if err != nil {
			return pairResult{}, err
		}
		mb, err := b.exec(nb, bargs...)
		if err != nil {
			return pairResult{}, err
		}
		as, bs = append(as, ma.wall), append(bs, mb.wall)
		ratios = append(ratios, float64(ma.wall)/float64(mb.wall))
		peakA, peakB = append(peakA, ma.peak), append(peakB, mb.peak)
	}
	return pairResult{a: median(as), b: median(bs), ratio: median(ratios), peakA: slices.Max(peakA), peakB: slices.Max(peakB)}, nil
}

func median[T int64 | float64 | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

var (
	firstFrameRE = regexp.MustCompile(`time to first frame over \d+ runs: .*median ([0-9.]+) ms`)
	settledRE    = regexp.MustCompile(`time until the screen settled over \d+ runs: .*median ([0-9.]+) ms`)
)

// frames runs scripts/first-frame.py (a real pseudo-terminal) with args and returns the
// median time to the first frame and, with --settle, until the screen settled, in ms.
func (b *bench) frames(env []string, args ...string) (first, settled float64, err error) {
	script := filepath.Join(b.o.repo, "scripts", "first-frame.py")
	cmd := exec.Command("python3", append([]string{script, "-n", strconv.Itoa(b.o.runs)}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("first-frame.py %s: %v: %s", strings.Join(args, " "), err, out)
	}
	m := firstFrameRE.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("first-frame.py: unexpected output %q", out)
	}
	first, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := settledRE.FindSubmatch(out); m != nil {
		settled, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	return first, settled, nil
}

// firstFrame times the wizard's first screen and the minimal Bubble Tea program's with
// scripts/first-frame.py (80x24).
func (b *bench) firstFrame() error {
	var wiz, floor []float64
	for range 3 { // in turn, three rounds of b.o.runs each
		w, _, err := b.frames(os.Environ(), b.auth, "setup", "--keyring-backend", "file")
		if err != nil {
			return err
		}
		f, _, err := b.frames(os.Environ(), filepath.Join(b.o.bin, "minimaltea"))
		if err != nil {
			return err
		}
		wiz, floor = append(wiz, w), append(floor, f)
	}
	w, f := median(wiz), median(floor)
	b.add(row{"first frame of the wizard", fmt.Sprintf("%.0f ms", w), fmt.Sprintf("minimal Bubble Tea v2 program: %.0f ms", f),
		x(w / f), "", ""})
	return nil
}

// profilesScreen times the profiles screen (`cxone-auth` on a terminal, the passphrase in the
// environment so that nothing is asked before it opens): its first frame with 20 profiles at
// 80x24, the frame that shows the rows while their checks run, against the wizard's and the
// minimal Bubble Tea program's; and, with 100 profiles in a terminal tall enough for every row
// (100x120), the time until every row shows its status, against one `check`. The screen and
// its floors run in turn, three rounds of b.o.runs each.
func (b *bench) profilesScreen() error {
	// Drawn in colour, as the wizard is: NO_COLOR is for the commands' reports.
	screenEnv := func(n int) []string {
		return slices.DeleteFunc(b.env(n), func(kv string) bool { return strings.HasPrefix(kv, "NO_COLOR=") })
	}
	var first, tea, wiz, all, one []float64
	for range 3 {
		f, _, err := b.frames(screenEnv(20), "--inherit-env", "--text", "STATUS", b.auth)
		if err != nil {
			return err
		}
		m, _, err := b.frames(os.Environ(), filepath.Join(b.o.bin, "minimaltea"))
		if err != nil {
			return err
		}
		w, _, err := b.frames(os.Environ(), b.auth, "setup", "--keyring-backend", "file")
		if err != nil {
			return err
		}
		_, a, err := b.frames(screenEnv(100), "--inherit-env", "--text", "STATUS", "--size", "100x120", "--settle", "valid:100", b.auth)
		if err != nil {
			return err
		}
		for range b.o.runs {
			c, err := b.exec(100, "check", "--profile", "p000")
			if err != nil {
				return err
			}
			one = append(one, float64(c.wall)/float64(time.Millisecond))
		}
		first, tea, wiz, all = append(first, f), append(tea, m), append(wiz, w), append(all, a)
	}
	f, w, m := median(first), median(wiz), median(tea)
	b.add(row{"first frame of the profiles screen, 20 profiles", fmt.Sprintf("%.0f ms", f),
		fmt.Sprintf("the wizard's first frame: %.0f ms", w), x(f / w), "≤ 1.1× (the wizard's)", verdict(f <= 1.1*w)})
	b.add(row{"first frame of the profiles screen, 20 profiles", fmt.Sprintf("%.0f ms", f),
		fmt.Sprintf("minimal Bubble Tea v2 program: %.0f ms", m), x(f / m), "", ""})
	a, o := median(all), median(one)
	b.add(row{"profiles screen, 100 profiles: every row checked", fmt.Sprintf("%.0f ms", a),
		fmt.Sprintf("one `check`: %.0f ms", o), x(a / o), "≤ 2×", verdict(a <= 2*o)})
	return nil
}

var benchRE = regexp.MustCompile(`(?m)^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op`)

// goBench runs the client's benchmarks: the cached check (token and proof, in-process) against
// bare net/http sending the same two requests.
func (b *bench) goBench() error {
	cmd := exec.Command("go", "test", "./auth", "-run", "^$", "-bench", "^(BenchmarkCheckCached|BenchmarkFloorNetHTTP)$",
		"-benchtime", strconv.Itoa(max(b.o.runs*2, 10))+"x", "-count", "1")
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
	c, f := got["CheckCached"], got["FloorNetHTTP"]
	if c == 0 || f == 0 {
		return fmt.Errorf("go test -bench: no figures in %q", out)
	}
	b.add(row{"cached check (token + proof, in-process)", ms(time.Duration(c)), "bare net/http, same two requests: " + ms(time.Duration(f)),
		x(c / f), "≤ 1.1×", verdict(c/f <= 1.1)})
	return nil
}

// sizes compares the binary with the minimal Bubble Tea program.
func (b *bench) sizes() error {
	a, err := os.Stat(b.auth)
	if err != nil {
		return err
	}
	t, err := os.Stat(filepath.Join(b.o.bin, "minimaltea"))
	if err != nil {
		return err
	}
	b.add(row{"binary size", mib(a.Size()), "minimal Bubble Tea v2 program: " + mib(t.Size()), x(float64(a.Size()) / float64(t.Size())), "", ""})
	return nil
}

func (b *bench) print() {
	fmt.Printf("\n%d runs each; emulator latency %s per answer; %s\n\n", b.o.runs, b.o.latency, machine())
	fmt.Println("| figure | median | floor (same run) | ratio | target | met |")
	fmt.Println("|---|---:|---|---:|---|---|")
	for _, r := range b.rows {
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", r.figure, r.value, r.floor, r.ratio, r.target, r.met)
	}
}

// machine names the processor and the number of cores, from /proc/cpuinfo where there is one.
func machine() string {
	name := "unknown processor"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				name = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores", name, runtime.NumCPU())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }
func mib(n int64) string        { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
func x(r float64) string        { return fmt.Sprintf("%.2f×", r) }

func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
