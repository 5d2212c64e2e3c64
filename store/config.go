package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// configFile is the config's file name inside the config dir.
const configFile = "config.json"

// maxConfigSize bounds what is read from config.json; a real one is a few kilobytes.
const maxConfigSize = 4 << 20

// readConfig reads path. A missing file is an empty config; a corrupt one is an error naming
// the file (never repaired or overwritten silently).
func readConfig(path string) (Config, error) {
	empty := Config{Version: configVersion, Profiles: map[string]Meta{}}
	// Opened without blocking and refused unless a regular file: a named pipe (or a device)
	// put in its place would otherwise hang every command, list and completion included.
	f, err := openNoBlock(path)
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return Config{}, fmt.Errorf("read config %s: %w", path, err)
	} else if !fi.Mode().IsRegular() {
		return Config{}, fmt.Errorf("config file %s is not a regular file (%s); move it away, it was left untouched", path, fileKind(fi.Mode()))
	}
	data, err := readLimited(f, maxConfigSize)
	if err != nil {
		return Config{}, fmt.Errorf("read config %s: %w", path, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return empty, nil // an empty file (e.g. touched by hand) holds nothing yet
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("config file %s is corrupt (%s); fix it or move it away, it was left untouched", path, jsonErrText(err))
	}
	if dec.More() {
		return Config{}, fmt.Errorf("config file %s is corrupt (extra data after the JSON object); fix it or move it away, it was left untouched", path)
	}
	if c.Version > configVersion {
		return Config{}, fmt.Errorf("config file %s has version %d, written by a newer cxone-auth", path, c.Version)
	}
	c.Version = configVersion
	if c.Profiles == nil {
		c.Profiles = map[string]Meta{}
	}
	return c, nil
}

// jsonErrText describes a JSON error by position only (config holds no secret, but the
// habit is kept: no quoting of file content).
func jsonErrText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("wrong type for %q at byte %d", te.Field, te.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	}
	return "invalid JSON"
}

// writeConfig writes c to path atomically (writeAtomic: a synced unnamed or private file,
// renamed into place). The folder is made (or made again) 0700 and the file is 0600 on every
// write, so a folder or file someone loosened (a restore from a backup, a careless chmod)
// never stays readable by others. The temps a killed process left next to config.json (files
// or folders) are removed; every writer holds the config lock, so none of them is in use.
func writeConfig(path string, c Config) error {
	c.Version = configVersion
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	data = append(data, '\n')
	dir := filepath.Dir(path)
	if err := privateDir(dir); err != nil {
		return fmt.Errorf("config dir: %w", err)
	}
	removeConfigTemps(dir)
	if err := replaceFile(path, data); err != nil {
		return fmt.Errorf("write config %s: %w", path, err)
	}
	// The rename put a 0600 file in place; chmod too in case the file system kept the old
	// mode (some network file systems do).
	if err := tightenFile(path); err != nil {
		return fmt.Errorf("write config %s: %w", path, err)
	}
	return nil
}

// removeConfigTemps removes the temps of config.json (the writer's private folders, and the
// temp files of older versions) left by a process killed mid-write. Callers hold the config
// lock, which every writer of config.json holds.
func removeConfigTemps(dir string) {
	removeTemps(dir, func(base string) bool { return base == configFile }, nil)
}

// withConfigLock runs fn while holding the lock of the config folder (config.json.lock), so
// that read-modify-write cycles of concurrent processes never lose each other's changes. The
// folder is made private first; the lock file is never followed through a symbolic link.
func withConfigLock(dir string, fn func() error) error {
	if err := privateDir(dir); err != nil {
		return fmt.Errorf("config dir: %w", err)
	}
	return withLock(filepath.Join(dir, configFile+".lock"), fn)
}

// privateDir creates dir (and its parents) when missing and makes it 0700.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return tightenDir(dir)
}

// tightenDir makes an existing folder private (0700) where the OS has Unix permissions.
func tightenDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

// tightenFile makes an existing regular file private (0600) where the OS has Unix
// permissions. A symbolic link is left alone (chmod would change its target).
func tightenFile(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(path, 0o600)
	}
	return nil
}

// clone is a copy of c whose profile map can be changed without touching c's.
func (c Config) clone() Config {
	out := c
	out.Profiles = make(map[string]Meta, len(c.Profiles))
	for n, m := range c.Profiles {
		out.Profiles[n] = m
	}
	return out
}

// sameIdentity reports whether two entries name the same credentials: issuer, client ID and
// access key ID.
func (m Meta) sameIdentity(o Meta) bool {
	return m.Issuer == o.Issuer && m.ClientID == o.ClientID && m.AccessKeyID == o.AccessKeyID
}

// LooseConfigWarning returns one line for stderr when the config folder or config.json can be
// written by someone other than the user (group or other write permission, or another owner),
// else "". Commands that write the config tighten both; read-only commands (list, token,
// export, exec) say so instead, since such a file could have been changed by that someone.
func (s *Store) LooseConfigWarning() string {
	if runtime.GOOS == "windows" {
		return ""
	}
	dir := filepath.Dir(s.configPath)
	for _, p := range []struct{ path, what, fix string }{{dir, "config folder", "chmod 700"}, {s.configPath, "config file", "chmod 600"}} {
		fi, err := os.Lstat(p.path)
		if err != nil {
			continue
		}
		if fi.Mode().Perm()&0o022 != 0 || ownedByOther(fi) {
			return fmt.Sprintf("cxone-auth: warning: the %s %s can be written by others (mode %04o%s): its profile entries may have been changed; '%s %s' and check them",
				p.what, p.path, fi.Mode().Perm(), ownerNote(fi), p.fix, p.path)
		}
	}
	return ""
}

func ownerNote(fi fs.FileInfo) string {
	if ownedByOther(fi) {
		return ", another owner"
	}
	return ""
}

// fileKind names what a non-regular file is, for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}
