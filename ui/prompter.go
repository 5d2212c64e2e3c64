package ui

import (
	"bufio"
	"context"
	"cxone-auth/internal/textclean"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/term"
)

// ErrInputEnded is returned by a Prompter when its input ends before an answer (the wizard
// counts it as cancelled: nothing is saved).
var ErrInputEnded = errors.New("input ended before the setup was finished")

// MaxLineBytes bounds one answer line: no value the prompts ask for is longer (an access key
// secret is at most auth.MaxValueLen runes), and a piped input with no newline must not be
// buffered whole.
const MaxLineBytes = 64 << 10

// ErrLineTooLong is an answer line over MaxLineBytes; it is not read further.
var ErrLineTooLong = fmt.Errorf("the answer is longer than %d KiB", MaxLineBytes>>10)

// Input is the one reader of answers over one source (stdin, or the controlling terminal).
// Every prompt that reads that source reads through the same Input (the accessible line
// prompts, the keyring passphrase, remove's y/N), so answers typed or piped ahead are never
// lost between two prompts, whichever of them asks. On a real terminal nothing is buffered:
// a line is read byte by byte, or with the echo off for a masked answer.
type Input struct {
	src io.Reader
	tty *os.File // src, when it is a real terminal
	mu  sync.Mutex
	r   *bufio.Reader // over src, when it is not a terminal
}

// NewInput returns the Input over in; an Input given is returned as it is, so the reader
// handed down to the line prompts can be the caller's own Input.
func NewInput(in io.Reader) *Input {
	if i, ok := in.(*Input); ok {
		return i
	}
	i := &Input{src: in}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		i.tty = f
	} else {
		i.r = bufio.NewReader(in)
	}
	return i
}

// Terminal reports whether the input is a real terminal (where the echo can be turned off).
func (i *Input) Terminal() bool { return i.tty != nil }

// Read implements io.Reader, so an Input can be handed where a reader is expected; it reads
// what the prompts did not.
func (i *Input) Read(b []byte) (int, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.tty != nil {
		return i.tty.Read(b)
	}
	return i.r.Read(b)
}

