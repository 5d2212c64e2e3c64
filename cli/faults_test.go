package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cxone-auth/auth"
	"cxone-auth/auth/cxonetest"
)

// The fault matrix: every command that talks to CXone against every way the emulator can
// misbehave. Each cell asserts the exit code, that the run ends within the product's bound
// (per-request timeouts times attempts, plus the delays between retries), how many token
// requests CXone saw, that no raw control character reached stdout or stderr, and that a
// failed run changed no stored state (config.json and the keyring files), except the result
// that check and check --all record in config.json by design. The delays between retries are
// recorded, not waited, in-process; a second pass runs the built binary with real delays for
// `check`.
//
//	go test ./cli -run TestFaultMatrix -v     # prints the matrix as a table

// matrixCmd is one command of the matrix.
type matrixCmd struct {
	name     string
	args     []string
	env      map[string]string    // extra variables for this command
	seq      []cxonetest.Endpoint // the endpoints one profile's run asks, in order
	profiles int                  // profiles the run works on
	records  bool                 // records the check result in config.json, even a failed one
	child    bool                 // exec: the child runs only when the token was got
}

// matrixFault is one way for the emulator to misbehave.
type matrixFault struct {
	name     string
	ep       cxonetest.Endpoint
	fault    cxonetest.Fault
	attempts int             // requests to ep per profile when the command asks it
	delays   []time.Duration // the product's waits between those attempts, per profile
	ok       bool            // the command still succeeds (a retry healed it, or a warning)
	once     bool            // the fault hits one request in all, not one per profile
	timeout  time.Duration   // --timeout of the run (0: the sandbox's 5 s)
	sink     bool            // a redirect to another port, where the sink listens
}

var backoff = []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}

func matrixFaults() []matrixFault {
	tok := cxonetest.EndpointToken
	return []matrixFault{
		{name: "5xx once", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503, Times: 1}, attempts: 2, delays: backoff[:1], ok: true, once: true},
		{name: "5xx always", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503}, attempts: 3, delays: backoff},
		{name: "429 with Retry-After: 1", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 429, RetryAfter: "1"}, attempts: 3, delays: []time.Duration{time.Second, time.Second}},
		{name: "429 without Retry-After", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 429}, attempts: 3, delays: backoff},
		{name: "HTML gateway page (502)", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultHTML}, attempts: 3, delays: backoff},
		{name: "truncated JSON", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultTruncated}, attempts: 1},
		{name: "huge body (2 MiB)", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultHuge}, attempts: 1},
		{name: "hang (--timeout 300ms)", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultHang}, attempts: 1, timeout: 300 * time.Millisecond},
		{name: "connection reset", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultReset}, attempts: 1},
		{name: "302 to another port", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultRedirect, Status: 302}, attempts: 1, sink: true},
		{name: "307 to another port", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultRedirect, Status: 307}, attempts: 1, sink: true},
		{name: "escape sequences in the error", ep: tok, fault: cxonetest.Fault{Kind: cxonetest.FaultEscape}, attempts: 1},
		{name: "404 from tenant discovery", ep: cxonetest.EndpointTenant, fault: cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 404}, attempts: 1, ok: true},
		{name: "403 from the proof call", ep: cxonetest.EndpointAPI, fault: cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 403, Code: "forbidden", Description: "Insufficient permissions"}, attempts: 1, ok: true},
	}
}

func matrixCmds(marker string) []matrixCmd {
	c := cxonetest.DefaultCredentials
	tok, api := cxonetest.EndpointToken, cxonetest.EndpointAPI
	return []matrixCmd{
		{name: "setup --from-env", args: []string{"setup", "--from-env", "--profile", "new"}, profiles: 1,
			env: map[string]string{"CXONE_CLIENT_ID": c.ClientID, "CXONE_CLIENT_SECRET": c.ClientSecret, "CXONE_ACCESS_KEY_ID": c.AccessKeyID, "CXONE_ACCESS_KEY_SECRET": c.AccessKeySecret},
			seq: []cxonetest.Endpoint{cxonetest.EndpointDiscovery, tok, cxonetest.EndpointTenant, api}},
		{name: "check", args: []string{"check", "--profile", "p000"}, profiles: 1, records: true, seq: []cxonetest.Endpoint{tok, api}},
		{name: "check --all (3)", args: []string{"check", "--all"}, profiles: 3, records: true, seq: []cxonetest.Endpoint{tok, api}},
		{name: "token (cached)", args: []string{"token", "--profile", "p000"}, profiles: 1},
		{name: "token --fresh", args: []string{"token", "--profile", "p000", "--fresh"}, profiles: 1, seq: []cxonetest.Endpoint{tok}},
		{name: "export --with-token --fresh", args: []string{"export", "--profile", "p000", "--with-token", "--fresh", "--format", "json"}, profiles: 1, seq: []cxonetest.Endpoint{tok}},
		{name: "exec --fresh", args: []string{"exec", "--profile", "p000", "--fresh", "--", "sh", "-c", `: > "$1"`, "_", marker}, profiles: 1, seq: []cxonetest.Endpoint{tok}, child: true},
	}
}

