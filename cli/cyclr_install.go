// cyclr_install.go: `cyclr install`, its --map flags and the account connector's description.

package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/cyclr"
	"cxone-auth/store"
)

func newCyclrInstallCmd(f *Factory) *cobra.Command {
	o := &CyclrOptions{F: f}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install a profile into a Cyclr account",
		Long: `install checks the profile live against CXone first (nothing is sent to Cyclr unless it passes), then installs the NICE CXone connector into the Cyclr account (X-Cyclr-Account) with the profile's Access Key ID and Secret, or updates the account connector of that name when one exists (a second install never duplicates). It reads the account connector back and requires Cyclr to report it authenticated, then records the install (account, account connector, domain; no secret) in config.json.

Where the key goes is read from the connector's own description: account-connector parameters named for the Access Key ID and Secret get them (Properties, by TargetName); else an HTTP Basic authentication gets AuthValue = base64(ID:secret); anything else is refused with the schema printed, and --map TARGET=id --map TARGET=secret (or --map AuthValue=basic) says where. --dry-run prints what would be sent, secrets hidden, and sends nothing that changes anything.`,
		Example: `  cxone-auth cyclr install --profile prod --account ACCOUNT_ID
  cxone-auth cyclr install --profile prod --account ID --name prod --dry-run
  cxone-auth cyclr install --profile prod --account ID \
      --map accessKeyId=id --map accessKeySecret=secret`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(o.Account) == "" {
				return usageErrorHint(helpHint(cmd), "install needs the Cyclr account: --account ID (Accounts → Account Management → Settings in the Cyclr console)")
			}
			if _, err := parseCyclrMaps(o.Maps); err != nil {
				return usageErrorHint(helpHint(cmd), "%v", err)
			}
			return cyclrInstallRun(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Account, "account", "", "the Cyclr account ID to install into (required)")
	fl.StringVar(&o.Name, "name", "", "the account connector's name (default \"CXone PROFILE\")")
	fl.StringArrayVar(&o.Maps, "map", nil, "T=id, T=secret or AuthValue=basic: where the key goes")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print what would be sent (secrets hidden); change nothing")
	return cmd
}

// parseCyclrMaps reads --map TARGET=VALUE flags.
func parseCyclrMaps(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, m := range flags {
		t, v, ok := strings.Cut(m, "=")
		t, v = strings.TrimSpace(t), strings.ToLower(strings.TrimSpace(v))
		if !ok || t == "" || v == "" {
			return nil, fmt.Errorf("--map %s: want TARGET=id, TARGET=secret or AuthValue=basic", auth.Sanitize(m))
		}
		if v != cyclr.MapID && v != cyclr.MapSecret && v != cyclr.MapBasic {
			return nil, fmt.Errorf("--map %s: the value is id, secret or (for AuthValue) basic", auth.Sanitize(m))
		}
		if _, dup := out[t]; dup {
			return nil, fmt.Errorf("--map: %s is given twice", auth.Sanitize(t))
		}
		out[t] = v
	}
	return out, nil
}

func cyclrInstallRun(ctx context.Context, o *CyclrOptions) error {
	f := o.F
	maps, _ := parseCyclrMaps(o.Maps) // validated by the command
	account := strings.TrimSpace(o.Account)
	s, err := f.Store()
	if err != nil {
		return err
	}
	name := f.ProfileName()
	acName := strings.TrimSpace(o.Name)
	if acName == "" {
		acName = "CXone " + name
	}
	// Reading the stored Cyclr client sends nothing; a missing login is reported before the
	// CXone check, which would otherwise be spent for nothing.
	if _, err := s.LoadCyclr(ctx); err != nil {
		return err
	}
	// First the profile, live against CXone: nothing goes to Cyclr unless it passes.
	sec, meta, err := f.loadProfile(ctx, name)
	if err != nil {
		return err
	}
	var mp *store.Meta
	if meta.ClientID != "" {
		mp = &meta
	}
	e := f.checkLoaded(ctx, s, name, mp, sec, nil, true)
	f.recordChecks(s, []checkEntry{e})
	if e.Status != statusValid {
		writeCheckReport(styledWriter(f.IO.ErrOut, f.Env, f.Settings.NoColor), []checkEntry{e})
		fmt.Fprintf(f.IO.ErrOut, "cxone-auth: profile %q failed its live check: nothing was sent to Cyclr\n", name)
		return silentExit(checkExitCode([]checkEntry{e}))
	}
	cs, err := f.cyclrSession(ctx, s)
	if err != nil {
		return err
	}
	r, err := cs.push(ctx, pushTarget{Profile: name, Account: account, Name: acName, Description: cyclrDescription(e)}, sec, maps, o.DryRun)
	if err != nil {
		return err
	}
	if o.DryRun {
		return nil
	}
	verb := "Installed"
	if r.Updated {
		verb = "Updated"
	}
	fmt.Fprintf(f.IO.Out, "%s profile %q in Cyclr account %s as %q (account connector %d, %s): ", verb, name, auth.Sanitize(account), auth.Sanitize(acName), r.Install.AccountConnectorID, r.Install.Method)
	if !r.Install.Authenticated {
		fmt.Fprintln(f.IO.Out, "NOT authenticated.")
		return &exitError{code: exitRejected, err: errors.New("the Cyclr API does not report the account connector as authenticated (\"Authenticated\": false)"),
			hint: "The key passed CXone's check, so look at the partner-level values in the Cyclr console: Connectors → Application Connector Library → Nice CXOne → Setup Required (username = Client ID, password = Client Secret)."}
	}
	fmt.Fprintln(f.IO.Out, "authenticated.")
	return nil
}

// cyclrDescription is the account connector's description: which CXone user and business
// unit its key belongs to (no secret).
func cyclrDescription(e checkEntry) string {
	parts := []string{"cxone-auth profile " + e.Name}
	if e.User != "" {
		parts = append(parts, "user "+e.User)
	}
	if e.BusinessUnit != "" {
		parts = append(parts, "business unit "+e.BusinessUnit)
	}
	return strings.Join(parts, ", ")
}
