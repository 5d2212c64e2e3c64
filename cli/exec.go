package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// ExecOptions are the parsed options of `exec`.
type ExecOptions struct {
	F           *Factory
	Args        []string
	WithSecrets bool
	TokenOnly   bool // the old name of the default; accepted, changes nothing
	Fresh       bool
	Refresh     bool
	Creds       credentialSource
}

func newExecCmd(f *Factory, runF func(context.Context, *ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{F: f}
	cmd := &cobra.Command{
		Use:   "exec -- CMD [ARG...]",
		Short: "Run a command with the credentials",
		Long: `Exec runs CMD with an access token (CXONE_ACCESS_TOKEN, CXONE_ACCESS_TOKEN_EXPIRES_AT: the cached token while it has 5 minutes left), the profile's non-secret CXONE_* variables and CXONE_PROFILE in its environment, and exits with CMD's exit status (127 when CMD cannot be started, 128+N when it is killed by signal N). Signals sent to cxone-auth are passed on to CMD; if cxone-auth is killed, CMD is killed too (Linux).

CMD gets no other CXONE_* variable of this environment: in particular never CXONE_KEYRING_PASSPHRASE, which opens every profile. --with-secrets adds the two secrets (CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_SECRET) for programs that get their own tokens; --token-only, the old name of the default, is still accepted.

--refresh is for commands that outlive a token: exec stays as CMD's parent and CXONE_ACCESS_TOKEN_FILE names a file (mode 0600, in a private folder under $XDG_RUNTIME_DIR, else the temp folder) that holds only the current token and is replaced atomically with a new one before it has 5 minutes left; CMD re-reads it when it needs a token. A failed renewal is retried with backoff and reported on stderr (the old token stays until it expires). The folder is removed when CMD ends, however it ends.

--from-env or --env-file FILE (- = stdin) takes the four CXONE_* credentials from there instead of a stored profile: the token is requested live and nothing is read from or written to the keyring or the config.`,
		Example: `  cxone-auth exec -- ./my-integration --dry-run
  cxone-auth exec --with-secrets --profile staging -- env
  cxone-auth exec --refresh -- ./long-running-sync`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorHint(helpHint(cmd), "exec needs a command: cxone-auth exec -- CMD [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			opts.Creds.read(cmd)
			if opts.WithSecrets && opts.TokenOnly {
				return usageErrorHint(helpHint(cmd), "--with-secrets and --token-only contradict each other: give one of them")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return execRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&opts.WithSecrets, "with-secrets", false, "add the two secrets to CMD's environment")
	cmd.Flags().BoolVar(&opts.TokenOnly, "token-only", false, "the default, no secrets (the old name, accepted)")
	cmd.Flags().BoolVar(&opts.Fresh, "fresh", false, "a new token, not the cached one")
	cmd.Flags().BoolVar(&opts.Refresh, "refresh", false, "keep a token file (CXONE_ACCESS_TOKEN_FILE) fresh")
	opts.Creds.addFlags(cmd)
	return cmd
}

func execRun(ctx context.Context, o *ExecOptions) error {
	f := o.F
	p, err := f.tokenFor(ctx, &o.Creds, o.Fresh)
	if err != nil {
		return err
	}
	vals := exportValues(p.sec, p.token)
	if !o.WithSecrets {
		vals.ClientSecret, vals.AccessKeySecret = "", ""
	}
	extra := vals.Vars()
	switch {
	case !p.stateless:
		extra = append(extra, [2]string{"CXONE_PROFILE", f.ProfileName()})
	case f.Settings.ProfileSet:
		extra = append(extra, [2]string{"CXONE_PROFILE", f.Settings.Profile})
	}
	if o.Refresh {
		return f.runRefreshing(ctx, o.Args, extra, p)
	}
	return f.runChild(o.Args, f.Env.ChildEnviron(extra...))
}

// runChild runs the command with env and passes its exit status through.
func (f *Factory) runChild(args, env []string) error { return f.runChildTo(args, env, f.IO.ErrOut) }

// runChildTo is runChild with the child's stderr (and exec's own messages) going to errOut.
func (f *Factory) runChildTo(args, env []string, errOut io.Writer) error {
	path, err := lookPath(args[0], env)
	if err != nil {
		fmt.Fprintf(errOut, "cxone-auth: exec: %s: %v\n", args[0], errors.Unwrap(err))
		return silentExit(exitCannotRun)
	}
	child := exec.Command(path, args[1:]...)
	child.Stdin, child.Stdout, child.Stderr = f.IO.In, f.IO.Out, errOut
	child.Env = env

	// Forward signals: every one this process can catch but SIGCHLD and SIGURG (the runtime's
	// own), so a supervisor's USR1 or a resize reaches CMD as if it were CMD's. SIGINT from a
	// terminal's Ctrl+C already reaches the child (it is in the terminal's foreground process
	// group), so it is forwarded only when stdin is not a terminal, where it must have been sent
	// to us alone (kill, a supervisor). Our own SIGINT handler (main's signal context) keeps
	// Ctrl+C from ending us before the child: we wait. The choice per signal is in
	// exec_unix.go and exec_windows.go; on Linux the child is also killed if we are (Pdeathsig).
	ch := make(chan os.Signal, 16)
	notifyForward(ch)
	defer signal.Stop(ch)
	waited, err := launch(child)
	if err != nil {
		fmt.Fprintf(errOut, "cxone-auth: exec: %s: %v\n", args[0], err)
		return silentExit(exitCannotRun)
	}
	tty := f.IO.IsStdinTTY()
wait:
	for {
		select {
		case s := <-ch:
			if forwardable(s, tty) {
				_ = child.Process.Signal(s) // the child may have exited already
			}
			afterForward(s)
		case err = <-waited:
			break wait
		}
	}
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return silentExit(128 + int(ws.Signal()))
		}
		return silentExit(ee.ExitCode())
	}
	return fmt.Errorf("exec %s: %w", args[0], err)
}

// launch starts c and returns the channel its Wait result arrives on. Where the child is to
// die with us (Pdeathsig, Linux), the kernel ties that to the thread that started it, not to
// the process: the start and the wait run on one locked thread, kept until the child is gone,
// so a Go scheduler that retires the thread cannot kill the child early.
func launch(c *exec.Cmd) (<-chan error, error) {
	setDeathSignal(c)
	started, waited := make(chan error, 1), make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := c.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		waited <- c.Wait()
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return waited, nil
}

// lookPath finds file in the PATH of env (the environment the child gets), as a shell would.
func lookPath(file string, env []string) (string, error) {
	if strings.ContainsRune(file, filepath.Separator) || strings.ContainsRune(file, '/') || runtime.GOOS == "windows" {
		return exec.LookPath(file)
	}
	path := NewEnv(env).Getenv("PATH")
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		if p, err := exec.LookPath(filepath.Join(dir, file)); err == nil {
			return p, nil
		}
	}
	return "", &exec.Error{Name: file, Err: exec.ErrNotFound}
}
