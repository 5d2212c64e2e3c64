package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams are the process's standard streams with terminal checks that tests can override,
// after the GitHub CLI's iostreams: every prompt (the passphrase, remove's y/N) reads through
// here, so every prompt can be tested without a real terminal.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY *bool // nil: ask the stream
	lines                          *bufio.Reader
}

// System returns the streams of the process.
func System() *IOStreams { return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr} }

// SetStdinTTY overrides the terminal check of stdin.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = &v }

// SetStdoutTTY overrides the terminal check of stdout.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = &v }

// SetStderrTTY overrides the terminal check of stderr.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = &v }

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return isTTY(s.stdinTTY, s.In) }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return isTTY(s.stdoutTTY, s.Out) }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return isTTY(s.stderrTTY, s.ErrOut) }

// Interactive reports whether a person sits at stdin and stdout (the wizard and the profiles
// screen need both).
func (s *IOStreams) Interactive() bool { return s.IsStdinTTY() && s.IsStdoutTTY() }

func isTTY(override *bool, v any) bool {
	if override != nil {
		return *override
	}
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// realTerminalIn returns stdin's file descriptor when it is a real terminal (not an override).
func (s *IOStreams) realTerminalIn() (int, bool) {
	f, ok := s.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// reader buffers stdin once, so answers typed ahead are never lost between two prompts.
func (s *IOStreams) reader() *bufio.Reader {
	if s.lines == nil {
		s.lines = bufio.NewReader(s.In)
	}
	return s.lines
}

// ReadSecret asks for a secret on stderr. On a real terminal the typing is not echoed and the
// terminal is put back if ctx ends mid-read; on a stdin that only claims to be a terminal
// (tests) a line is read.
func (s *IOStreams) ReadSecret(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(s.ErrOut, prompt)
	type res struct {
		v   string
		err error
	}
	ch := make(chan res, 1)
	restore := func() {}
	if fd, ok := s.realTerminalIn(); ok {
		state, err := term.GetState(fd)
		if err == nil {
			restore = func() { _ = term.Restore(fd, state) } // best effort: we are leaving anyway
		}
		go func() {
			b, err := term.ReadPassword(fd)
			ch <- res{string(b), err}
		}()
	} else {
		go func() {
			line, err := s.reader().ReadString('\n')
			if errors.Is(err, io.EOF) && line != "" {
				err = nil
			}
			ch <- res{strings.TrimRight(line, "\r\n"), err}
		}()
	}
	select {
	case r := <-ch:
		fmt.Fprintln(s.ErrOut)
		if r.err != nil {
			return "", fmt.Errorf("read the answer: %w", r.err)
		}
		return r.v, nil
	case <-ctx.Done():
		restore()
		fmt.Fprintln(s.ErrOut)
		return "", ctx.Err()
	}
}

// Confirm asks a y/N question on stderr; anything but y or yes (or the end of input) is no.
func (s *IOStreams) Confirm(ctx context.Context, question string) (bool, error) {
	fmt.Fprintf(s.ErrOut, "%s [y/N] ", question)
	ch := make(chan string, 1)
	go func() {
		line, _ := s.reader().ReadString('\n')
		ch <- line
	}()
	select {
	case line := <-ch:
		if !strings.HasSuffix(line, "\n") {
			fmt.Fprintln(s.ErrOut)
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return true, nil
		}
		return false, nil
	case <-ctx.Done():
		fmt.Fprintln(s.ErrOut)
		return false, ctx.Err()
	}
}
