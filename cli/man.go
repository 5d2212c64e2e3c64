package cli

import (
	"fmt"
	"strconv"
	"strings"

	mango "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newManCmd prints the man page, generated from the command tree, with the sections a man
// page has beyond the commands: EXIT STATUS, ENVIRONMENT and FILES. fang has one too, but it
// is hidden and writes to the process's stdout rather than the command's; this one is listed
// in the help and testable.
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:                   "man",
		Short:                 "Print the man page (roff)",
		Example:               "  cxone-auth man | man -l -",
		DisableFlagsInUseLine: true,
		Args:                  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			unquoteFlagUsages(cmd.Root()) // this run's tree ends with the page
			page, err := mango.NewManPage(1, cmd.Root())
			if err != nil {
				return fmt.Errorf("man page: %w", err)
			}
			var b strings.Builder
			b.WriteString(page.Build(roff.NewDocument()))
			for _, s := range manSections {
				fmt.Fprintf(&b, ".SH %s\n", strings.ToUpper(s.name))
				for _, item := range s.items {
					fmt.Fprintf(&b, ".TP\n\\fB%s\\fR\n%s\n", roffText(item[0]), roffText(item[1]))
				}
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), b.String())
			return err
		},
	}
}

// unquoteFlagUsages drops pflag's backquotes around value names from every flag's usage
// (the man page prints usages as they are): "the profile `NAME`" reads "the profile NAME".
func unquoteFlagUsages(c *cobra.Command) {
	unquote := func(fl *pflag.Flag) { _, fl.Usage = pflag.UnquoteUsage(fl) }
	c.PersistentFlags().VisitAll(unquote)
	c.LocalFlags().VisitAll(unquote)
	for _, sub := range c.Commands() {
		unquoteFlagUsages(sub)
	}
}

// roffText escapes text for roff: backslashes, and a dot or quote that would start a line
// as a request.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// manSections are the man page's sections after the commands and flags: what scripts rely on
// (the exit codes of cli/errors.go), the variables read, and the files used.
var manSections = []struct {
	name  string
	items [][2]string
}{
	{"Exit status", [][2]string{
		{strconv.Itoa(exitOK), "Success; for check --all, every profile valid."},
		{strconv.Itoa(exitFailure), "A failure that is not the credentials' fault: network, timeout, server error, malformed answer, keyring or file error."},
		{strconv.Itoa(exitUsage), "Usage error: unknown command, unexpected argument, bad flag or profile name, no terminal for an interactive command."},
		{strconv.Itoa(exitRejected), "Credentials rejected: invalid_client, invalid_grant, or the API refused the new token."},
		{strconv.Itoa(exitNotFound), "Not found: no such profile, nothing stored."},
		{strconv.Itoa(exitCancelled), "Cancelled by the user."},
	}},
	{"Environment", [][2]string{
		{"CXONE_PROFILE", "The profile to use (--profile)."},
		{"CXONE_ISSUER", "The CXone issuer URL (--issuer); default https://cxone.niceincontact.com."},
		{"CXONE_SCOPE", "Sent as scope in the token request when set."},
		{"CXONE_KEYRING_BACKEND", "The keyring backend (--keyring-backend): auto, keychain, wincred, secret-service, kwallet, pass, keyctl or file."},
		{"CXONE_KEYRING_DIR", "The encrypted-file keyring's folder (--keyring-dir)."},
		{"CXONE_KEYRING_PASSPHRASE", "The encrypted-file keyring's passphrase, for unattended use; otherwise the unlock agent's key (cxone-auth unlock), else it is asked for on the terminal."},
		{"CXONE_CONFIG_DIR", "The config folder (--config-dir)."},
		{"CXONE_TIMEOUT", "The bound on each HTTP request (--timeout), such as 15s."},
		{"CXONE_DEBUG", "A diagnostic log on stderr (--debug); never a secret."},
		{"CXONE_CA_FILE", "PEM certificates trusted for https to loopback hosts only (an emulator's); read from the environment only."},
		{"CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID, CXONE_ACCESS_KEY_SECRET", "The credentials read by --from-env (and written by export)."},
		{"NO_COLOR", "No colour (--no-color)."},
		{"ACCESSIBLE", "Plain line-by-line prompts (--accessible)."},
		{"XDG_CONFIG_HOME, XDG_DATA_HOME, HOME", "Where the default folders are."},
	}},
	{"Files", [][2]string{
		{"$XDG_CONFIG_HOME/cxone-auth/config.json", "The profiles' non-secret metadata and last check results (default ~/.config/cxone-auth/config.json). Never a secret."},
		{"$XDG_DATA_HOME/cxone-auth/keyring/", "The encrypted-file keyring (default ~/.local/share/cxone-auth/keyring), when that backend is used."},
		{"/dev/tty", "Where the keyring passphrase and y/N questions are asked, whatever stdin and stderr are."},
	}},
}
