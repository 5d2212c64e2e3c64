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
	// Name is the profile named on the command line (NAME or --profile); "" when only
	// CXONE_PROFILE or the default profile says which.
	Name string
}

func newRemoveCmd(f *Factory, runF func(context.Context, *RemoveOptions) error) *cobra.Command {
	opts := &RemoveOptions{F: f}
	cmd := &cobra.Command{
		Use:     "remove [NAME]",
		Aliases: []string{"logout", "rm", "delete"},
		Short:   "Delete a profile",
		Long: `Remove deletes the profile NAME (or --profile NAME) from the keyring and the config. On a terminal it asks y/N first. --yes skips the question, and then the profile must be named on the command line: CXONE_PROFILE and the default profile do not count, so a variable left in the environment never deletes a profile unasked.

Removing the default profile makes the first remaining one (by name) the default, and says so.`,
		Example: `  cxone-auth remove staging
  cxone-auth remove ci --yes`,
		Args:              optionalProfileArg("remove"),
		ValidArgsFunction: completeProfileArg(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			flagName := ""
			if changed(cmd.Flags(), "profile") {
				flagName = f.Settings.Profile
			}
			switch {
			case len(args) == 1 && flagName != "" && args[0] != flagName:
				return usageErrorHint(helpHint(cmd), "remove %s --profile %s names two profiles: give one", args[0], flagName)
			case len(args) == 1:
				opts.Name = args[0]
			default:
				opts.Name = flagName
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return removeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask; the profile must be named (NAME or --profile)")
	return cmd
}

func removeRun(ctx context.Context, o *RemoveOptions) error {
	f := o.F
	name := o.Name
	if o.Yes && name == "" {
		return usageErrorHint("Name it: cxone-auth remove NAME --yes (CXONE_PROFILE and the default profile do not count with --yes).",
			"remove --yes needs the profile named on the command line")
	}
	if name == "" {
		name = f.ProfileName()
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	before, err := s.Config()
	if err != nil {
		return err
	}
	if !o.Yes {
		if !f.IO.CanPrompt() {
			return usageErrorHint("Run it on a terminal to be asked, or name the profile and pass --yes: cxone-auth remove "+name+" --yes",
				"remove asks for confirmation")
		}
		if _, ok := before.Profiles[name]; !ok {
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
	if err := f.newApp(s).Remove(ctx, name); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Removed profile %q.\n", name)
	if before.DefaultProfile == name {
		after, err := s.Config()
		switch {
		case err != nil:
			// The profile is gone; only the news of the new default is missing.
		case after.DefaultProfile != "" && store.ValidProfileName(after.DefaultProfile) == nil:
			fmt.Fprintf(f.IO.ErrOut, "It was the default: %q is the default profile now (change it with 'cxone-auth use NAME').\n", after.DefaultProfile)
		case len(after.Profiles) == 0:
			fmt.Fprintln(f.IO.ErrOut, "It was the default and the last profile: 'cxone-auth setup' creates a new one.")
		default:
			fmt.Fprintln(f.IO.ErrOut, "It was the default: no profile is the default now ('cxone-auth use NAME' makes one).")
		}
	}
	return nil
}
