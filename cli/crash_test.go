package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/store"
)

// TestCrashSafety runs the built binary and kills it with SIGKILL at random moments while it
// changes stored state: setup --env-file (new and existing profiles, two sets of credentials),
// setup --rotate --env-file (a profile's access key replaced by another the emulator accepts),
// export -o (new files and --force over old ones), remove --yes and use. After every run,
// killed or not, the state must be whole:
//   - every profile is either as before the run or as the run meant to leave it, never half:
//     its config entry and its keyring item have the same identity (issuer, client ID, access
//     key ID), and that identity is the old or the new one; the item's secrets are the ones
//     that belong with its IDs (a rotation never leaves the new key ID with the old secret);
//   - a keyring item without a config entry is listed by store.Orphans; a config entry
//     without a keyring item never happens;
//   - config.json parses, and the next command (list --json) works and lists the config's
//     profiles;
//   - an export file is either absent, as it was, or complete;
//   - no file or folder the product made is readable by others, and no secret is in any
//     file outside the keyring but the export files asked for.
//
// CXONE_CRASH_RUNS sets the number of runs (default 40; a few hundred locally:
// CXONE_CRASH_RUNS=300 go test ./cli -run TestCrashSafety -v). CXONE_TEST_BACKEND runs it on
// a real backend (.ci/backends.sh does, for the Secret Service, in a throwaway session).
func TestCrashSafety(t *testing.T) {
	runs := envCount(t, "CXONE_CRASH_RUNS", 40)
	c := newCrashEnv(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("backend %s, %d runs, seed %d", c.backend, runs, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	ops := crashOps()
	stats := map[string]int{}
	points := map[string]int{}
	outcomes := map[string]int{}
	kills := 0
	for i := range runs {
		op := ops[i%len(ops)]
		before := c.observe()
		run := op.plan(c, rng, before, i)
		res := c.runKilled(op.name, run.args, rng)
		stats[op.name+" runs"]++
		if res.killed {
			kills++
			stats[op.name+" kills"]++
			points[op.name+" · "+res.point]++
		} else {
			points[op.name+" · finished (exit "+strconv.Itoa(res.exit)+")"]++
		}
		after := c.observe()
		outcomes[op.name+" · "+outcome(before, after, run)]++
		where := fmt.Sprintf("run %d (%s, killed %v at %q)", i, strings.Join(run.args, " "), res.killed, res.point)
		c.verify(t, where, before, after, run, res)
		if t.Failed() {
			t.Fatalf("stopping after the first broken run (seed %d)", seed)
		}
	}
	c.cleanup()

	t.Logf("crash test on %s: %d runs, %d killed mid-run, %d finished before the kill", c.backend, runs, kills, runs-kills)
	t.Logf("where the runs were killed (the last step each logged with --debug):")
	logCounts(t, points)
	t.Logf("what the next command found:")
	logCounts(t, outcomes)
}

func logCounts(t *testing.T, m map[string]int) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Logf("  %4d  %s", m[k], k)
	}
}

// outcome classifies what a run left of the profile it worked on.
func outcome(before, after world, run crashRun) string {
	if run.export != "" {
		data, err := os.ReadFile(run.export)
		switch {
		case err != nil:
			return "no export file"
		case run.old != nil && bytes.Equal(data, run.old):
			return "export file as before"
		}
		return "export file complete"
	}
	if run.target == "" {
		if after.def != before.def {
			return "default changed"
		}
		return "default as before"
	}
	n := run.target
	_, item := after.items[n]
	_, entry := after.config[n]
	state := "as before"
	if after.identity(n) != before.identity(n) || entry != (before.config[n] != ident{}) {
		state = "as meant"
	}
	if item && !entry {
		state += ", keyring item only (an orphan)"
	}
	return "profile " + state
}

// crashNames are the profiles the crash test works on (prefixed: on a real backend other
// tests' items live in the same collection).
var crashNames = []string{"crash-p0", "crash-p1", "crash-p2", "crash-p3"}

