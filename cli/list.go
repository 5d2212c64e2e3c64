package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// ListOptions are the parsed options of `list`.
type ListOptions struct {
	F    *Factory
	JSON bool
}

func newListCmd(f *Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the profiles and their last check",
		Long:  `List shows the stored profiles from the config file: tenant, business unit, user, the result of the last check and the issuer. The default profile (see 'cxone-auth use') is marked "default". It never opens the keyring, so it never asks for a passphrase.`,
		Example: `  cxone-auth list
  cxone-auth list --json | jq -r '.profiles[].profile'`,
		Aliases: []string{"ls"},
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the profiles as JSON")
	return cmd
}

// listEntry is one profile in `list --json`: metadata only, the IDs in full (scripts use
// them; they are not secrets; the text list masks them).
type listEntry struct {
	store.View
	Default         bool
	CreatedAt       *time.Time
	LastCheckAt     *time.Time
	LastCheckStatus string // in the one vocabulary (store.ShownStatus)
	LastErrorKind   string
	// What CXone's access-key API said about the stored key, when known (setup --rotate --auto).
	AccessKeyCreatedAt *time.Time
	AccessKeyLastUsed  *time.Time
}

// MarshalJSON writes an entry as `list --json` gives it.
func (e listEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Profile string `json:"profile"`
		Default bool   `json:"default"`
		viewJSON
		CreatedAt          *time.Time `json:"created_at,omitempty"`
		LastCheckAt        *time.Time `json:"last_check_at,omitempty"`
		LastCheckStatus    string     `json:"last_check_status,omitempty"`
		LastErrorKind      string     `json:"last_error_kind,omitempty"`
		AccessKeyCreatedAt *time.Time `json:"access_key_created_at,omitempty"`
		AccessKeyLastUsed  *time.Time `json:"access_key_last_used,omitempty"`
	}{e.Name, e.Default, viewFields(e.View), e.CreatedAt, e.LastCheckAt, e.LastCheckStatus, e.LastErrorKind, e.AccessKeyCreatedAt, e.AccessKeyLastUsed})
}

func listRun(ctx context.Context, o *ListOptions) error {
	f := o.F
	f.warnLooseConfig()
	s, err := f.Store()
	if err != nil {
		return err
	}
	cfg, err := s.Config() // one read of the file serves the names and every entry
	if err != nil {
		return err
	}
	names := cfg.Names()
	orphans := fileOrphans(ctx, s, cfg)
	if o.JSON {
		out := struct {
			Backend  string      `json:"backend,omitempty"`
			Profiles []listEntry `json:"profiles"`
			Orphans  []string    `json:"orphans,omitempty"`
		}{Backend: auth.Sanitize(cfg.Backend), Profiles: []listEntry{}, Orphans: orphans}
		for _, n := range names {
			m := cfg.Profiles[n]
			e := listEntry{View: store.ViewOfMeta(n, m), Default: n == cfg.DefaultProfile,
				LastCheckStatus: store.ShownStatus(m.LastCheckStatus, m.LastErrorKind), LastErrorKind: auth.Sanitize(m.LastErrorKind)}
			if !m.CreatedAt.IsZero() {
				t := m.CreatedAt.UTC()
				e.CreatedAt = &t
			}
			if !m.LastCheckAt.IsZero() {
				t := m.LastCheckAt.UTC()
				e.LastCheckAt = &t
			}
			if !m.AccessKeyCreatedAt.IsZero() {
				t := m.AccessKeyCreatedAt.UTC()
				e.AccessKeyCreatedAt = &t
			}
			if !m.AccessKeyLastUsed.IsZero() {
				t := m.AccessKeyLastUsed.UTC()
				e.AccessKeyLastUsed = &t
			}
			out.Profiles = append(out.Profiles, e)
		}
		return writeJSON(f.IO.Out, out)
	}
	defer reportOrphans(f, orphans)
	if len(names) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "No profiles yet: run 'cxone-auth setup' to create one.")
		return nil
	}
	now := time.Now()
	w, flush := bufferedStyled(f.IO.Out, f.Env, f.Settings.NoColor)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// The ACCESS KEY column appears only when some key's age is known.
	keyCol := false
	for _, n := range names {
		keyCol = keyCol || !cfg.Profiles[n].AccessKeyCreatedAt.IsZero()
	}
	header := "PROFILE\tTENANT\tBUSINESS UNIT\tUSER\tLAST CHECK\t"
	if keyCol {
		header += "ACCESS KEY\t"
	}
	fmt.Fprintln(tw, header+"ISSUER")
	for _, n := range names {
		m := cfg.Profiles[n]
		v := store.ViewOfMeta(n, m)
		name := v.Name
		if n == cfg.DefaultProfile {
			name += " (default)"
		}
		key := ""
		if keyCol {
			key = keyAge(m, now) + "\t"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s%s\n", name, dash(v.TenantText()), dash(v.BusinessUnitText()), dash(v.User), lastCheck(m, now), key, v.Issuer)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write list: %w", err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("write list: %w", err)
	}
	if cfg.Backend != "" {
		fmt.Fprintf(f.IO.ErrOut, "Keyring backend: %s\n", auth.Sanitize(cfg.Backend))
	}
	return nil
}

// lastCheck is the last check's outcome and age: "valid 5m ago", "rejected (invalid_grant)
// 2d ago", "never".
func lastCheck(m store.Meta, now time.Time) string {
	if m.LastCheckAt.IsZero() {
		return "never"
	}
	s := store.ShownStatus(m.LastCheckStatus, m.LastErrorKind)
	if m.LastErrorKind != "" {
		s += " (" + auth.Sanitize(m.LastErrorKind) + ")"
	}
	return s + " " + store.Age(m.LastCheckAt, now)
}

// keyAge is what is known of the stored access key: "created 3d ago, used 5m ago",
// "created 3d ago, never used", or "-" when CXone's access-key API was never asked.
func keyAge(m store.Meta, now time.Time) string {
	if m.AccessKeyCreatedAt.IsZero() {
		return "-"
	}
	s := "created " + store.Age(m.AccessKeyCreatedAt, now)
	if m.AccessKeyLastUsed.IsZero() {
		return s + ", never used"
	}
	return s + ", used " + store.Age(m.AccessKeyLastUsed, now)
}

// fileOrphans lists the keyring items that have no profile in the config (what a setup killed
// between its keyring write and its config write leaves), when every profile lives in the
// encrypted-file keyring: its items are listed from file names, so no passphrase is asked and no
// OS keyring is opened (list never does either).
func fileOrphans(ctx context.Context, s *store.Store, cfg store.Config) []string {
	if cfg.Backend != store.BackendFile {
		return nil
	}
	for _, m := range cfg.Profiles {
		if m.Backend != "" && m.Backend != store.BackendFile {
			return nil
		}
	}
	names, err := s.Orphans(ctx)
	if err != nil {
		return nil
	}
	for i, n := range names {
		names[i] = auth.Sanitize(n)
	}
	return names
}

func reportOrphans(f *Factory, names []string) {
	for _, n := range names {
		fmt.Fprintf(f.IO.ErrOut, "Keyring item %q has no profile (a setup was interrupted): 'cxone-auth setup --profile %s' sets it up again, 'cxone-auth remove --profile %s --yes' deletes it.\n", n, n, n)
	}
}
