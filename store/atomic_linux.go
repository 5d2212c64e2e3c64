//go:build linux

package store

import (
	"errors"
	"io/fs"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamedFile opens an unnamed 0600 file in dir with O_TMPFILE. Kernels and file systems
// without it answer EOPNOTSUPP, EISDIR (kernels that predate the flag) or EINVAL; those give
// errNoUnnamed so the caller takes the private-folder way.
func openUnnamedFile(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
			return nil, errNoUnnamed
		}
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir), nil
}

// linkUnnamed gives the unnamed file f the name path, failing with EEXIST when path exists.
// It links /proc/self/fd/N (following that magic link); without /proc it tries AT_EMPTY_PATH,
// which needs a capability most processes lack, and otherwise reports errNoUnnamed.
func linkUnnamed(f *os.File, path string) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if cerr := rc.Control(func(fd uintptr) {
		lerr = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(fd)), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
		if lerr == nil || !errors.Is(lerr, unix.ENOENT) {
			return
		}
		if _, serr := os.Stat("/proc/self/fd"); serr == nil {
			return // /proc is there: the ENOENT is about path's folder
		}
		lerr = unix.Linkat(int(fd), "", unix.AT_FDCWD, path, unix.AT_EMPTY_PATH)
		if errors.Is(lerr, unix.EPERM) || errors.Is(lerr, unix.ENOENT) || errors.Is(lerr, unix.EINVAL) {
			lerr = errNoUnnamed
		}
	}); cerr != nil {
		return cerr
	}
	if lerr != nil && !errors.Is(lerr, errNoUnnamed) {
		return &os.LinkError{Op: "link", Old: f.Name(), New: path, Err: lerr}
	}
	return lerr
}
