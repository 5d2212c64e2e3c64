// Command cxone-auth takes a person from "I need to call the NICE CXone APIs" to working,
// verified, safely stored credentials, and keeps them working: an interactive wizard (setup),
// live re-validation (check), and the everyday commands that hand the credentials to other
// programs (export, token, exec). See README.md and SPEC.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"cxone-auth/auth"
	"cxone-auth/steps"
	"cxone-auth/store"
)

// Exit codes of SPEC section 4.
const (
	exitOK        = 0
	exitFailure   = 1
	exitUsage     = 2
	exitRejected  = 3
	exitNotFound  = 4
	exitCancelled = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}

// stdio is the process's standard streams, injectable for tests.
type stdio struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// run executes one command line and returns the exit code. Every error reaches the user
// through here, once, on stderr.
func run(ctx context.Context, args []string, io stdio, getenv func(string) string) int {
	cmd := newRootCmd(ctx, io, getenv)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ex *exitError
	if errors.As(err, &ex) && ex.silent {
		return ex.code
	}
	code := exitCode(err)
	if code == exitCancelled {
		fmt.Fprintln(io.err, "cxone-auth: cancelled")
		return code
	}
	fmt.Fprintln(io.err, "cxone-auth: "+errorText(err))
	if code == exitUsage {
		if hint := usageHint(err); hint != "" {
			fmt.Fprintln(io.err, hint)
		}
	}
	return code
}

// exitError carries an explicit exit code. silent means the command already told the user
// (a check report, a child's own exit status).
type exitError struct {
	code   int
	err    error
	silent bool
	hint   string
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// usageError marks a bad flag, argument or profile name (exit 2).
func usageError(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// usageErrorHint is a usageError with a line of advice printed after it.
func usageErrorHint(hint, format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...), hint: hint}
}

func usageHint(err error) string {
	var ex *exitError
	if errors.As(err, &ex) && ex.hint != "" {
		return ex.hint
	}
	return "Run 'cxone-auth --help' for usage."
}

// exitCode is the one place that maps errors to SPEC section 4's exit codes.
func exitCode(err error) int {
	var ex *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ex):
		return ex.code
	case errors.Is(err, steps.ErrCancelled), errors.Is(err, context.Canceled):
		return exitCancelled
	case errors.Is(err, store.ErrNotFound):
		return exitNotFound
	}
	if k := auth.KindOf(err); k.Rejected() {
		return exitRejected
	}
	return exitFailure
}

// profileNotFound names the missing profile and what to do about it.
type profileNotFound struct{ name string }

func (e *profileNotFound) Error() string {
	return fmt.Sprintf("no profile %q: run 'cxone-auth setup --profile %s' to create it, or 'cxone-auth list' to see what exists", e.name, e.name)
}
func (e *profileNotFound) Unwrap() error { return store.ErrNotFound }

// errorText is the message printed for err; errors from CXone are already sanitised by auth.
func errorText(err error) string {
	return auth.Sanitize(err.Error())
}
