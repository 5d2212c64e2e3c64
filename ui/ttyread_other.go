//go:build !(linux || darwin)

package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// readTerminal reads a line of the terminal in a goroutine, the echo off when masked; a
// cancelled ctx returns at once and puts the terminal back, while the read itself finishes
// with the next line (these systems have no polled read here: ttyread_unix.go).
func (i *Input) readTerminal(ctx context.Context, masked bool) (string, error) {
	ch := make(chan lineResult, 1)
	restore := func() {}
	if masked {
		fd := int(i.tty.Fd())
		if state, err := term.GetState(fd); err == nil {
			restore = func() { _ = term.Restore(fd, state) } // best effort on the way out
		}
	}
	go func() {
		i.mu.Lock()
		defer i.mu.Unlock()
		var s string
		var err error
		if masked {
			var b []byte
			b, err = term.ReadPassword(int(i.tty.Fd()))
			s = string(b)
		} else {
			s, err = readTTYLine(i.tty)
		}
		if errors.Is(err, io.EOF) && s != "" {
			err = nil
		}
		ch <- lineResult{strings.TrimRight(s, "\r\n"), err}
	}()
	select {
	case <-ctx.Done():
		restore()
		return "", ctx.Err()
	case r := <-ch:
		return r.s, r.err
	}
}

// readTTYLine reads a line from a terminal one byte at a time, so nothing after the line is
// taken from the terminal.
func readTTYLine(f *os.File) (string, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := f.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				return string(line), nil
			}
			if len(line) >= MaxLineBytes {
				return "", ErrLineTooLong
			}
			line = append(line, b[0])
		}
		if err != nil {
			return string(line), err
		}
	}
}
