package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// writeModes runs fn once per way WriteFileAtomic can write: through an unnamed file (Linux)
// and through a private folder (elsewhere, or where the file system refuses unnamed files).
func writeModes(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	if runtime.GOOS == "linux" {
		t.Run("unnamed", fn)
	}
	t.Run("private-folder", func(t *testing.T) {
		noUnnamedFiles(t)
		fn(t)
	})
}

// noUnnamedFiles makes WriteFileAtomic behave as on a file system without O_TMPFILE.
func noUnnamedFiles(t *testing.T) {
	orig := openUnnamed
	openUnnamed = func(string) (*os.File, error) { return nil, errNoUnnamed }
	t.Cleanup(func() { openUnnamed = orig })
}

func TestWriteFileAtomic(t *testing.T) {
	writeModes(t, func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.env")
		if err := WriteFileAtomic(path, []byte("one"), false); err != nil {
			t.Fatal(err)
		}
		if got := mode(t, path); got != 0o600 {
			t.Errorf("mode = %o, want 600", got)
		}
		err := WriteFileAtomic(path, []byte("two"), false)
		if !errors.Is(err, fs.ErrExist) {
			t.Errorf("existing file without force: got %v, want fs.ErrExist", err)
		}
		if data, _ := os.ReadFile(path); string(data) != "one" {
			t.Errorf("content = %q after refused write, want one", data)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, []byte("three"), true); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(path); string(data) != "three" {
			t.Errorf("content = %q after forced write, want three", data)
		}
		if got := mode(t, path); got != 0o600 {
			t.Errorf("mode after replacing a 0644 file = %o, want 600", got)
		}
		if err := WriteFileAtomic(dir, []byte("x"), true); err == nil {
			t.Errorf("writing over a directory: got nil error")
		}
		if err := WriteFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x"), false); err == nil {
			t.Errorf("writing into a missing folder: got nil error")
		}
		if names := dirNames(t, dir); !slices.Equal(names, []string{"out.env"}) {
			t.Errorf("folder holds %v, want only out.env", names)
		}
		// A relative name (no folder part) is written in the working directory.
		t.Chdir(dir)
		if err := WriteFileAtomic("rel.env", []byte("r"), false); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(filepath.Join(dir, "rel.env")); string(data) != "r" {
			t.Errorf("relative write: content %q, want r", data)
		}
	})
}

// TestWriteFileAtomicRefusesFileThatAppears: a file created by someone else after the
// existence check (here: while the data is being synced) is never replaced without force.
func TestWriteFileAtomicRefusesFileThatAppears(t *testing.T) {
	writeModes(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.env")
		orig := syncFile
		syncFile = func(f *os.File) error {
			if err := os.WriteFile(path, []byte("theirs"), 0o600); err != nil {
				t.Error(err)
			}
			return orig(f)
		}
		t.Cleanup(func() { syncFile = orig })
		err := WriteFileAtomic(path, []byte("ours"), false)
		if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "--force") {
			t.Errorf("got %v, want fs.ErrExist naming --force", err)
		}
		if data, _ := os.ReadFile(path); string(data) != "theirs" {
			t.Errorf("content = %q, want theirs (never replaced without force)", data)
		}
		if names := dirNames(t, filepath.Dir(path)); !slices.Equal(names, []string{"out.env"}) {
			t.Errorf("folder holds %v, want only out.env", names)
		}
	})
}

func TestWriteFileAtomicKeepsOldFileOnFailure(t *testing.T) {
	injected := errors.New("injected failure")
	tests := []struct {
		name  string
		apply func() func()
	}{
		{"rename fails", func() func() {
			orig := renameFile
			renameFile = func(string, string) error { return injected }
			return func() { renameFile = orig }
		}},
		{"fsync fails", func() func() {
			orig := syncFile
			syncFile = func(*os.File) error { return injected }
			return func() { syncFile = orig }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeModes(t, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "out.env")
				if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				restore := tt.apply()
				err := WriteFileAtomic(path, []byte("new"), true)
				restore()
				if !errors.Is(err, injected) {
					t.Fatalf("got %v, want the injected failure", err)
				}
				if data, _ := os.ReadFile(path); string(data) != "old" {
					t.Errorf("content = %q, want old", data)
				}
				if names := dirNames(t, dir); !slices.Equal(names, []string{"out.env"}) {
					t.Errorf("folder holds %v, want only out.env (temp files removed)", names)
				}
			})
		})
	}
	// A real failure, even for root: the target is a non-empty directory.
	dir := t.TempDir()
	target := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(target, "keep"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(target, []byte("x"), true); err == nil {
		t.Errorf("replacing a directory: got nil error")
	}
	if _, err := os.Stat(filepath.Join(target, "keep")); err != nil {
		t.Errorf("directory content lost: %v", err)
	}
}

