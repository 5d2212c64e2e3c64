// cyclr_list.go: `cyclr list`, the recorded Cyclr installs (checked live with --live).

package cli

import (
	"context"
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/cyclr"
	"cxone-auth/store"
)

func newCyclrListCmd(f *Factory) *cobra.Command {
	o := &CyclrOptions{F: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the recorded Cyclr installs",
		Long:  `list shows the Cyclr installs recorded for every profile; --live reads each account connector from Cyclr and shows whether it is still authenticated.`,
		Example: `  cxone-auth cyclr list
  cxone-auth cyclr list --live --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cyclrListRun(cmd.Context(), o) },
	}
	cmd.Flags().BoolVar(&o.Live, "live", false, "read each install's state from Cyclr")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the installs as JSON")
	return cmd
}

// cyclrListEntry is one install in `cyclr list`.
type cyclrListEntry struct {
	store.CyclrInstall
	State string `json:"state,omitempty"`
}

func cyclrListRun(ctx context.Context, o *CyclrOptions) error {
	f := o.F
	s, err := f.Store()
	if err != nil {
		return err
	}
	installs, err := s.CyclrInstalls("")
	if err != nil {
		return err
	}
	names, _ := s.Names()
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	entries := make([]cyclrListEntry, 0, len(installs))
	for _, in := range installs {
		e := cyclrListEntry{CyclrInstall: in}
		if !known[in.Profile] {
			// The profile was removed: Cyclr still holds its key until the account connector
			// is changed or deleted there.
			e.State = "profile removed"
		}
		entries = append(entries, e)
	}
	failed := false
	if o.Live && len(entries) > 0 {
		cs, err := f.cyclrSession(ctx, s)
		if err != nil {
			return err
		}
		for i := range entries {
			e := &entries[i]
			if e.State != "" {
				continue
			}
			if e.APIDomain != cs.c.Base {
				e.State, failed = "other domain", true
				continue
			}
			var ac cyclr.AccountConnector
			err := cs.do(ctx, func() error {
				var err error
				ac, err = cs.c.AccountConnector(ctx, e.Account, e.AccountConnectorID)
				return err
			})
			switch {
			case cyclr.KindOf(err) == cyclr.KindNotFound:
				e.State, failed = "missing", true
			case err != nil:
				e.State, failed = "error: "+errorText(err), true
			case ac.Authenticated:
				e.State = "authenticated"
			default:
				e.State, failed = "not authenticated", true
			}
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Profile < entries[j].Profile })
	if o.JSON {
		if err := writeJSON(f.IO.Out, struct {
			Installs []cyclrListEntry `json:"installs"`
		}{entries}); err != nil {
			return err
		}
	} else if len(entries) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "No Cyclr installs recorded yet: run 'cxone-auth cyclr install --profile NAME --account ID'.")
	} else {
		tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
		head := "PROFILE\tACCOUNT\tCONNECTOR\tNAME\tACCESS KEY\tUPDATED"
		if o.Live {
			head += "\tSTATE"
		}
		fmt.Fprintln(tw, head)
		for _, e := range entries {
			when := e.UpdatedAt
			if when.IsZero() {
				when = e.InstalledAt
			}
			prof := auth.Sanitize(e.Profile)
			if e.State == "profile removed" && !o.Live {
				prof += " (removed)"
			}
			line := fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%s", prof, auth.Sanitize(e.Account), e.AccountConnectorID, auth.Sanitize(e.Name),
				auth.Sanitize(auth.Mask(e.AccessKeyID)), when.Format("2006-01-02 15:04"))
			if o.Live {
				line += "\t" + auth.Sanitize(e.State)
			}
			fmt.Fprintln(tw, line)
		}
		_ = tw.Flush()
	}
	if failed {
		return silentExit(exitFailure)
	}
	return nil
}
