package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"cxone-auth/agent"
)

// LockOptions are the parsed options of `lock`.
type LockOptions struct{ F *Factory }

func newLockCmd(f *Factory, runF func(context.Context, *LockOptions) error) *cobra.Command {
	opts := &LockOptions{F: f}
	return &cobra.Command{
		Use:     "lock",
		Short:   "Lock the file keyring again",
		Long:    `Lock stops every unlock agent of this user (` + "`cxone-auth unlock`" + `): the keys they held are gone, and the next command asks for the passphrase again (or reads CXONE_KEYRING_PASSPHRASE). With no agent running it does nothing.`,
		Example: `  cxone-auth lock`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorHint(helpHint(cmd), "lock takes no arguments, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return lockRun(cmd.Context(), opts)
		},
	}
}

func lockRun(ctx context.Context, o *LockOptions) error {
	f := o.F
	if !agent.Supported {
		fmt.Fprintln(f.IO.ErrOut, "No unlock agent is running.")
		return nil
	}
	rt, err := agent.RuntimeDir(f.Env.Getenv, false)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintln(f.IO.ErrOut, "No unlock agent is running.")
		return nil
	}
	if err != nil {
		return err
	}
	n := 0
	for _, sock := range agent.Sockets(rt) {
		lctx, cancel := context.WithTimeout(ctx, agentTimeout)
		if agent.Lock(lctx, sock) == nil {
			n++
		}
		cancel()
	}
	if n == 0 {
		fmt.Fprintln(f.IO.ErrOut, "No unlock agent is running.")
		return nil
	}
	fmt.Fprintln(f.IO.ErrOut, "Locked: the keyring asks for its passphrase again.")
	return nil
}
