package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"cxone-auth/store"
)

// fdOf returns the file descriptor behind a stream when it is an *os.File.
func fdOf(v any) (int, bool) {
	if f, ok := v.(*os.File); ok {
		return int(f.Fd()), true
	}
	return 0, false
}

// isTerminal reports whether the stream is a terminal.
func isTerminal(v any) bool {
	fd, ok := fdOf(v)
	return ok && term.IsTerminal(fd)
}

// interactive reports whether both stdin and stdout are terminals (SPEC section 1).
func (a *app) interactive() bool {
	return isTerminal(a.io.in) && isTerminal(a.io.out)
}

// errNoTerminal is returned when a passphrase is needed but nothing can ask for it.
var errNoTerminal = errors.New("the encrypted-file keyring needs its passphrase: set CXONE_KEYRING_PASSPHRASE or run on a terminal")

// passphrasePrompt asks for the file keyring's passphrase on the terminal, masked, on stderr.
// The store reads CXONE_KEYRING_PASSPHRASE through the app's view of the environment (which
// tests replace) before asking; it is consulted here too, so both agree.
func (a *app) passphrasePrompt() store.PassphraseFunc {
	return func(ctx context.Context, prompt string, confirm bool) (string, error) {
		if p := a.getenv("CXONE_KEYRING_PASSPHRASE"); p != "" {
			return p, nil
		}
		fd, ok := fdOf(a.io.in)
		if !ok || !term.IsTerminal(fd) {
			return "", errNoTerminal
		}
		read := func(p string) (string, error) {
			fmt.Fprint(a.io.err, p)
			type res struct {
				b   []byte
				err error
			}
			// ReadPassword turns echo off; if Ctrl+C cancels us mid-read, put the terminal back.
			state, serr := term.GetState(fd)
			ch := make(chan res, 1)
			go func() {
				b, err := term.ReadPassword(fd)
				ch <- res{b, err}
			}()
			select {
			case r := <-ch:
				fmt.Fprintln(a.io.err)
				if r.err != nil {
					return "", fmt.Errorf("read passphrase: %w", r.err)
				}
				return string(r.b), nil
			case <-ctx.Done():
				if serr == nil {
					_ = term.Restore(fd, state) // best effort: we are leaving anyway
				}
				fmt.Fprintln(a.io.err)
				return "", ctx.Err()
			}
		}
		if prompt == "" {
			prompt = "Keyring passphrase"
		}
		p1, err := read(prompt + ": ")
		if err != nil {
			return "", err
		}
		if !confirm {
			return p1, nil
		}
		if p1 == "" {
			return "", errors.New("an empty passphrase is not allowed for a new keyring")
		}
		p2, err := read("Repeat the passphrase: ")
		if err != nil {
			return "", err
		}
		if p1 != p2 {
			return "", errors.New("the two passphrases differ")
		}
		return p1, nil
	}
}

// confirm asks a y/N question on the terminal; anything but y or yes is no.
func (a *app) confirm(question string) (bool, error) {
	fmt.Fprintf(a.io.err, "%s [y/N] ", question)
	line, err := bufio.NewReader(a.io.in).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(a.io.err)
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
