//go:build !(linux || darwin)

package agent

import (
	"context"
	"time"
)

// Supported reports whether this build has the agent.
const Supported = false

// ErrNoAgent reports that no agent listens for the keyring folder.
var ErrNoAgent = ErrUnsupported

// Config is what an agent serves.
type Config struct {
	Socket   string
	Dir      string
	Header   []byte
	Key      []byte
	Deadline time.Time
	Ready    func()
	Done     <-chan struct{}
}

// Serve is not available here.
func Serve(Config) error { return ErrUnsupported }

// Get is not available here.
func Get(context.Context, string, string, []byte) ([]byte, error) { return nil, ErrUnsupported }

// Ping is not available here.
func Ping(context.Context, string) (string, time.Time, error) { return "", time.Time{}, ErrUnsupported }

// Extend is not available here.
func Extend(context.Context, string, time.Time) error { return ErrUnsupported }

// Lock is not available here.
func Lock(context.Context, string) error { return ErrUnsupported }

// Sockets lists nothing here.
func Sockets(string) []string { return nil }