// TestWriteFileAtomicUnnamedOnLinux proves the O_TMPFILE way is taken on Linux: while the
// data is being synced, the target's folder has no entry for it at all, so a crash at that
// point leaves nothing behind.
func TestWriteFileAtomicUnnamedOnLinux(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Logf("not Linux: only the private-folder way exists here (tested by TestWriteFileAtomicPrivateFolder)")
		return
	}
	for _, force := range []bool{false, true} {
		t.Run(fmt.Sprintf("force=%v", force), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.env")
			want := []string{}
			if force {
				if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				want = []string{"out.env"}
			}
			synced := false
			orig := syncFile
			syncFile = func(f *os.File) error {
				synced = true
				if names := dirNames(t, dir); !slices.Equal(names, want) && !(len(names) == 0 && len(want) == 0) {
					t.Errorf("while the data is synced the folder holds %v, want %v: the temp file has a name", names, want)
				}
				return orig(f)
			}
			t.Cleanup(func() { syncFile = orig })
			if err := WriteFileAtomic(path, []byte("new"), force); err != nil {
				t.Fatal(err)
			}
			if !synced {
				t.Fatal("the data was never synced")
			}
			if data, _ := os.ReadFile(path); string(data) != "new" || mode(t, path) != 0o600 {
				t.Errorf("content %q mode %o, want new 600", data, mode(t, path))
			}
			if names := dirNames(t, dir); !slices.Equal(names, []string{"out.env"}) {
				t.Errorf("folder holds %v, want only out.env", names)
			}
		})
	}
}

// TestWriteFileAtomicPrivateFolder: without unnamed files the data is written into a 0700
// folder, in a 0600 file with the target's own base name.
func TestWriteFileAtomicPrivateFolder(t *testing.T) {
	noUnnamedFiles(t)
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	orig := syncFile
	syncFile = func(f *os.File) error {
		checkLeftovers(t, dir, ".env", false)
		if filepath.Base(f.Name()) != ".env" {
			t.Errorf("temp file %s, want the base name .env", f.Name())
		}
		return orig(f)
	}
	t.Cleanup(func() { syncFile = orig })
	if err := WriteFileAtomic(path, []byte("new"), false); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{".env"}) {
		t.Errorf("folder holds %v, want only .env", names)
	}
}

