package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"cxone-auth/store"
)

// RemoveOptions are the parsed options of `remove`.
type RemoveOptions struct {
	F   *Factory
	Yes bool
}

func newRemoveCmd(f *Factory, runF func(context.Context, *RemoveOptions) error) *cobra.Command {
	opts := &RemoveOptions{F: f}
	cmd := &cobra.Command{
		Use:     "remove",
		Aliases: []string{"rm", "delete"},
		Short:   "Delete a profile",
		Long:    `Remove deletes the profile's keyring item and its config entry. On a terminal it asks y/N first; without a terminal it needs --yes. Removing the default profile makes the first remaining one (by name) the default.`,
		Example: `  cxone-auth remove --profile staging
  cxone-auth remove --profile ci --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return removeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func removeRun(ctx context.Context, o *RemoveOptions) error {
	f := o.F
	name := f.ProfileName()
	s, err := f.Store()
	if err != nil {
		return err
	}
	if !o.Yes {
		if !f.IO.CanPrompt() {
			return usageErrorHint("Run it on a terminal to be asked, or pass --yes.", "remove asks for confirmation")
		}
		if _, err := s.Meta(name); errors.Is(err, store.ErrNotFound) {
			// Still offer to clean a keyring item the config lost track of.
			fmt.Fprintf(f.IO.ErrOut, "Profile %q is not in the config; its keyring item will be removed if there is one.\n", name)
		}
		ok, err := f.IO.Confirm(ctx, fmt.Sprintf("Remove profile %q and its stored credentials?", name))
		if err != nil {
			return err
		}
		if !ok {
			return &exitError{code: exitCancelled, err: errors.New("nothing removed")}
		}
	}
	if err := s.Delete(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &profileNotFound{name: name}
		}
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Removed profile %q.\n", name)
	return nil
}
