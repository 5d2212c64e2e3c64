package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"cxone-auth/store"
)

// UseOptions are the parsed options of `use`.
type UseOptions struct {
	F    *Factory
	Name string
}

func newUseCmd(f *Factory, runF func(context.Context, *UseOptions) error) *cobra.Command {
	opts := &UseOptions{F: f}
	cmd := &cobra.Command{
		Use:   "use NAME",
		Short: "Make a profile the default",
		Long:  `Use makes NAME the default profile: the one every command works on when neither --profile nor CXONE_PROFILE names another.`,
		Example: `  cxone-auth use prod
  cxone-auth token            # now prod's token`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorHint(helpHint(cmd), "use takes one profile name, got %d arguments", len(args))
			}
			if err := store.ValidProfileName(args[0]); err != nil {
				return usageErrorHint(helpHint(cmd), "%v", err)
			}
			return nil
		},
		ValidArgsFunction: completeProfiles(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return useRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func useRun(_ context.Context, o *UseOptions) error {
	s, err := o.F.Store()
	if err != nil {
		return err
	}
	if err := s.SetDefault(o.Name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &profileNotFound{name: o.Name}
		}
		return err
	}
	fmt.Fprintf(o.F.IO.ErrOut, "Profile %q is now the default.\n", o.Name)
	return nil
}
