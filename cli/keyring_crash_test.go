package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/store"

	"github.com/99designs/keyring"
)

// TestKeyringMigrationKilled kills the real binary (SIGKILL) at random moments while it
// upgrades a format-1 file keyring (the keyring library's JWE files) to format 2, the first
// time a command opens it with the passphrase. After every run, killed or not:
//   - with no keyring.json in the folder, every item file is byte for byte as before (the old
//     keyring whole); with one, the next command finds the new keyring whole;
//   - the next command reads every profile with the credentials it had;
//   - no file in the folder is readable by others.
//
// CXONE_MIGRATION_CRASH_RUNS sets the number of runs (default 24).
func TestKeyringMigrationKilled(t *testing.T) {
	runs := envCount(t, "CXONE_MIGRATION_CRASH_RUNS", 24)
	e := newCLIEnv(t, cxonetest.Config{})
	bin := testBinary(t)
	envFile := e.writeEnvFile("a.env", cxonetest.DefaultCredentials)
	names := []string{"mig-0", "mig-1", "mig-2", "mig-3", "mig-4", "mig-5"}
	for _, n := range names {
		if code, _, stderr := e.run("setup", "--env-file", envFile, "--profile", n); code != 0 {
			t.Fatalf("setup %s: %s", n, stderr)
		}
	}
	kdir := e.vars["CXONE_KEYRING_DIR"]
	pass := e.vars["CXONE_KEYRING_PASSPHRASE"]
	openStore := func() *store.Store {
		s, err := store.Open(store.Options{Backend: "file", ConfigDir: e.vars["CXONE_CONFIG_DIR"], FileDir: kdir,
			Getenv: func(k string) string { return e.vars[k] }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := map[string]store.Secret{}
	for n, r := range openStore().LoadMany(context.Background(), names) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		want[n] = r.Secret
	}
	// writeV1 replaces the folder with a format-1 keyring of the same profiles, as an older
	// cxone-auth (and the library) wrote it.
	writeV1 := func() map[string][]byte {
		if err := os.RemoveAll(kdir); err != nil {
			t.Fatal(err)
		}
		r, err := keyring.Open(keyring.Config{AllowedBackends: []keyring.BackendType{keyring.FileBackend}, ServiceName: "cxone-auth",
			FileDir: kdir, FilePasswordFunc: keyring.FixedStringPrompt(pass)})
		if err != nil {
			t.Fatal(err)
		}
		for n, sec := range want {
			data, _ := json.Marshal(sec)
			if err := r.Set(keyring.Item{Key: "profile:" + n, Data: data, Label: "CXone credentials (" + n + ")"}); err != nil {
				t.Fatal(err)
			}
		}
		return migrationFiles(t, kdir)
	}
	// run runs export (which opens the keyring) and kills it after kill (0: never), or as soon
	// as it logs a line containing onLine: the kill then lands within the next steps.
	run := func(kill time.Duration, onLine string) (bool, string) {
		cmd := exec.Command(bin, "--debug", "export", "--profile", names[0])
		cmd.Env = e.environ()
		pipe, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var errb bytes.Buffer
		read := make(chan struct{})
		go func() {
			defer close(read)
			sc := bufio.NewScanner(pipe)
			for sc.Scan() {
				errb.WriteString(sc.Text() + "\n")
				if onLine != "" && strings.Contains(sc.Text(), onLine) {
					_ = cmd.Process.Signal(syscall.SIGKILL)
				}
			}
		}()
		var timer *time.Timer
		if kill > 0 {
			timer = time.AfterFunc(kill, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		}
		<-read
		err = cmd.Wait()
		if timer != nil {
			timer.Stop()
		}
		ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return true, lastStep(errb.String())
		}
		if err != nil {
			t.Fatalf("export: %v\n%s", err, errb.String())
		}
		return false, errb.String()
	}
	// One run left alone: it migrates, says so once, and sets the aim of the kills.
	writeV1()
	start := time.Now()
	if _, stderr := run(0, ""); strings.Count(stderr, "upgraded to format 2") != 1 {
		t.Fatalf("the upgrade was not said once on stderr:\n%s", stderr)
	}
	aim := time.Since(start)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	outcomes := map[string]int{}
	for i := range runs {
		before := writeV1()
		// Most kills land in the second half, where the migration writes.
		at := time.Duration(rng.Int64N(int64(aim) + 1))
		if rng.IntN(4) > 0 {
			at = aim/2 + time.Duration(rng.Int64N(int64(aim)*6/10+1))
		}
		// Every third run is killed the moment the staging is done: the commit and the renames
		// that follow take a millisecond, which random times seldom hit.
		onLine := ""
		if i%3 == 2 {
			at, onLine = 0, "migration staged"
		}
		killed, step := run(at, onLine)
		_, herr := os.Lstat(filepath.Join(kdir, "keyring.json"))
		switch {
		case !killed:
			outcomes["finished"]++
		case errors.Is(herr, fs.ErrNotExist):
			outcomes["killed before the commit ("+step+"): old keyring whole"]++
			after := migrationFiles(t, kdir)
			for name, data := range before {
				if !bytes.Equal(after[name], data) {
					t.Fatalf("run %d: killed before the commit, %s changed", i, name)
				}
			}
		default:
			outcomes["killed after the commit ("+step+"): new keyring"]++
		}
		for n, r := range openStore().LoadMany(context.Background(), names) {
			if r.Err != nil || !r.Secret.SameIdentity(want[n]) {
				t.Fatalf("run %d (killed %v at %s): %s = %v, %v", i, killed, step, n, r.Secret, r.Err)
			}
		}
		if data, err := os.ReadFile(filepath.Join(kdir, "keyring.json")); err != nil || !bytes.Contains(data, []byte(`"format":2`)) {
			t.Fatalf("run %d: after the next command there is no format-2 header: %v", i, err)
		}
		_ = filepath.WalkDir(kdir, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o077 != 0 {
					t.Errorf("run %d: %s has mode %v", i, p, fi.Mode().Perm())
				}
			}
			return nil
		})
	}
	for k, n := range outcomes {
		t.Logf("%4d  %s", n, k)
	}
}

// migrationFiles is every item file of the keyring folder (not its lock, temp files or the
// staging folder) with its bytes.
func migrationFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}
