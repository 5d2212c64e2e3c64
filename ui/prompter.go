package ui

import (
	"bufio"
	"context"
	"cxone-auth/auth"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// ErrInputEnded is returned by a Prompter when its input ends before an answer (the wizard
// counts it as cancelled: nothing is saved).
var ErrInputEnded = errors.New("input ended before the setup was finished")

// Prompter asks the steps' questions line by line, for screen readers (--accessible): plain
// text, one question a line, no escape sequences, no animation.
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
	r   *bufio.Reader
	tty *os.File // the input when it is a real terminal
}

// NewPrompter reads answers from in and writes questions to out.
func NewPrompter(ctx context.Context, in io.Reader, out io.Writer) *Prompter {
	p := &Prompter{ctx: ctx, out: out, r: bufio.NewReader(in)}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = f
	}
	return p
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
	ch := make(chan lineResult, 1)
	restore := func() {}
	if p.tty != nil {
		fd := int(p.tty.Fd())
		if state, err := term.GetState(fd); err == nil {
			restore = func() { _ = term.Restore(fd, state) } // best effort on the way out
		}
		go func() {
			b, err := term.ReadPassword(fd)
			ch <- lineResult{string(b), err}
		}()
	} else {
		go func() {
			s, err := p.r.ReadString('\n')
			if errors.Is(err, io.EOF) && s != "" {
				err = nil
			}
			ch <- lineResult{s, err}
		}()
	}
	select {
	case <-p.ctx.Done():
		restore()
		fmt.Fprintln(p.out)
		return "", p.ctx.Err()
	case r := <-ch:
		if p.tty != nil {
			fmt.Fprintln(p.out) // the newline the terminal did not echo
		}
		if errors.Is(r.err, io.EOF) {
			return "", ErrInputEnded
		}
		if r.err != nil {
			return "", fmt.Errorf("read answer: %w", r.err)
		}
		// A tab between two pasted values is a separator, not something to drop.
		return auth.CleanInput(strings.ReplaceAll(r.s, "\t", " ")), nil
	}
}

// echo prints an accepted answer back on a terminal, where the typing was not shown.
func (p *Prompter) echo(s string) {
	if p.tty != nil && s != "" {
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
	if p.tty != nil {
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