// credsB is a second set of credentials the emulator accepts, so old and new identities of a
// profile can be told apart.
var credsB = cxonetest.Credentials{
	ClientID:        "9b2f1c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
	ClientSecret:    "0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F6071",
	AccessKeyID:     "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPJQWEYLDMVSA====",
	AccessKeySecret: "NBSWY3DPEB3W64TMMQQGC3DMEBSW4ZDTEBTW63LFORUGS3THEBWG====",
}

// rotationKeys are the access keys setup --rotate switches a profile between: the emulator
// accepts each of them with either client.
var rotationKeys = []cxonetest.Credentials{
	{AccessKeyID: cxonetest.DefaultCredentials.AccessKeyID, AccessKeySecret: cxonetest.DefaultCredentials.AccessKeySecret},
	{AccessKeyID: credsB.AccessKeyID, AccessKeySecret: credsB.AccessKeySecret},
	{AccessKeyID: rotatedKey.AccessKeyID, AccessKeySecret: rotatedKey.AccessKeySecret},
}

// ident is what ties a config entry to its keyring item.
type ident struct{ Issuer, ClientID, AccessKeyID string }

func (i ident) String() string {
	if i == (ident{}) {
		return "absent"
	}
	return "client " + i.ClientID[:4] + "…"
}

// world is the stored state of the crash test's profiles.
type world struct {
	configOK bool // config.json parses (or is absent)
	config   map[string]ident
	items    map[string]ident
	def      string
	orphans  []string
	torn     map[string]string // items whose secrets do not belong with their IDs: which ID
}

// crashRun is one planned command and the state it means to leave.
type crashRun struct {
	args   []string
	want   func(name string, old ident) ident // a profile's identity after the run
	def    []string                           // acceptable default profiles after the run
	export string                             // the export file of the run
	old    []byte                             // its content before the run (nil: absent)
	ident  ident                              // the exported profile's identity
	target string                             // the profile a finished run must leave whole
}

type crashOp struct {
	name string
	plan func(c *crashEnv, rng *rand.Rand, w world, i int) crashRun
}

// crashOps is one row per command. A new command that changes stored state is one more row
// here: its arguments and the state it means to leave.
func crashOps() []crashOp {
	unchanged := func(_ string, old ident) ident { return old }
	return []crashOp{
		{"setup --env-file", func(c *crashEnv, rng *rand.Rand, w world, _ int) crashRun {
			name := crashNames[rng.IntN(len(crashNames))]
			file, id := c.envA, c.identA
			if rng.IntN(2) == 1 {
				file, id = c.envB, c.identB
			}
			def := []string{w.def}
			if _, ok := w.config[w.def]; !ok {
				def = append(def, name)
			}
			return crashRun{args: []string{"setup", "--env-file", file, "--profile", name},
				want: func(n string, old ident) ident {
					if n == name {
						return id
					}
					return old
				}, def: def, target: name}
		}},
		{"setup --rotate --env-file", func(c *crashEnv, rng *rand.Rand, w world, _ int) crashRun {
			name := c.someProfile(rng, w)
			old, exists := w.config[name]
			var keys []int
			for i, k := range rotationKeys {
				if k.AccessKeyID != old.AccessKeyID {
					keys = append(keys, i)
				}
			}
			k := keys[rng.IntN(len(keys))]
			def := []string{w.def}
			if _, ok := w.config[w.def]; !ok && exists {
				def = append(def, name)
			}
			return crashRun{args: []string{"setup", "--rotate", "--env-file", c.rotateEnv[k], "--profile", name},
				want: func(n string, old ident) ident {
					if n == name && exists {
						old.AccessKeyID = rotationKeys[k].AccessKeyID // the client credentials stay
					}
					return old
				}, def: def, target: name}
		}},
		{"export -o", func(c *crashEnv, rng *rand.Rand, w world, i int) crashRun {
			name := c.someProfile(rng, w)
			out := filepath.Join(c.outDir, fmt.Sprintf("run-%03d.env", i))
			args := []string{"export", "--profile", name, "-o", out}
			var old []byte
			if rng.IntN(2) == 1 { // replace an older file
				old = []byte("CXONE_CLIENT_ID=the-old-file\n")
				if err := os.WriteFile(out, old, 0o600); err != nil {
					c.t.Fatal(err)
				}
				args = append(args, "--force")
			}
			return crashRun{args: args, want: unchanged, def: []string{w.def}, export: out, old: old, ident: w.identity(name)}
		}},
		{"remove --yes", func(c *crashEnv, rng *rand.Rand, w world, _ int) crashRun {
			name := c.someProfile(rng, w)
			def := []string{w.def}
			if w.def == name {
				next := ""
				for _, n := range sortedKeys(w.config) {
					if n != name {
						next = n
						break
					}
				}
				def = append(def, next)
			}
			return crashRun{args: []string{"remove", "--yes", "--profile", name},
				want: func(n string, old ident) ident {
					if n == name {
						return ident{}
					}
					return old
				}, def: def, target: name}
		}},
		{"use", func(c *crashEnv, rng *rand.Rand, w world, _ int) crashRun {
			name := c.someProfile(rng, w)
			def := []string{w.def}
			if _, ok := w.config[name]; ok {
				def = append(def, name)
			}
			return crashRun{args: []string{"use", name}, want: unchanged, def: def}
		}},
	}
}

