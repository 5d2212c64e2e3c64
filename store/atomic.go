package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Seams for tests that need a write to fail (or the process to die) at a precise point.
var (
	renameFile = os.Rename
	syncFile   = func(f *os.File) error { return f.Sync() }
	// openUnnamed opens a new file without a name in dir (O_TMPFILE on Linux); it returns
	// errNoUnnamed where the OS or the file system has no such files.
	openUnnamed = openUnnamedFile
)

// errNoUnnamed reports that unnamed files cannot be created or linked here, so the write
// takes the private-folder way instead.
var errNoUnnamed = errors.New("unnamed files are not supported here")

// WriteFileAtomic writes data to path with mode 0600 so that readers see the old file or the
// new one, never half of one, and so that a crash at any point leaves no copy of data that
// others can read or that an ignore rule for path (such as `*.env` or `.env`) misses:
//
//   - On Linux the data goes into an unnamed file (O_TMPFILE) in path's folder, is synced and
//     then linked into place; a crash before the link leaves nothing at all.
//   - Elsewhere (and on file systems that refuse unnamed files) it goes into a private 0700
//     folder created next to path, in a file with exactly path's base name, which is then
//     linked or renamed into place; the folder is removed afterwards.
//
// An existing file is replaced only when force is set; otherwise the error wraps fs.ErrExist,
// also when the file appears while this runs. With force the new file replaces the old one
// by rename (through the private folder). Errors name path once and say what to do.
func WriteFileAtomic(path string, data []byte, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("cannot write %s: it is a directory", path)
	case err == nil && !force:
		return existsError(path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return writeError(path, err)
	}
	if err := writeAtomic(path, data, force); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return existsError(path)
		}
		return writeError(path, err)
	}
	return nil
}

// existsError is the refusal to replace an existing file without force.
func existsError(path string) error {
	return fmt.Errorf("cannot write %s: %w (pass --force to replace it)", path, fs.ErrExist)
}

// writeFileError is an error whose text is a full sentence written for the person, while
// errors.Is and errors.As still see the system error underneath.
type writeFileError struct {
	msg string
	err error
}

func (e *writeFileError) Error() string { return e.msg }
func (e *writeFileError) Unwrap() error { return e.err }

// writeError turns a failure of writeAtomic into one sentence that names path once and says
// what to do. The cause's own file names (temp names, the folder) are dropped; the system
// error stays wrapped for errors.Is.
func writeError(path string, err error) error {
	dir := filepath.Dir(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat(dir); serr != nil {
			return &writeFileError{fmt.Sprintf("cannot write %s: the folder %s does not exist (create it first)", path, dir), err}
		}
	case errors.Is(err, fs.ErrPermission):
		return &writeFileError{fmt.Sprintf("cannot write %s: permission denied (check the permissions of the folder %s, or choose another path)", path, dir), err}
	}
	return fmt.Errorf("cannot write %s: %w", path, bareCause(err))
}

// bareCause strips the path-naming wrappers (*fs.PathError, *os.LinkError, *os.SyscallError)
// off err, keeping the system error underneath.
func bareCause(err error) error {
	for {
		var pe *fs.PathError
		var le *os.LinkError
		var se *os.SyscallError
		switch {
		case errors.As(err, &pe):
			err = pe.Err
		case errors.As(err, &le):
			err = le.Err
		case errors.As(err, &se):
			err = se.Err
		default:
			return err
		}
	}
}

// replaceFile atomically replaces (or creates) path with data, mode 0600, as WriteFileAtomic
// with force does; its errors are the bare causes, for callers that name path themselves.
func replaceFile(path string, data []byte) error {
	return writeAtomic(path, data, true)
}

// writeAtomic does the work of WriteFileAtomic; see there. It is the one writer of every file
// the store writes: config.json (writeConfig), the keyring's item files, header and marker
// (replaceFile), and the exports (WriteFileAtomic).
//
// A writer killed between the link into its private folder and the rename leaves that folder,
// with a whole copy of the file inside; removeTemps removes such folders under the lock that
// every writer of the file holds.
func writeAtomic(path string, data []byte, force bool) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := openUnnamed(dir)
	switch {
	case err == nil:
		err = writeUnnamed(f, dir, base, path, data, force)
		if !errors.Is(err, errNoUnnamed) {
			return err
		}
	case !errors.Is(err, errNoUnnamed):
		return err
	}
	return writeViaPrivateDir(dir, base, path, data, force)
}

// fillFile writes data to f, syncs it and makes it 0600 (the create mode was already 0600,
// less the umask; chmod makes it exact).
func fillFile(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := syncFile(f); err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return nil
}

// writeUnnamed fills the unnamed file f and gives it the name path: by a link that fails if
// path exists, or, with force, by a link into a private folder and a rename over path.
func writeUnnamed(f *os.File, dir, base, path string, data []byte, force bool) error {
	defer f.Close()
	if err := fillFile(f, data); err != nil {
		return err
	}
	if !force {
		if err := linkUnnamed(f, path); err != nil {
			return err
		}
		syncDir(dir)
		return nil
	}
	priv, err := os.MkdirTemp(dir, tempPrefix(base))
	if err != nil {
		return err
	}
	defer os.RemoveAll(priv)
	name := filepath.Join(priv, base)
	if err := linkUnnamed(f, name); err != nil {
		return err
	}
	if err := renameFile(name, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// writeViaPrivateDir writes data into priv/BASE, where priv is a new 0700 folder in dir, and
// moves it to path: by a hard link, which fails if path appeared meanwhile, or with force
// (or where hard links are unavailable and path is still absent) by rename.
func writeViaPrivateDir(dir, base, path string, data []byte, force bool) error {
	priv, err := os.MkdirTemp(dir, tempPrefix(base))
	if err != nil {
		return err
	}
	defer os.RemoveAll(priv)
	name := filepath.Join(priv, base)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := fillFile(f, data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if !force {
		err := os.Link(name, path)
		switch {
		case err == nil:
			syncDir(dir)
			return nil
		case errors.Is(err, fs.ErrExist):
			return err
		}
		// No hard links here (some file systems, some Windows shares): rename instead,
		// having checked that nothing is in the way.
		if _, serr := os.Lstat(path); serr == nil {
			return fs.ErrExist
		}
	}
	if err := renameFile(name, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
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

// tempPrefix starts the name of the private folder writeAtomic makes next to a file named base.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// tempBase is the base name of the file whose temp (a private folder, or the temp file of
// older versions) name is: ".BASE.tmp-RANDOM" gives BASE.
func tempBase(name string) (string, bool) {
	i := strings.LastIndex(name, ".tmp-")
	if !strings.HasPrefix(name, ".") || i <= 1 {
		return "", false
	}
	return name[1:i], true
}

// removeTemps removes from dir what killed writers left for the files whose base name ours
// accepts: private folders and temp files alike. Callers hold the lock every writer of those
// files holds while its temp exists, so none found is in use; the temps of other files (an
// export under way into the same folder) are left alone. Failures are ignored (logged when log
// is not nil): a leftover is harmless, and the write that follows reports real problems.
func removeTemps(dir string, ours func(base string) bool, log *slog.Logger) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		base, ok := tempBase(e.Name())
		if !ok || !ours(base) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		err := os.RemoveAll(path)
		if log != nil {
			log.Debug("leftover temp removed", "path", path, "ok", err == nil)
		}
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
