package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/agent"
	"cxone-auth/store"
)

// UnlockOptions are the parsed options of `unlock`.
type UnlockOptions struct {
	F   *Factory
	For time.Duration
}

func newUnlockCmd(f *Factory, runF func(context.Context, *UnlockOptions) error) *cobra.Command {
	opts := &UnlockOptions{F: f}
	cmd := &cobra.Command{
		Use:   "unlock",
		Short: "Keep the file keyring unlocked for a while",
		Long: `Unlock asks for the encrypted-file keyring's passphrase once and hands the keyring's derived key (never the passphrase) to a small background agent, so the commands that follow need no passphrase until --for has passed (default 1h, at most 24h), until ` + "`cxone-auth lock`" + `, or until the keyring's header changes.

The agent serves only processes of the same user, only for the keyring folder it was unlocked for, through a socket in a private folder ($XDG_RUNTIME_DIR/cxone-auth). Running unlock again while it runs replaces its deadline. An OS keyring is unlocked by the operating system: unlock then says so and does nothing.`,
		Example: `  cxone-auth unlock
  cxone-auth unlock --for 8h
  cxone-auth lock`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorHint(helpHint(cmd), "unlock takes no arguments, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.For <= 0 || opts.For > agent.MaxLifetime {
				return usageErrorHint(helpHint(cmd), "--for must be a positive duration of at most 24h, such as 30m or 8h")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return unlockRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&opts.For, "for", agent.DefaultLifetime, "how long it stays unlocked, at most 24h")
	return cmd
}

func unlockRun(ctx context.Context, o *UnlockOptions) error {
	f := o.F
	s, err := f.Store()
	if err != nil {
		return err
	}
	if b := s.Backend(); b != store.BackendFile {
		fmt.Fprintf(f.IO.ErrOut, "The %s keyring is unlocked by the operating system; unlock is only for the encrypted-file keyring.\n", b)
		return nil
	}
	if !agent.Supported {
		return &exitError{code: exitUsage, err: fmt.Errorf("unlock is not supported on %s yet: use CXONE_KEYRING_PASSPHRASE or the prompt", runtime.GOOS)}
	}
	var (
		dir         string
		header, key []byte
	)
	// Three tries at the prompt, as every command has them (passphraseTries).
	err = f.passphraseTries(func() (e error) {
		dir, header, key, e = s.UnlockKey(ctx)
		return e
	})
	if err != nil {
		return err
	}
	defer clear(key)
	sock, err := agent.SocketPath(f.Env.Getenv, dir, true)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(o.For).Truncate(time.Second)
	pctx, cancel := context.WithTimeout(ctx, agentTimeout)
	running, _, perr := agent.Ping(pctx, sock)
	cancel()
	if perr == nil && running == dir {
		ectx, cancel := context.WithTimeout(ctx, agentTimeout)
		err := agent.Extend(ectx, sock, deadline)
		cancel()
		if err != nil {
			return fmt.Errorf("the running unlock agent did not take the new deadline: %w", err)
		}
		fmt.Fprintf(f.IO.ErrOut, "The keyring in %s stays unlocked until %s (the earlier deadline is replaced). `cxone-auth lock` locks it.\n", dir, deadline.Local().Format("15:04:05"))
		return nil
	}
	if err := startAgent(ctx, sock, dir, header, key, deadline); err != nil {
		return fmt.Errorf("start the unlock agent: %w", err)
	}
	fmt.Fprintf(f.IO.ErrOut, "The keyring in %s is unlocked until %s. `cxone-auth lock` locks it.\n", dir, deadline.Local().Format("15:04:05"))
	return nil
}

// agentExecutable is the binary started as the agent (tests point it at the built binary).
var agentExecutable = os.Executable

// agentCmdName is the hidden subcommand the agent runs as.
const agentCmdName = "__agent"

// agentHandoff is what unlock hands the agent on its standard input (never in argv or the
// environment).
type agentHandoff struct {
	Header []byte `json:"header"`
	Key    []byte `json:"key"`
}

// startAgent starts the agent in its own session with only a pipe for stdin and stdout
// (nothing else inherited, no environment but the D-Bus guard), hands it the key, and waits
// (bounded) until it listens.
func startAgent(ctx context.Context, sock, dir string, header, key []byte, deadline time.Time) error {
	exe, err := agentExecutable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, agentCmdName, "--socket", sock, "--dir", dir, "--deadline", strconv.FormatInt(deadline.Unix(), 10))
	cmd.Env = []string{"DBUS_SESSION_BUS_ADDRESS=disabled:"}
	cmd.Dir = "/"
	detach(cmd)
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	data, _ := json.Marshal(agentHandoff{Header: header, Key: key})
	_, werr := in.Write(append(data, '\n'))
	clear(data)
	_ = in.Close()
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		if werr == nil && line == "ready\n" {
			return cmd.Process.Release()
		}
	case <-time.After(5 * time.Second):
	case <-ctx.Done():
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if werr != nil {
		return werr
	}
	return errors.New("the agent did not start (is the socket folder writable?)")
}

// newAgentCmd is the hidden command the agent runs as: it reads the key from stdin, says
// "ready" on stdout once it listens, closes both, and serves until it exits.
func newAgentCmd(f *Factory) *cobra.Command {
	var sock, dir string
	var deadline int64
	cmd := &cobra.Command{
		Use:     agentCmdName,
		Short:   "The unlock agent (started by unlock)",
		Example: "  cxone-auth unlock   # starts it",
		Hidden:  true,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			line, err := bufio.NewReader(io.LimitReader(f.IO.In, 16<<10)).ReadBytes('\n')
			if err != nil {
				return err
			}
			var h agentHandoff
			err = json.Unmarshal(line, &h)
			clear(line)
			if err != nil {
				return err
			}
			defer clear(h.Key)
			if c, ok := f.IO.In.(io.Closer); ok {
				_ = c.Close()
			}
			return agent.Serve(agent.Config{Socket: sock, Dir: dir, Header: h.Header, Key: h.Key, Deadline: time.Unix(deadline, 0),
				Done: cmd.Context().Done(),
				Ready: func() {
					fmt.Fprintln(f.IO.Out, "ready")
					if c, ok := f.IO.Out.(io.Closer); ok {
						_ = c.Close()
					}
				}})
		},
	}
	cmd.Flags().StringVar(&sock, "socket", "", "")
	cmd.Flags().StringVar(&dir, "dir", "", "")
	cmd.Flags().Int64Var(&deadline, "deadline", 0, "")
	return cmd
}
