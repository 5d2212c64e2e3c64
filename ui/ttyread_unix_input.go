//go:build linux || darwin

package ui

import (
	"context"
	"strings"
)

// readTerminal reads a line of the terminal through the polled read, which ends the moment
// ctx does (ttyread_unix.go).
func (i *Input) readTerminal(ctx context.Context, masked bool) (string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	s, err := readTerminal(ctx, i.tty, masked)
	return strings.TrimRight(s, "\r"), err
}
