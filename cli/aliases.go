package cli

import (
	"github.com/spf13/cobra"
)

// The words people bring from `gh auth` and `aws-vault` (docs/cli-habits.md): login = setup,
// logout = remove and switch = use are cobra aliases of those commands; status and rotate
// preset a flag, so they are commands of their own built from the command they stand for.

// newStatusCmd is `status`: check --all.
func newStatusCmd(f *Factory) *cobra.Command {
	cmd := newCheckCmd(f, nil)
	cmd.Use = "status"
	cmd.Short = "Check every profile (check --all)"
	cmd.Long = `Status is 'cxone-auth check --all': every stored profile is checked live against CXone, one line a profile. --json prints the results as JSON.

Exit codes: 0 every profile valid, 3 if any profile was rejected, else 1 if any failed, else 4 if there are none.`
	cmd.Example = `  cxone-auth status
  cxone-auth status --json | jq -r '.profiles[] | .profile + " " + .status'`
	_ = cmd.Flags().Set("all", "true") // the flag exists: newCheckCmd defines it
	for _, name := range []string{"all", "from-env", "env-file"} {
		_ = cmd.Flags().MarkHidden(name)
	}
	return cmd
}

// newRotateCmd is `rotate`: setup --rotate.
func newRotateCmd(f *Factory) *cobra.Command {
	cmd := newSetupCmd(f, nil)
	cmd.Use = "rotate"
	cmd.Short = "Replace an access key (setup --rotate)"
	cmd.Long = `Rotate is 'cxone-auth setup --rotate': it replaces the stored profile's access key with a new one. Create the new key in CXone (My Profile → Access Keys), enter it; it is checked live with the stored client credentials and replaces the old one in one write. Then deactivate the old key in CXone.

Without a terminal, --from-env or --env-file FILE (- = stdin) reads CXONE_ACCESS_KEY_ID and CXONE_ACCESS_KEY_SECRET.`
	cmd.Example = `  cxone-auth rotate --profile prod
  cxone-auth rotate --profile ci --env-file new-key.env`
	_ = cmd.Flags().Set("rotate", "true") // the flag exists: newSetupCmd defines it
	_ = cmd.Flags().MarkHidden("rotate")
	return cmd
}
