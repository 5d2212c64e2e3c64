package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/store"
)

func (a *app) newListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List profiles with their non-secret metadata and last check",
		Long: `List shows the stored profiles from the config file: issuer, masked IDs, tenant, business
unit and the result of the last check. It does not open the keyring, so it never asks for a
passphrase.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.resolve(cmd, nil, ""); err != nil {
				return err
			}
			s, err := a.openStore()
			if err != nil {
				return err
			}
			cfg, err := s.Config()
			if err != nil {
				return err
			}
			names, err := s.Names()
			if err != nil {
				return err
			}
			if asJSON {
				return a.writeListJSON(cfg, names)
			}
			if len(names) == 0 {
				fmt.Fprintln(a.errw(), "No profiles yet: run 'cxone-auth setup' to create one.")
				return nil
			}
			tw := tabwriter.NewWriter(a.out(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PROFILE\tTENANT\tBUSINESS UNIT\tUSER\tLAST CHECK\tISSUER")
			for _, n := range names {
				m := cfg.Profiles[n]
				mark := n
				if n == cfg.DefaultProfile {
					mark += " *"
				}
				bu := m.BusinessUnit
				if m.BusinessUnitID != 0 {
					bu = fmt.Sprintf("%s (%d)", m.BusinessUnit, m.BusinessUnitID)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", mark, dash(m.Tenant), dash(bu), dash(m.User), lastCheck(m), m.Issuer)
			}
			if err := tw.Flush(); err != nil {
				return fmt.Errorf("write list: %w", err)
			}
			if cfg.Backend != "" {
				fmt.Fprintf(a.errw(), "Keyring backend: %s\n", cfg.Backend)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the profiles as JSON")
	return cmd
}

func dash(s string) string {
	if s == "" || s == " ()" {
		return "-"
	}
	return s
}

func lastCheck(m store.Meta) string {
	if m.LastCheckAt.IsZero() {
		return "never"
	}
	s := m.LastCheckStatus
	if m.LastErrorKind != "" {
		s += " (" + m.LastErrorKind + ")"
	}
	return s + " " + m.LastCheckAt.Local().Format("2006-01-02 15:04")
}

// listEntry is one profile in `list --json`: metadata only, IDs masked.
type listEntry struct {
	Profile         string     `json:"profile"`
	Default         bool       `json:"default"`
	Issuer          string     `json:"issuer"`
	ClientID        string     `json:"client_id"`
	AccessKeyID     string     `json:"access_key_id"`
	User            string     `json:"user,omitempty"`
	TenantID        string     `json:"tenant_id,omitempty"`
	Tenant          string     `json:"tenant,omitempty"`
	BusinessUnitID  int64      `json:"business_unit_id,omitempty"`
	BusinessUnit    string     `json:"business_unit,omitempty"`
	Area            string     `json:"area,omitempty"`
	APIEndpoint     string     `json:"api_endpoint,omitempty"`
	AuthMethod      string     `json:"auth_method,omitempty"`
	CreatedAt       *time.Time `json:"created_at,omitempty"`
	LastCheckAt     *time.Time `json:"last_check_at,omitempty"`
	LastCheckStatus string     `json:"last_check_status,omitempty"`
	LastErrorKind   string     `json:"last_error_kind,omitempty"`
}

func (a *app) writeListJSON(cfg store.Config, names []string) error {
	out := struct {
		Backend  string      `json:"backend,omitempty"`
		Profiles []listEntry `json:"profiles"`
	}{Backend: cfg.Backend, Profiles: []listEntry{}}
	for _, n := range names {
		m := cfg.Profiles[n]
		e := listEntry{Profile: n, Default: n == cfg.DefaultProfile, Issuer: m.Issuer, ClientID: auth.Mask(m.ClientID),
			AccessKeyID: auth.Mask(m.AccessKeyID), User: m.User, TenantID: auth.Mask(m.TenantID), Tenant: m.Tenant,
			BusinessUnitID: m.BusinessUnitID, BusinessUnit: m.BusinessUnit, Area: m.Area, APIEndpoint: m.APIEndpoint,
			AuthMethod: m.AuthMethod, LastCheckStatus: m.LastCheckStatus, LastErrorKind: m.LastErrorKind}
		if !m.CreatedAt.IsZero() {
			t := m.CreatedAt.UTC()
			e.CreatedAt = &t
		}
		if !m.LastCheckAt.IsZero() {
			t := m.LastCheckAt.UTC()
			e.LastCheckAt = &t
		}
		out.Profiles = append(out.Profiles, e)
	}
	enc := json.NewEncoder(a.out())
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func (a *app) newRemoveCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "remove",
		Aliases: []string{"rm", "delete"},
		Short:   "Delete a profile from the keyring and the config",
		Long: `Remove deletes the profile's keyring item and its config entry. On a terminal it asks y/N
first; without a terminal it needs --yes.`,
		Example: "  cxone-auth remove --profile staging --yes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.resolve(cmd, nil, ""); err != nil {
				return err
			}
			name := a.set.profile
			s, err := a.openStore()
			if err != nil {
				return err
			}
			if !yes {
				if !isTerminal(a.io.in) {
					return usageError("remove asks for confirmation: run it on a terminal or pass --yes")
				}
				if _, err := s.Meta(name); errors.Is(err, store.ErrNotFound) {
					// Still offer to clean a keyring item the config lost track of.
					fmt.Fprintf(a.errw(), "Profile %q is not in the config; its keyring item will be removed if there is one.\n", name)
				}
				ok, err := a.confirm(fmt.Sprintf("Remove profile %q and its stored credentials?", name))
				if err != nil {
					return err
				}
				if !ok {
					return &exitError{code: exitCancelled, err: errors.New("nothing removed")}
				}
			}
			if err := s.Delete(cmd.Context(), name); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return &profileNotFound{name: name}
				}
				return err
			}
			fmt.Fprintf(a.errw(), "Removed profile %q.\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}