// ReadLine reads one line, without its line ending. On a real terminal a masked read turns the
// echo off (and puts the terminal back when ctx ends mid-read). It returns io.EOF when the
// input ended before anything was typed; a last line without a newline is an answer.
func (i *Input) ReadLine(ctx context.Context, masked bool) (string, error) {
	if i.tty != nil {
		return i.readTerminal(ctx, masked)
	}
	ch := make(chan lineResult, 1)
	go func() {
		i.mu.Lock()
		defer i.mu.Unlock()
		s, err := readLimitedLine(i.r)
		if errors.Is(err, io.EOF) && s != "" {
			err = nil
		}
		ch <- lineResult{strings.TrimRight(s, "\r\n"), err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-ch:
		return r.s, r.err
	}
}

// readLimitedLine is r.ReadString('\n') that stops with ErrLineTooLong once the line holds
// more than MaxLineBytes, having read at most one buffer more.
func readLimitedLine(r *bufio.Reader) (string, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(line)+len(frag) > MaxLineBytes {
			return "", ErrLineTooLong
		}
		line = append(line, frag...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return string(line), err
	}
}

// Prompter asks the steps' questions line by line, for screen readers (--accessible): plain
// text, one question a line, no escape sequences, no animation. The command line's own
// questions (the keyring passphrase, y/N) are asked by it too (Passphrase, Confirm).
//
// On a real terminal every answer is read with the terminal's echo off, and only what was
// accepted is printed back (never a secret, never a menu answer that was not a choice), so a
// secret pasted into the wrong prompt never shows. Reads run in a goroutine, so a cancelled
// context (Ctrl+C) ends a prompt that is waiting, and the terminal is put back as it was.
//
// It is hand-written rather than huh's accessible fields: those create a new line scanner per
// prompt (answers typed or piped ahead are lost between two prompts), return the default when
// the input ends instead of an error, cannot be cancelled, and echo what is typed into a menu.
type Prompter struct {
	ctx context.Context
	out io.Writer
	in  *Input
	tty bool // the input is a real terminal
}

// NewPrompter reads answers from in (an *Input is used as it is, so every prompt of a run
// shares one reader) and writes questions to out.
func NewPrompter(ctx context.Context, in io.Reader, out io.Writer) *Prompter {
	i := NewInput(in)
	return &Prompter{ctx: ctx, out: out, in: i, tty: i.Terminal()}
}

// Say prints a line of text (format with fmt's verbs).
func (p *Prompter) Say(format string, a ...any) {
	fmt.Fprintf(p.out, format+"\n", a...)
}

// Heading starts a step: a blank line, then "Step 2 of 8: Register an application".
func (p *Prompter) Heading(n, total int, title string) {
	p.Say("")
	if total > 0 {
		p.Say("Step %d of %d: %s", n, total, title)
		return
	}
	p.Say("%s", title)
}

type lineResult struct {
	s   string
	err error
}

// read reads one answer; on a terminal without echo. The answer is cleaned of control
// characters and surrounding space.
func (p *Prompter) read() (string, error) {
	s, err := p.in.ReadLine(p.ctx, true)
	if p.ctx.Err() != nil && err != nil {
		fmt.Fprintln(p.out)
		return "", p.ctx.Err()
	}
	if p.tty {
		fmt.Fprintln(p.out) // the newline the terminal did not echo
	}
	if errors.Is(err, io.EOF) {
		return "", ErrInputEnded
	}
	if err != nil {
		return "", fmt.Errorf("read answer: %w", err)
	}
	// A tab between two pasted values is a separator, not something to drop.
	return textclean.CleanInput(strings.ReplaceAll(s, "\t", " ")), nil
}

// Passphrase asks for a passphrase (prompt is printed as it is): masked on a terminal, and
// returned exactly as typed but for the line ending (a passphrase is not cleaned: a space in
// it is part of it). A line ends the prompt in any case, so the next message starts on its own.
func (p *Prompter) Passphrase(prompt string) (string, error) {
	fmt.Fprint(p.out, prompt)
	s, err := p.in.ReadLine(p.ctx, true)
	fmt.Fprintln(p.out)
	if err != nil {
		if p.ctx.Err() != nil {
			return "", p.ctx.Err()
		}
		return "", fmt.Errorf("read the answer: %w", err)
	}
	return s, nil
}

// Line asks for a value that is not secret, shown as it is typed (prompt is printed as it
// is); the answer is cleaned of control characters.
func (p *Prompter) Line(prompt string) (string, error) {
	fmt.Fprint(p.out, prompt)
	s, err := p.in.ReadLine(p.ctx, false)
	if err != nil {
		fmt.Fprintln(p.out)
		if p.ctx.Err() != nil {
			return "", p.ctx.Err()
		}
		return "", fmt.Errorf("read the answer: %w", err)
	}
	return textclean.CleanInput(s), nil
}

// Confirm asks a y/N question whose answer is no unless it is y or yes; the end of the input
// is no as well. The typing is shown: a y/N answer is not secret.
func (p *Prompter) Confirm(question string) (bool, error) {
	fmt.Fprintf(p.out, "%s [y/N] ", question)
	s, err := p.in.ReadLine(p.ctx, false)
	if err != nil && p.ctx.Err() != nil {
		fmt.Fprintln(p.out)
		return false, p.ctx.Err()
	}
	if err != nil && !p.tty {
		fmt.Fprintln(p.out) // the input ended on the prompt's line
	}
	switch strings.ToLower(strings.TrimSpace(textclean.CleanInput(s))) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// echo prints an accepted answer back on a terminal, where the typing was not shown.
func (p *Prompter) echo(s string) {
	if p.tty && s != "" {
		p.Say("  %s", s)
	}
}

// Text asks for a value that is not secret. An empty answer gives def. check (may be nil)
// refuses an answer with a message; a refused answer is never printed back.
func (p *Prompter) Text(question, def string, check func(string) error) (string, error) {
	for {
		s, err := p.Ask(question, def)
		if err != nil {
			return "", err
		}
		if check != nil {
			if err := check(s); err != nil {
				p.Say("Error: %s.", strings.TrimSuffix(err.Error(), "."))
				continue
			}
		}
		p.echo(s)
		return s, nil
	}
}

// Ask asks a question and returns the answer (def when empty) without printing it back: the
// caller decides what of it may be shown (Echo).
func (p *Prompter) Ask(question, def string) (string, error) {
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", question)
	}
	s, err := p.read()
	if s == "" {
		s = def
	}
	return s, err
}

// Echo prints an accepted answer back where the terminal did not show the typing.
func (p *Prompter) Echo(s string) { p.echo(s) }

// Secret asks for a secret; nothing of it is ever printed. keep says that an empty answer
// keeps the value already known (the caller decides what that is).
func (p *Prompter) Secret(question string, keep bool) (string, error) {
	if keep {
		question += " (press enter to keep the current one)"
	}
	if p.tty {
		question += " (typing is not shown)"
	}
	fmt.Fprintf(p.out, "%s: ", question)
	return p.read()
}

// Choose lists options numbered from 1 and returns the index picked; enter picks def.
func (p *Prompter) Choose(question string, options []string, def int) (int, error) {
	p.Say("%s", question)
	for i, o := range options {
		mark := ""
		if i == def {
			mark = " (default)"
		}
		p.Say("  %d. %s%s", i+1, o, mark)
	}
	for {
		fmt.Fprintf(p.out, "Number [%d]: ", def+1)
		s, err := p.read()
		if err != nil {
			return 0, err
		}
		if s == "" {
			p.echo(strconv.Itoa(def + 1))
			return def, nil
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(options) {
			p.echo(s)
			return n - 1, nil
		}
		p.Say("Please enter a number from 1 to %d.", len(options))
	}
}

// YesNo asks a yes/no question; enter gives def.
func (p *Prompter) YesNo(question string, def bool) (bool, error) {
	d := "y/N"
	if def {
		d = "Y/n"
	}
	for {
		fmt.Fprintf(p.out, "%s [%s]: ", question, d)
		s, err := p.read()
		if err != nil {
			return false, err
		}
		switch strings.ToLower(s) {
		case "":
			p.echo(map[bool]string{true: "yes", false: "no"}[def])
			return def, nil
		case "y", "yes":
			p.echo("yes")
			return true, nil
		case "n", "no":
			p.echo("no")
			return false, nil
		}
		p.Say("Please answer y or n.")
	}
}