// expect is what one cell must show.
type expect struct {
	exit   int
	tokens int             // token requests
	atEP   int             // requests to the faulted endpoint
	delays []time.Duration // every wait between retries, sorted
	failed bool
}

func (c matrixCmd) expect(f matrixFault) expect {
	asks := func(ep cxonetest.Endpoint) bool { return slices.Contains(c.seq, ep) }
	x := expect{}
	if asks(cxonetest.EndpointToken) {
		x.tokens = c.profiles
	}
	if !asks(f.ep) {
		return x // the fault is on an endpoint this command never asks
	}
	x.atEP = f.attempts * c.profiles
	for range c.profiles {
		x.delays = append(x.delays, f.delays...)
	}
	if f.once {
		x.atEP, x.delays = c.profiles+f.attempts-1, slices.Clone(f.delays)
	}
	if f.ep == cxonetest.EndpointToken {
		x.tokens = x.atEP
	}
	slices.Sort(x.delays)
	if !f.ok {
		x.exit, x.failed = 1, true
	}
	return x
}

// bound is the longest the product may take for the cell: every attempt's timeout for a
// hang, plus the waits between retries (the sandbox's requests answer at once). The profiles
// of check --all are checked side by side, so the bound is one profile's.
func (f matrixFault) bound(x expect) time.Duration {
	if x.atEP == 0 {
		return 0
	}
	d := f.timeout * time.Duration(f.attempts)
	for _, s := range f.delays {
		d += s
	}
	return d
}

// delayRecorder is a client's Sleep that records the delays instead of waiting.
type delayRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (r *delayRecorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.delays = append(r.delays, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *delayRecorder) take() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.delays
	r.delays = nil
	slices.Sort(out)
	return out
}

// matrixEnv is the sandbox of the matrix: one emulator, a sink on another port, three stored
// profiles copied back before every cell.
type matrixEnv struct {
	*cliEnv
	sink     *cxonetest.Sink
	template string
	marker   string
}

func newMatrixEnv(t *testing.T) *matrixEnv {
	e := &matrixEnv{cliEnv: newCLIEnv(t, cxonetest.Config{}), sink: cxonetest.StartSink(t, cxonetest.SinkConfig{})}
	e.setupProfiles(3)
	e.template = filepath.Join(e.dir, "template")
	for _, d := range []string{"config", "keyring"} {
		if err := os.CopyFS(filepath.Join(e.template, d), os.DirFS(filepath.Join(e.dir, d))); err != nil {
			t.Fatal(err)
		}
	}
	e.marker = filepath.Join(e.dir, "child-ran")
	return e
}

// reset puts the stored profiles back as set up, heals the emulator and arms fault f.
func (e *matrixEnv) reset(f matrixFault) {
	e.t.Helper()
	for _, d := range []string{"config", "keyring"} {
		dst := filepath.Join(e.dir, d)
		if err := os.RemoveAll(dst); err != nil {
			e.t.Fatal(err)
		}
		if err := os.CopyFS(dst, os.DirFS(filepath.Join(e.template, d))); err != nil {
			e.t.Fatal(err)
		}
		// CopyFS makes files 0644 and folders 0755; the product keeps them private.
		_ = filepath.WalkDir(dst, func(p string, de os.DirEntry, _ error) error {
			if de.IsDir() {
				return os.Chmod(p, 0o700)
			}
			return os.Chmod(p, 0o600)
		})
	}
	_ = os.Remove(e.marker)
	e.srv.ClearFaults()
	e.srv.ResetRequests()
	fault := f.fault
	if f.sink {
		fault.Location = e.sink.URL + "/auth/token"
	}
	e.srv.SetFault(f.ep, fault)
}

// cellResult is what one run showed.
type cellResult struct {
	exit           int
	stdout, stderr string
	elapsed        time.Duration
}

func (e *matrixEnv) runCell(c matrixCmd, f matrixFault, binary string) cellResult {
	e.t.Helper()
	args := slices.Clone(c.args)
	if f.timeout > 0 {
		args = append([]string{"--timeout", f.timeout.String()}, args...)
	}
	for k, v := range c.env {
		e.vars[k] = v
	}
	defer func() {
		for k := range c.env {
			delete(e.vars, k)
		}
	}()
	start := time.Now()
	if binary == "" {
		code, out, errOut := e.run(args...)
		return cellResult{code, out, errOut, time.Since(start)}
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = e.environ()
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("%s: %v", binary, err)
	}
	return cellResult{code, out.String(), errOut.String(), time.Since(start)}
}