type crashEnv struct {
	*cliEnv
	t              *testing.T
	backend        string
	bin            string
	envA, envB     string
	identA, identB ident
	rotateEnv      []string // an env file with only the access key, for each of rotationKeys
	outDir         string
	secrets        []string
	store          func() *store.Store
}

func newCrashEnv(t *testing.T) *crashEnv {
	e := newCLIEnv(t, cxonetest.Config{})
	c := &crashEnv{cliEnv: e, t: t, backend: "file", bin: testBinary(t)}
	if b := os.Getenv("CXONE_TEST_BACKEND"); b != "" {
		c.backend = b
		e.vars["CXONE_KEYRING_BACKEND"] = b
		for _, k := range []string{"PASSWORD_STORE_DIR", "HOME", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"} {
			if v := os.Getenv(k); v != "" {
				e.vars[k] = v
			}
		}
	}
	e.srv.AddClient(credsB.ClientID, credsB.ClientSecret)
	e.srv.AddAccessKey(credsB.AccessKeyID, credsB.AccessKeySecret, cxonetest.DefaultUser)
	e.srv.AddAccessKey(rotatedKey.AccessKeyID, rotatedKey.AccessKeySecret, cxonetest.DefaultUser)
	inputs := filepath.Join(e.dir, "inputs")
	c.outDir = filepath.Join(e.dir, "out")
	for _, d := range []string{inputs, c.outDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e.dir = inputs // writeEnvFile writes there
	c.envA = e.writeEnvFile("a.env", cxonetest.DefaultCredentials)
	c.envB = e.writeEnvFile("b.env", credsB)
	for i, k := range rotationKeys {
		p := filepath.Join(inputs, fmt.Sprintf("rotate-%d.env", i))
		body := "CXONE_ACCESS_KEY_ID=" + k.AccessKeyID + "\nCXONE_ACCESS_KEY_SECRET=" + k.AccessKeySecret + "\n"
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c.rotateEnv = append(c.rotateEnv, p)
	}
	e.dir = filepath.Dir(inputs)
	c.identA = ident{e.srv.URL, cxonetest.DefaultCredentials.ClientID, cxonetest.DefaultCredentials.AccessKeyID}
	c.identB = ident{e.srv.URL, credsB.ClientID, credsB.AccessKeyID}
	c.secrets = []string{cxonetest.DefaultCredentials.ClientSecret, cxonetest.DefaultCredentials.AccessKeySecret,
		credsB.ClientSecret, credsB.AccessKeySecret, rotatedKey.AccessKeySecret}
	c.store = func() *store.Store {
		get := func(k string) string { return e.vars[k] }
		s, err := store.Open(store.Options{Backend: c.backend, ConfigDir: e.vars["CXONE_CONFIG_DIR"], FileDir: e.vars["CXONE_KEYRING_DIR"], Getenv: get})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Two profiles to start with, one per set of credentials.
	for i, env := range []string{c.envA, c.envB} {
		if code, _, stderr := c.exec("setup", "--env-file", env, "--profile", crashNames[i]); code != 0 {
			t.Fatalf("setup: exit %d: %s", code, stderr)
		}
	}
	return c
}

func (c *crashEnv) environ() []string {
	env := c.cliEnv.environ()
	if c.backend != "file" {
		// The real backend's session bus, not the sandbox's "disabled:".
		env = slices.DeleteFunc(env, func(kv string) bool { return kv == "DBUS_SESSION_BUS_ADDRESS=disabled:" })
	}
	return env
}

// exec runs the binary to the end.
func (c *crashEnv) exec(args ...string) (int, string, string) {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

func (c *crashEnv) someProfile(rng *rand.Rand, w world) string {
	if names := sortedKeys(w.config); len(names) > 0 && rng.IntN(8) > 0 {
		return names[rng.IntN(len(names))]
	}
	return crashNames[rng.IntN(len(crashNames))] // now and then one that may not exist
}

func sortedKeys(m map[string]ident) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// runResult is how a run ended.
type runResult struct {
	killed bool
	exit   int
	point  string // the last step the run logged before it was killed
}

// durations remembers how long each command takes when left alone and successful, to aim the
// kills.
var durations = map[string][]time.Duration{}

var debugMsg = regexp.MustCompile(`msg=("[^"]*"|\S+)(?:.*? op=(\S+))?`)

// runKilled runs the binary with --debug and kills it (SIGKILL) after a random time within
// the command's usual duration; a run that finishes first is left alone.
func (c *crashEnv) runKilled(op string, args []string, rng *rand.Rand) runResult {
	cmd := exec.Command(c.bin, append([]string{"--debug"}, args...)...)
	cmd.Env = c.environ()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	ds := durations[op]
	aim := 200 * time.Millisecond
	if len(ds) > 0 {
		aim = median(ds) * 11 / 10
	}
	// Most kills land in the second half of the run, where the writes are; start-up (the first
	// third or so) is sampled less.
	at := time.Duration(rng.Int64N(int64(aim)*3/10 + 1))
	if rng.IntN(5) > 0 {
		at = aim*3/10 + time.Duration(rng.Int64N(int64(aim)*8/10+1))
	}
	timer := time.AfterFunc(at, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
	err := cmd.Wait()
	timer.Stop()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return runResult{killed: true, exit: -1, point: lastStep(errb.String())}
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		c.t.Fatal(err)
	}
	if cmd.ProcessState.ExitCode() == 0 {
		// Only a run that did its work sets the aim: one that refused at once (no such
		// profile) would draw the kills of the others into their start-up.
		durations[op] = append(durations[op], time.Since(start))
	}
	return runResult{exit: cmd.ProcessState.ExitCode(), point: "finished"}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// lastStep names the last debug line a killed run wrote: its message, and the keyring
// operation when it was one.
func lastStep(stderr string) string {
	step := "before the first log line"
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, "level=DEBUG") {
			continue
		}
		if m := debugMsg.FindStringSubmatch(line); m != nil {
			step = "after " + strings.Trim(m[1], `"`)
			if m[2] != "" {
				step += " " + m[2]
			}
		}
	}
	return step
}

// observe reads the stored state directly, as the next command would find it.
func (c *crashEnv) observe() world {
	w := world{configOK: true, config: map[string]ident{}, items: map[string]ident{}, torn: map[string]string{}}
	data, err := os.ReadFile(filepath.Join(c.vars["CXONE_CONFIG_DIR"], "config.json"))
	if err == nil {
		var cfg store.Config
		if json.Unmarshal(data, &cfg) != nil {
			w.configOK = false
		}
		for n, m := range cfg.Profiles {
			w.config[n] = ident{m.Issuer, m.ClientID, m.AccessKeyID}
		}
		w.def = cfg.DefaultProfile
	} else if !errors.Is(err, fs.ErrNotExist) {
		c.t.Fatal(err)
	}
	s := c.store()
	ctx := context.Background()
	for n, r := range s.LoadMany(ctx, crashNames) {
		switch {
		case r.Err == nil:
			w.items[n] = ident{r.Secret.Issuer, r.Secret.ClientID, r.Secret.AccessKeyID}
			if secret, ok := knownSecrets[r.Secret.AccessKeyID]; !ok || secret != r.Secret.AccessKeySecret {
				w.torn[n] = "access key " + r.Secret.AccessKeyID[:4] + "…"
			}
			if secret, ok := knownSecrets[r.Secret.ClientID]; !ok || secret != r.Secret.ClientSecret {
				w.torn[n] = "client " + r.Secret.ClientID[:4] + "…"
			}
		case !errors.Is(r.Err, store.ErrNotFound):
			c.t.Fatalf("reading %s from the keyring: %v", n, r.Err)
		}
	}
	orphans, err := s.Orphans(ctx)
	if err != nil {
		c.t.Fatalf("orphans: %v", err)
	}
	w.orphans = orphans
	return w
}

// knownSecrets maps every ID the crash test stores to the secret that belongs with it.
var knownSecrets = map[string]string{
	cxonetest.DefaultCredentials.ClientID:    cxonetest.DefaultCredentials.ClientSecret,
	cxonetest.DefaultCredentials.AccessKeyID: cxonetest.DefaultCredentials.AccessKeySecret,
	credsB.ClientID:                          credsB.ClientSecret,
	credsB.AccessKeyID:                       credsB.AccessKeySecret,
	rotatedKey.AccessKeyID:                   rotatedKey.AccessKeySecret,
}

// identity is a profile's identity in w: its config entry's, or its item's when it has only
// an item (an orphan).
func (w world) identity(n string) ident {
	if id, ok := w.config[n]; ok {
		return id
	}
	return w.items[n]
}

// verify checks the state a run left.
func (c *crashEnv) verify(t *testing.T, where string, before, after world, run crashRun, res runResult) {
	if !after.configOK {
		t.Errorf("%s: config.json does not parse", where)
		return
	}
	for _, n := range crashNames {
		cfgID, inConfig := after.config[n]
		itemID, inKeyring := after.items[n]
		switch {
		case inConfig && !inKeyring:
			t.Errorf("%s: profile %s is in config.json but has no keyring item", where, n)
		case inConfig && inKeyring && cfgID != itemID:
			t.Errorf("%s: profile %s is half changed: config entry %s, keyring item %s", where, n, cfgID, itemID)
		case !inConfig && inKeyring && !slices.Contains(after.orphans, n):
			t.Errorf("%s: profile %s has a keyring item without a config entry that Orphans does not report", where, n)
		}
		if id, ok := after.torn[n]; ok {
			t.Errorf("%s: profile %s's keyring item holds the ID of %s with a secret that is not its own", where, n, id)
		}
		old, now, want := before.identity(n), after.identity(n), run.want(n, before.identity(n))
		if now != old && now != want {
			t.Errorf("%s: profile %s is %s: neither as before (%s) nor as meant (%s)", where, n, now, old, want)
		}
		orphan := inKeyring && !inConfig
		_, wasItem := before.items[n]
		_, wasEntry := before.config[n]
		wasOrphan := wasItem && !wasEntry
		if !res.killed && res.exit == 0 && (now != want || (orphan && (n == run.target || !wasOrphan))) {
			t.Errorf("%s: the run finished, yet profile %s is %s (orphan %v), not %s", where, n, now, orphan, want)
		}
	}
	if !slices.Contains(run.def, after.def) {
		t.Errorf("%s: the default profile is %q, want one of %q", where, after.def, run.def)
	}

	// The next command sees the same profiles.
	code, out, stderr := c.exec("list", "--json")
	var listed struct {
		Profiles []struct {
			Profile string `json:"profile"`
		} `json:"profiles"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil {
		t.Errorf("%s: the next list --json: exit %d: %s", where, code, stderr)
	} else {
		var got []string
		for _, p := range listed.Profiles {
			got = append(got, p.Profile)
		}
		if want := sortedKeys(after.config); !slices.Equal(got, want) {
			t.Errorf("%s: the next list shows %v, want %v", where, got, want)
		}
	}

	if run.export != "" {
		c.verifyExport(t, where, run, res)
	}
	c.verifyFiles(t, where, run)
}

// verifyExport: the file is absent or as it was, or complete.
func (c *crashEnv) verifyExport(t *testing.T, where string, run crashRun, res runResult) {
	data, err := os.ReadFile(run.export)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if run.old != nil {
			t.Errorf("%s: the export replaced with --force vanished", where)
		}
		if !res.killed && res.exit == 0 {
			t.Errorf("%s: export finished but wrote no file", where)
		}
		return
	case err != nil:
		t.Fatal(err)
	case run.old != nil && bytes.Equal(data, run.old):
		return
	}
	fi, _ := os.Stat(run.export)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: export file mode %v, want 0600", where, fi.Mode().Perm())
	}
	// The exported profile's own IDs, each with the secret that belongs with it (after a
	// rotation a profile pairs one set's client with another's key).
	id := run.ident
	complete := strings.HasSuffix(string(data), "\n") && knownSecrets[id.ClientID] != "" && knownSecrets[id.AccessKeyID] != ""
	for _, kv := range []string{"CXONE_CLIENT_ID=" + id.ClientID, "CXONE_CLIENT_SECRET=" + knownSecrets[id.ClientID],
		"CXONE_ACCESS_KEY_ID=" + id.AccessKeyID, "CXONE_ACCESS_KEY_SECRET=" + knownSecrets[id.AccessKeyID]} {
		complete = complete && strings.Contains(string(data), kv+"\n")
	}
	if !complete {
		t.Errorf("%s: the export file is neither absent, nor as before, nor complete (%d bytes)", where, len(data))
	}
}

// verifyFiles: everything the product made is private, and no secret is outside the keyring
// but in the export files asked for.
func (c *crashEnv) verifyFiles(t *testing.T, where string, run crashRun) {
	keyringDir := c.vars["CXONE_KEYRING_DIR"]
	err := filepath.WalkDir(c.dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == c.dir || strings.HasPrefix(p, filepath.Join(c.dir, "inputs")) || strings.HasPrefix(p, filepath.Join(c.dir, "home")) {
			return nil
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 && p != c.outDir {
			t.Errorf("%s: %s is readable by others (%v)", where, strings.TrimPrefix(p, c.dir), fi.Mode().Perm())
		}
		if de.IsDir() || p == keyringDir || strings.HasPrefix(p, keyringDir+string(filepath.Separator)) {
			return nil
		}
		if filepath.Dir(p) == c.outDir && strings.HasPrefix(filepath.Base(p), "run-") {
			return nil // an export file asked for: secrets by design
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range c.secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s: a secret is in %s, outside the keyring", where, strings.TrimPrefix(p, c.dir))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// cleanup removes the crash test's items from a real backend.
func (c *crashEnv) cleanup() {
	if c.backend == "file" {
		return
	}
	s := c.store()
	for _, n := range crashNames {
		if err := s.Delete(context.Background(), n); err != nil && !errors.Is(err, store.ErrNotFound) {
			c.t.Errorf("cleanup of %s: %v", n, err)
		}
	}
}
