//go:build linux || darwin

package ui

import (
	"context"
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// readTerminal reads one line from a real terminal, the echo off when masked, and stops
// reading the moment ctx ends: it waits for input with poll(2) in short slices and reads only
// what poll says is there. A read left blocked in the background after Ctrl+C would keep
// taking the terminal's input: the line typed next at the shell, or the answer to a query the
// terminal is sent on the way out (the error printer asks for the background colour), which
// hangs the process until a line is typed. The terminal is in canonical mode, so poll reports
// input only once a whole line (or the end of input) is there, and the kernel does the line
// editing.
func readTerminal(ctx context.Context, f *os.File, masked bool) (string, error) {
	fd := int(f.Fd())
	if masked {
		old, err := unix.IoctlGetTermios(fd, termiosGet)
		if err != nil {
			return "", err
		}
		t := *old
		t.Lflag &^= unix.ECHO
		t.Lflag |= unix.ICANON | unix.ISIG
		t.Iflag |= unix.ICRNL
		if err := unix.IoctlSetTermios(fd, termiosSet, &t); err != nil {
			return "", err
		}
		defer func() { _ = unix.IoctlSetTermios(fd, termiosSet, old) }() // best effort on the way out
	}
	var line []byte
	var b [1]byte
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := unix.Poll(fds, 50)
		if errors.Is(err, unix.EINTR) || (err == nil && n == 0) {
			continue
		}
		if err != nil {
			return "", err
		}
		n, err = unix.Read(fd, b[:])
		switch {
		case errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN):
			continue
		case err != nil:
			return "", err
		case n == 0: // the end of input (Ctrl+D on an empty line, or the terminal went away)
			if len(line) > 0 {
				return string(line), nil
			}
			return "", io.EOF
		case b[0] == '\n':
			return string(line), nil
		case len(line) >= MaxLineBytes:
			return "", ErrLineTooLong
		}
		line = append(line, b[0])
	}
}
