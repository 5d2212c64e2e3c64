// cyclr_inspect.go: `cyclr inspect`, how the NICE CXone connector takes an access key.

package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"cxone-auth/cyclr"
)

func newCyclrInspectCmd(f *Factory) *cobra.Command {
	o := &CyclrOptions{F: f}
	cmd := &cobra.Command{
		Use:   "inspect",
		Short: "Show how the NICE CXone connector takes an access key",
		Long:  `inspect finds the NICE CXone connector (exactly "Nice CXOne") in Cyclr's connector library and prints its authentication methods and account-connector parameters, and where an install will put the Access Key ID and Secret. It only reads from Cyclr.`,
		Example: `  cxone-auth cyclr inspect
  cxone-auth cyclr inspect --account ACCOUNT_ID`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cyclrInspectRun(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.Account, "account", "", "list the connectors available to this Cyclr account ID")
	cmd.Flags().StringArrayVar(&o.Maps, "map", nil, "T=id, T=secret or AuthValue=basic: as install --map")
	return cmd
}

func cyclrInspectRun(ctx context.Context, o *CyclrOptions) error {
	f := o.F
	maps, err := parseCyclrMaps(o.Maps)
	if err != nil {
		return usageError("%v", err)
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	cs, err := f.cyclrSession(ctx, s)
	if err != nil {
		return err
	}
	conn, err := cs.connector(ctx, strings.TrimSpace(o.Account))
	if err != nil {
		return err
	}
	w := f.IO.Out
	for _, l := range cyclr.Describe(conn) {
		fmt.Fprintln(w, l)
	}
	plan, perr := cyclr.PlanInstall(conn, "ID", "SECRET", maps)
	if perr != nil {
		fmt.Fprintln(w, "An install cannot place the access key: "+errorText(perr))
		return nil
	}
	fmt.Fprintf(w, "An install sends (%s):\n", plan.Method)
	for _, l := range plan.Where {
		fmt.Fprintln(w, "  "+l)
	}
	return nil
}
