package cli

import (
	"fmt"

	mango "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
)

// newManCmd prints the man page, generated from the command tree. fang has one too, but it is
// hidden and writes to the process's stdout rather than the command's; this one is listed in
// the help and testable.
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:                   "man",
		Short:                 "Print the man page (roff)",
		Example:               "  cxone-auth man | man -l -",
		DisableFlagsInUseLine: true,
		Args:                  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			page, err := mango.NewManPage(1, cmd.Root())
			if err != nil {
				return fmt.Errorf("man page: %w", err)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), page.Build(roff.NewDocument()))
			return err
		},
	}
}
