package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Seams for tests that need a write to fail at a precise point.
var (
	renameFile = os.Rename
	syncFile   = func(f *os.File) error { return f.Sync() }
)

// WriteFileAtomic writes data to path with mode 0600 through a temp file in the same folder,
// fsync and rename, so readers see the old file or the new one, never half of one. An existing
// file is replaced only when force is set; otherwise the error wraps fs.ErrExist. On any
// failure the old file is left as it was and the temp file is removed.
func WriteFileAtomic(path string, data []byte, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("write %s: is a directory", path)
	case err == nil && !force:
		return fmt.Errorf("write %s: %w (use --force to replace it)", path, fs.ErrExist)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("write %s: %w", path, err)
	}
	if force {
		if err := replaceFile(path, data); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	tmp, err := writeTemp(path, data)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp)
	// A hard link fails if path appeared meanwhile, so a file created by someone else between
	// the check above and now is never replaced without --force.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("write %s: %w (use --force to replace it)", path, fs.ErrExist)
		}
		// No hard links here (some file systems, some Windows shares): fall back to
		// rename, having checked above that nothing is in the way.
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("write %s: %w (use --force to replace it)", path, fs.ErrExist)
		}
		if err := renameFile(tmp, path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	syncDir(filepath.Dir(path))
	return nil
}

// replaceFile atomically replaces (or creates) path with data, mode 0600.
func replaceFile(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := renameFile(tmp, path); err != nil {
		_ = os.Remove(tmp) // best effort: the temp file is ours and useless now
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// writeTemp writes data to a new 0600 temp file next to path, synced to disk, and returns its
// name. On failure nothing is left behind.
func writeTemp(path string, data []byte) (string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		_ = f.Close()
		_ = os.Remove(name)
		return "", err
	}
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := syncFile(f); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}

// syncDir makes a rename durable where directories can be synced; errors are ignored because
// some platforms and file systems cannot sync a directory and the data itself is synced.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// readLimited reads all of r, refusing more than limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// gitTimeout bounds each git call of InGitWorkTreeNotIgnored.
const gitTimeout = 2 * time.Second

// gitEnvPassed are the variables git gets from the caller's environment: enough to find its
// own configuration (global excludes count) and, on Windows, to start at all. Nothing else is
// passed, so no CXONE_* value (the keyring passphrase above all) reaches git or whatever its
// configuration runs, and no GIT_DIR-style variable points it elsewhere.
var gitEnvPassed = []string{"PATH", "HOME", "USERPROFILE", "XDG_CONFIG_HOME", "SYSTEMROOT"}

// InGitWorkTreeNotIgnored reports whether path lies inside a git work tree and is not ignored
// there, i.e. whether `git add .` would pick up an exported secret. It is false when git is
// missing, slow or unsure. getenv (nil = an empty environment) supplies the few variables git
// is given.
func InGitWorkTreeNotIgnored(path string, getenv func(string) string) bool {
	getenv = orEmpty(getenv)
	env := []string{"GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C"}
	for _, k := range gitEnvPassed {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	dir := filepath.Dir(abs)
	git := func(args ...string) (string, int, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
		defer cancel()
		// core.fsmonitor off: a repository's configuration must never make us run a program.
		cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "core.fsmonitor=false", "-C", dir}, args...)...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout = &out
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return strings.TrimSpace(out.String()), 0, true
		case errors.As(err, &ee) && ctx.Err() == nil:
			return "", ee.ExitCode(), true
		}
		return "", -1, false
	}
	if out, code, ok := git("rev-parse", "--is-inside-work-tree"); !ok || code != 0 || out != "true" {
		return false
	}
	// check-ignore (index consulted: a tracked file counts as not ignored, which is the worst
	// case): exit 0 = ignored, 1 = not ignored, anything else = error.
	_, code, ok := git("check-ignore", "-q", "--", abs)
	return ok && code == 1
}
