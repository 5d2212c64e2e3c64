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
	"time"
)

// configFile is the config's file name inside the config dir.
const configFile = "config.json"

// maxConfigSize bounds what is read from config.json; a real one is a few kilobytes.
const maxConfigSize = 4 << 20

// DefaultConfigDir is $XDG_CONFIG_HOME/cxone-auth, else ~/.config/cxone-auth. On every OS the
// XDG layout is used (as gh does), so documentation and scripts have one path to name.
func DefaultConfigDir() string {
	return filepath.Join(xdgDir("XDG_CONFIG_HOME", ".config"), serviceName)
}

// DefaultFileDir is the encrypted-file keyring's folder: $XDG_DATA_HOME/cxone-auth/keyring,
// else ~/.local/share/cxone-auth/keyring.
func DefaultFileDir() string {
	return filepath.Join(xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share")), serviceName, "keyring")
}

func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, fallback)
}

// readConfig reads path. A missing file is an empty config; a corrupt one is an error naming
// the file (never repaired or overwritten silently).
func readConfig(path string) (Config, error) {
	empty := Config{Version: configVersion, Profiles: map[string]Meta{}}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
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

// writeConfig writes c to path atomically (temp file, fsync, rename), mode 0600.
func writeConfig(path string, c Config) error {
	c.Version = configVersion
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create config dir: %w", err)
	}
	if err := replaceFile(path, data); err != nil {
		return fmt.Errorf("write config %s: %w", path, err)
	}
	return nil
}

// lockTimeout bounds the wait for another cxone-auth process holding the config lock.
var lockTimeout = 10 * time.Second

// withConfigLock runs fn while holding an exclusive lock on dir/config.json.lock, so that
// read-modify-write cycles of concurrent processes never lose each other's changes. The lock
// file is kept (deleting it would let two processes lock different inodes).
func withConfigLock(dir string, fn func() error) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create config dir: %w", err)
	}
	lockPath := filepath.Join(dir, configFile+".lock")
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open config lock: %w", err)
	}
	defer f.Close()
	deadline := time.Now().Add(lockTimeout)
	wait := time.Millisecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			return fmt.Errorf("lock %s: %w", lockPath, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lock %s: another cxone-auth process has held it for %s", lockPath, lockTimeout)
		}
		time.Sleep(wait) // polling a non-blocking lock keeps the wait bounded
		if wait < 50*time.Millisecond {
			wait *= 2
		}
	}
	defer unlock(f)
	return fn()
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
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}