// checkCell asserts everything a cell must show; it returns the cell's text for the table.
func (e *matrixEnv) checkCell(t *testing.T, c matrixCmd, f matrixFault, r cellResult, before state, recorded []time.Duration, slack time.Duration) string {
	t.Helper()
	x := c.expect(f)
	if r.exit != x.exit {
		t.Errorf("exit %d, want %d\nstderr: %s", r.exit, x.exit, r.stderr)
	}
	if got := len(e.srv.RequestsTo(cxonetest.EndpointToken)); got != x.tokens {
		t.Errorf("%d token requests, want %d", got, x.tokens)
	}
	if got := len(e.srv.RequestsTo(f.ep)); f.ep != cxonetest.EndpointToken && got != x.atEP {
		t.Errorf("%d requests to %s, want %d", got, f.ep, x.atEP)
	}
	if recorded != nil && !slices.Equal(recorded, x.delays) {
		t.Errorf("delays between retries %v, want %v", recorded, x.delays)
	}
	bound := f.bound(x)
	if recorded == nil && r.elapsed < bound {
		// A real process waits its delays: less than their sum means Retry-After or the
		// backoff was skipped.
		t.Errorf("took %s, less than the %s of timeouts and retry delays", r.elapsed.Round(time.Millisecond), bound)
	}
	if r.elapsed > bound+slack {
		t.Errorf("took %s, beyond the bound of %s (timeouts and retry delays) plus %s", r.elapsed.Round(time.Millisecond), bound, slack)
	}
	for name, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if bad := controlBytes(s); bad != "" {
			t.Errorf("raw control characters on %s: %s", name, bad)
		}
	}
	if e.sink.Touched() {
		t.Errorf("the other port received %d connections", e.sink.Conns())
	}
	_, statErr := os.Stat(e.marker)
	if c.child && (statErr == nil) == x.failed {
		t.Errorf("exec's child ran: %v, want %v", statErr == nil, !x.failed)
	}
	if x.failed {
		after := snapshot(t, filepath.Join(e.dir, "config"), filepath.Join(e.dir, "keyring"))
		if d := before.diff(after, func(p string, b, a []byte) bool {
			return c.records && filepath.Base(p) == "config.json" && onlyCheckRecorded(b, a)
		}); len(d) > 0 {
			t.Errorf("a failed run changed the stored state: %v", d)
		}
	}
	cell := fmt.Sprintf("%d · %d", r.exit, x.tokens)
	if bound > 0 {
		cell += fmt.Sprintf(" · ≤%s", bound)
	}
	return cell
}

func TestFaultMatrix(t *testing.T) {
	e := newMatrixEnv(t)
	rec := &delayRecorder{}
	newClientHook = func(c *auth.Client) { c.Sleep = rec.sleep }
	t.Cleanup(func() { newClientHook = nil })

	cmds := matrixCmds(e.marker)
	faults := matrixFaults()
	table := make([][]string, len(faults))
	for i, f := range faults {
		table[i] = make([]string, len(cmds))
		for j, c := range cmds {
			t.Run(f.name+"/"+c.name, func(t *testing.T) {
				e.reset(f)
				before := snapshot(t, filepath.Join(e.dir, "config"), filepath.Join(e.dir, "keyring"))
				rec.take()
				r := e.runCell(c, f, "")
				table[i][j] = e.checkCell(t, c, f, r, before, rec.take(), 3*time.Second)
			})
		}
	}
	if testing.Verbose() {
		printMatrix(cmds, faults, table)
	}
}

// TestFaultMatrixBinary is `check` of the matrix with the built binary: real processes, real
// delays between retries (so the Retry-After cell takes two seconds).
func TestFaultMatrixBinary(t *testing.T) {
	bin := testBinary(t)
	e := newMatrixEnv(t)
	c := matrixCmds(e.marker)[1]
	for _, f := range matrixFaults() {
		t.Run(f.name, func(t *testing.T) {
			e.reset(f)
			before := snapshot(t, filepath.Join(e.dir, "config"), filepath.Join(e.dir, "keyring"))
			r := e.runCell(c, f, bin)
			e.checkCell(t, c, f, r, before, nil, 2*time.Second)
		})
	}
}

func printMatrix(cmds []matrixCmd, faults []matrixFault, table [][]string) {
	var b strings.Builder
	b.WriteString("\nEach cell: exit code · token requests CXone saw · the bound on the run (timeouts and retry delays), when not immediate.\n\n| fault | endpoint |")
	for _, c := range cmds {
		b.WriteString(" `" + c.name + "` |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(cmds)) + "\n")
	for i, f := range faults {
		fmt.Fprintf(&b, "| %s | %s |", f.name, f.ep)
		for _, cell := range table[i] {
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	fmt.Print(b.String())
}
