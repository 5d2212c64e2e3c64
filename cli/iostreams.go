package cli

import (
	"context"
	"io"
	"os"
	"sync"

	"golang.org/x/term"

	"cxone-auth/ui"
)

// IOStreams are the process's standard streams with terminal checks that tests can override,
// after the GitHub CLI's iostreams: every prompt (the passphrase, remove's y/N) reads through
// here, so every prompt can be tested without a real terminal. Prompts go to the controlling
// terminal when there is one (docs/prompts.md).
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY *bool // nil: ask the stream

	inMu  sync.Mutex
	lines *ui.Input // the one reader of stdin's answers (LineInput)

	// openTTY opens the controlling terminal for prompts (System: /dev/tty; tests: nil, or a
	// pseudo-terminal of their own).
	openTTY func() (*os.File, error)
	ttyOnce sync.Once
	tty     *os.File
	ttyIn   *ui.Input
}

// System returns the streams of the process.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, openTTY: openControllingTerminal}
}

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

// promptTerminal is where prompts go: the controlling terminal, opened once, as ssh and sudo
// do, so a prompt shows and works whatever stdin and stderr are (x=$(cxone-auth token
// 2>/dev/null)); nil when the process has none.
func (s *IOStreams) promptTerminal() *os.File {
	s.ttyOnce.Do(func() {
		if s.openTTY == nil {
			return
		}
		if f, err := s.openTTY(); err == nil {
			if term.IsTerminal(int(f.Fd())) {
				s.tty = f
				s.ttyIn = ui.NewInput(f)
			} else {
				_ = f.Close() // not a terminal after all: it cannot ask
			}
		}
	})
	return s.tty
}

// openControllingTerminal opens /dev/tty, the process's controlling terminal.
func openControllingTerminal() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }

// LineInput is the one reader of stdin's answers, shared by every prompt that reads stdin
// (the accessible line prompts, and the passphrase and y/N when there is no controlling
// terminal), so answers typed ahead are never lost between two prompts.
func (s *IOStreams) LineInput() *ui.Input {
	s.inMu.Lock()
	defer s.inMu.Unlock()
	if s.lines == nil {
		s.lines = ui.NewInput(s.In)
	}
	return s.lines
}

// CanPrompt reports whether a person can be asked: there is a controlling terminal, or stdin
// is a terminal.
func (s *IOStreams) CanPrompt() bool { return s.promptTerminal() != nil || s.IsStdinTTY() }

// prompter is the one prompter of the command line's own questions: on the controlling
// terminal when there is one, else on stdin and stderr.
func (s *IOStreams) prompter(ctx context.Context) *ui.Prompter {
	if t := s.promptTerminal(); t != nil {
		return ui.NewPrompter(ctx, s.ttyIn, t)
	}
	return ui.NewPrompter(ctx, s.LineInput(), s.ErrOut)
}

// PromptOut is where the prompts' messages go (the retry message of a wrong passphrase): the
// controlling terminal when there is one, else stderr.
func (s *IOStreams) PromptOut() io.Writer {
	if t := s.promptTerminal(); t != nil {
		return t
	}
	return s.ErrOut
}

// ReadSecret asks for a secret, masked on a terminal (the terminal is put back if ctx ends
// mid-read); prompt is printed as it is.
func (s *IOStreams) ReadSecret(ctx context.Context, prompt string) (string, error) {
	return s.prompter(ctx).Passphrase(prompt)
}

// ReadLine asks for a value that is not secret, shown as typed, where the other prompts go.
func (s *IOStreams) ReadLine(ctx context.Context, prompt string) (string, error) {
	return s.prompter(ctx).Line(prompt)
}

// Confirm asks a y/N question; anything but y or yes (or the end of input) is no.
func (s *IOStreams) Confirm(ctx context.Context, question string) (bool, error) {
	return s.prompter(ctx).Confirm(question)
}
