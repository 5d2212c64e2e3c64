package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Helpers of the fault matrix, the crash test and the soak test.

// controlBytes describes the raw control characters in s that must never reach a terminal:
// C0 other than newline and tab, DEL, C1 (as UTF-8 or as stray bytes). It returns "" when
// there are none; otherwise their positions and code points, never the text around them
// (which may hold anything).
func controlBytes(s string) string {
	var found []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		bad := false
		switch {
		case r == utf8.RuneError && size == 1:
			bad = s[i] >= 0x80 && s[i] <= 0x9f // a C1 byte on its own
		case r < 0x20:
			bad = r != '\n' && r != '\t'
		case r == 0x7f, r >= 0x80 && r <= 0x9f:
			bad = true
		}
		if bad && len(found) < 5 {
			found = append(found, fmt.Sprintf("U+%04X at byte %d", r, i))
		}
		i += size
	}
	return strings.Join(found, ", ")
}

// state is the bytes of every file under some folders, by path, without the lock files
// (they are created on first use and hold nothing).
type state map[string][]byte

func snapshot(t testing.TB, dirs ...string) state {
	t.Helper()
	st := state{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) {
					return nil
				}
				return err
			}
			if de.IsDir() || strings.HasSuffix(p, ".lock") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			st[p] = b
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// diff names the files added, removed or changed between a and b; ignore may excuse a change
// of one file (it is given both versions).
func (a state) diff(b state, ignore func(path string, before, after []byte) bool) []string {
	var out []string
	for p, before := range a {
		after, ok := b[p]
		switch {
		case !ok:
			out = append(out, "removed "+filepath.Base(p))
		case !bytes.Equal(before, after) && (ignore == nil || !ignore(p, before, after)):
			out = append(out, "changed "+filepath.Base(p))
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, "added "+filepath.Base(p))
		}
	}
	sort.Strings(out)
	return out
}

// onlyCheckRecorded reports whether two config.json documents differ at most in the fields a
// check records by design (the last check's time, status and error kind).
func onlyCheckRecorded(before, after []byte) bool {
	strip := func(b []byte) (string, bool) {
		var c map[string]any
		if json.Unmarshal(b, &c) != nil {
			return "", false
		}
		if ps, ok := c["profiles"].(map[string]any); ok {
			for _, p := range ps {
				if m, ok := p.(map[string]any); ok {
					delete(m, "last_check_at")
					delete(m, "last_check_status")
					delete(m, "last_error_kind")
				}
			}
		}
		out, _ := json.Marshal(c)
		return string(out), true
	}
	x, ok1 := strip(before)
	y, ok2 := strip(after)
	return ok1 && ok2 && x == y
}

// The built binary, for the tests that run real processes: CXONE_TEST_BINARY when set (CI
// builds it once), else built once per test run into a folder TestMain removes.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func testBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("CXONE_TEST_BINARY"); p != "" {
			binPath = p
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Dir(filepath.Dir(file))
		binDir, binErr = os.MkdirTemp("", "cxone-auth-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "cxone-auth")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// removeTestBinary removes the folder testBinary built into; TestMain calls it.
func removeTestBinary() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

// environ turns the sandbox's variables into a process environment.
func (e *cliEnv) environ() []string {
	env := []string{"DBUS_SESSION_BUS_ADDRESS=disabled:", "NO_COLOR=1"}
	for k, v := range e.vars {
		env = append(env, k+"="+v)
	}
	return env
}
