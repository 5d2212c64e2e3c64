package store

import (
	"errors"
	"fmt"
	"time"
)

// lockTimeout bounds the wait for another cxone-auth process (or goroutine) holding one of
// the store's locks. A holder never asks for a passphrase and makes at most a few keyring
// calls, each bounded by Options.Timeout, so the lock is normally held for milliseconds (one
// encryption of the file keyring, about 60 ms); a waiter that gives up says which lock it was.
var lockTimeout = 10 * time.Second

// errLockSymlink is the refusal of a lock file that is a symbolic link: someone who can write
// to the folder planted it, hoping that opening it creates or changes the file it points to.
var errLockSymlink = errors.New("the lock file is a symbolic link; refusing to follow it (remove it if you did not make it)")

// lockBusyHook, when set (tests only), is told the first time a lock attempt finds the lock
// held by someone else; tests use it to prove an operation waited for another.
var lockBusyHook func(path string)

// withLock runs fn while holding an exclusive lock on the file at path (created 0600 when
// missing, never through a symbolic link), so read-modify-write cycles of concurrent
// processes never lose each other's changes. The lock file is kept: deleting it would let two
// processes lock different inodes. Waiting is bounded by lockTimeout.
func withLock(path string, fn func() error) error {
	f, err := openLockFile(path)
	if err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("lock %s: not a regular file; move it away", path)
	}
	deadline := time.Now().Add(lockTimeout)
	wait := time.Millisecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			return fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			break
		}
		if wait == time.Millisecond && lockBusyHook != nil {
			lockBusyHook(path)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lock %s: another cxone-auth process has held it for %s", path, lockTimeout)
		}
		time.Sleep(wait) // polling a non-blocking lock keeps the wait bounded
		if wait < 50*time.Millisecond {
			wait *= 2
		}
	}
	defer unlock(f)
	return fn()
}