// checkLeftovers fails unless everything under dir is unreadable by others and every file has
// the base name base (so an unanchored ignore rule such as `*.env` or `.env` that matches the
// target also matches it). With wantEmpty, dir must hold nothing at all.
func checkLeftovers(t *testing.T, dir, base string, wantEmpty bool) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		if wantEmpty {
			t.Errorf("%s was left behind; want nothing (an unnamed temp file)", p)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %o: others can read it", p, fi.Mode().Perm())
		}
		if !fi.IsDir() {
			if filepath.Base(p) != base {
				t.Errorf("%s: a temp file must be named %s", p, base)
			}
			if ok, _ := filepath.Match("*.env", filepath.Base(p)); !ok && strings.HasSuffix(base, ".env") {
				t.Errorf("%s escapes the ignore pattern *.env", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// helperCrashWrite runs in a child process: it writes T_PATH and kills itself (SIGKILL, no
// deferred cleanup) at the point named by T_CRASH: "sync" (data written, not yet named) or
// "rename" (about to replace the target).
func helperCrashWrite() int {
	die := func() {
		p, _ := os.FindProcess(os.Getpid())
		_ = p.Kill()
		select {}
	}
	if os.Getenv("T_MODE") == "private-folder" {
		openUnnamed = func(string) (*os.File, error) { return nil, errNoUnnamed }
	}
	switch os.Getenv("T_CRASH") {
	case "sync":
		syncFile = func(*os.File) error { die(); return nil }
	case "rename":
		renameFile = func(string, string) error { die(); return nil }
	}
	err := WriteFileAtomic(os.Getenv("T_PATH"), []byte("SECRET-DATA"), os.Getenv("T_FORCE") == "1")
	fmt.Fprintln(os.Stderr, "the write finished without crashing:", err)
	return 3
}

// TestWriteFileAtomicCrash kills a real process in the middle of an export and checks what it
// leaves: nothing that others can read and nothing whose name escapes the target's ignore
// rule; on Linux, before the final link, nothing at all.
func TestWriteFileAtomicCrash(t *testing.T) {
	modes := []string{"private-folder"}
	if runtime.GOOS == "linux" {
		modes = append(modes, "unnamed")
	}
	for _, m := range modes {
		for _, crash := range []string{"sync", "rename"} {
			for _, force := range []bool{false, true} {
				if crash == "rename" && !force {
					continue // without force the file is linked, not renamed, into place
				}
				t.Run(fmt.Sprintf("%s/%s/force=%v", m, crash, force), func(t *testing.T) {
					dir := t.TempDir()
					path := filepath.Join(dir, "prod.env")
					if force {
						if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
							t.Fatal(err)
						}
					}
					f := "0"
					if force {
						f = "1"
					}
					cmd := helperCmd(t, "crash-write", "T_PATH="+path, "T_MODE="+m, "T_CRASH="+crash, "T_FORCE="+f)
					out, err := cmd.CombinedOutput()
					var ee interface{ Sys() any }
					if !errors.As(err, &ee) {
						t.Fatalf("helper: %v %s", err, out)
					}
					if ws, ok := ee.Sys().(syscall.WaitStatus); ok && !(ws.Signaled() && ws.Signal() == syscall.SIGKILL) {
						t.Fatalf("helper did not die at the crash point: %v %s", err, out)
					}
					if force {
						if data, _ := os.ReadFile(path); string(data) != "old" {
							t.Errorf("target = %q after the crash, want the old content", data)
						}
						if err := os.Remove(path); err != nil {
							t.Fatal(err)
						}
					}
					checkLeftovers(t, dir, "prod.env", m == "unnamed" && crash == "sync")
				})
			}
		}
	}
}

func TestWriteFileAtomicErrors(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "have.env")
	if err := os.WriteFile(existing, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope", "out.env")
	denied := filepath.Join(dir, "denied.env")
	renameFails := filepath.Join(dir, "full.env")
	tests := []struct {
		name, path string
		force      bool
		setup      func(t *testing.T)
		want       string
		is         error
	}{
		{"exists", existing, false, nil,
			"cannot write " + existing + ": file already exists (pass --force to replace it)", fs.ErrExist},
		{"missing folder", missing, false, nil,
			"cannot write " + missing + ": the folder " + filepath.Dir(missing) + " does not exist (create it first)", fs.ErrNotExist},
		{"missing folder, force", missing, true, nil,
			"cannot write " + missing + ": the folder " + filepath.Dir(missing) + " does not exist (create it first)", fs.ErrNotExist},
		{"is a directory", dir, true, nil, "cannot write " + dir + ": it is a directory", nil},
		{"permission denied", denied, false, func(t *testing.T) {
			// Root is never denied by file modes, so the refusal is injected where the
			// file system would give it.
			orig := openUnnamed
			openUnnamed = func(d string) (*os.File, error) {
				return nil, &fs.PathError{Op: "open", Path: filepath.Join(d, ".denied.env.tmp-123"), Err: syscall.EACCES}
			}
			t.Cleanup(func() { openUnnamed = orig })
		}, "cannot write " + denied + ": permission denied (check the permissions of the folder " + dir + ", or choose another path)", fs.ErrPermission},
		{"other failure", renameFails, true, func(t *testing.T) {
			orig := renameFile
			renameFile = func(from, to string) error {
				return &os.LinkError{Op: "rename", Old: from, New: to, Err: syscall.ENOSPC}
			}
			t.Cleanup(func() { renameFile = orig })
		}, "cannot write " + renameFails + ": no space left on device", syscall.ENOSPC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(t)
			}
			err := WriteFileAtomic(tt.path, []byte("SECRET-DATA"), tt.force)
			if err == nil {
				t.Fatal("got no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %q\nwant %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			if n := strings.Count(err.Error(), tt.path); n != 1 {
				t.Errorf("error names the file %d times, want once: %q", n, err)
			}
			if n := strings.Count(err.Error(), "write "); n != 1 {
				t.Errorf("error %q says write %d times: a chain of wrapped messages", err, n)
			}
			for _, bad := range []string{".tmp-", "open ", "link ", "rename ", "SECRET"} {
				if strings.Contains(err.Error(), bad) {
					t.Errorf("error %q contains %q", err, bad)
				}
			}
		})
	}
}
