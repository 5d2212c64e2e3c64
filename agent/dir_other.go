//go:build !unix

package agent

// RuntimeDir is not available here.
func RuntimeDir(func(string) string, bool) (string, error) { return "", ErrUnsupported }

// SocketPath is not available here.
func SocketPath(func(string) string, string, bool) (string, error) { return "", ErrUnsupported }
