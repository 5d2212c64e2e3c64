//go:build unix

package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// RuntimeDir is the agent's private folder: $XDG_RUNTIME_DIR/cxone-auth, else
// cxone-auth-UID under the temp folder. It is created 0700 when missing; an existing one must
// be a real folder (not a symbolic link), owned by this user, with no access for others:
// otherwise it is refused, since someone else could plant or read sockets in it.
func RuntimeDir(getenv func(string) string, create bool) (string, error) {
	var dir string
	if x := getenv("XDG_RUNTIME_DIR"); x != "" && filepath.IsAbs(x) {
		dir = filepath.Join(x, "cxone-auth")
	} else {
		tmp := getenv("TMPDIR")
		if tmp == "" || !filepath.IsAbs(tmp) {
			tmp = "/tmp"
		}
		dir = filepath.Join(tmp, "cxone-auth-"+strconv.Itoa(os.Getuid()))
	}
	if create {
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("agent folder %s: %w", dir, err)
		}
	}
	if err := checkPrivate(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// checkPrivate refuses a folder that is a symbolic link, not a folder, not this user's, or
// open to others.
func checkPrivate(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("agent folder %s is a symbolic link; refusing it (remove it if you did not make it)", dir)
	case !fi.IsDir():
		return fmt.Errorf("agent folder %s is not a folder; refusing it", dir)
	case !ok || int(st.Uid) != os.Getuid():
		return fmt.Errorf("agent folder %s belongs to another user; refusing it", dir)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("agent folder %s is open to other users (mode %v); refusing it", dir, fi.Mode().Perm())
	}
	return nil
}

// SocketPath is the socket of the agent for keyring folder dir; an error when the runtime
// folder is missing (and not to be created) or refused: then there is no agent to ask.
func SocketPath(getenv func(string) string, dir string, create bool) (string, error) {
	rt, err := RuntimeDir(getenv, create)
	if err != nil {
		return "", err
	}
	return socketName(rt, dir), nil
}
