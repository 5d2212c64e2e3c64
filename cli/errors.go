package cli

import (
	"context"
	"errors"
	"fmt"

	"cxone-auth/auth"
	"cxone-auth/steps"
	"cxone-auth/store"
)

// Exit codes: what scripts can rely on (the README lists them).
const (
	exitOK        = 0
	exitFailure   = 1
	exitUsage     = 2
	exitRejected  = 3
	exitNotFound  = 4
	exitCannotRun = 127 // exec: the command could not be started, as env(1) says
	exitCancelled = 130
)

// exitError carries an explicit exit code. silent means the command already told the user
// (a check report, a child's own exit status); hint is a line of advice printed after the
// message.
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

// silentExit ends the command with code after it has reported everything itself.
func silentExit(code int) error { return &exitError{code: code, silent: true} }

// exitCode is the one place that maps errors to exit codes.
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

// errorText is the message printed for err. Errors quote servers, files and the environment,
// so the message goes through the one display sanitiser.
func errorText(err error) string { return auth.Sanitize(err.Error()) }
