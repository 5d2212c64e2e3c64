package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/store"
)

type checkFlags struct {
	all, fromEnv, json bool
	envFile            string
}

func (a *app) newCheckCmd() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check credentials live against CXone",
		Long: `Check re-validates credentials live against CXone: OIDC discovery, a token with the access
key, tenant discovery and a proof API call. A profile that was checked before goes straight to
token and proof.

Exit codes: 0 valid, 1 network/server/keyring failure, 2 usage, 3 credentials rejected,
4 no such profile. With --all: 3 if any profile was rejected, else 1 if any failed, else 4 if
there are none, else 0.`,
		Example: `  cxone-auth check
  cxone-auth check --all --json
  cxone-auth check --env-file .env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runCheck(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.all, "all", false, "check every stored profile (concurrently)")
	fl.BoolVar(&f.fromEnv, "from-env", false, "check the CXONE_* variables of the environment instead of the keyring (nothing is stored)")
	fl.StringVar(&f.envFile, "env-file", "", "check the CXONE_* values of this env file instead of the keyring (nothing is stored)")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON (SPEC section 8)")
	return cmd
}

// checkEntry is one profile in `check --json` (SPEC section 8) and in the human report.
type checkEntry struct {
	Profile        string      `json:"profile"`
	Source         string      `json:"source"`
	Status         string      `json:"status"`
	Issuer         string      `json:"issuer,omitempty"`
	ClientID       string      `json:"client_id,omitempty"`
	AccessKeyID    string      `json:"access_key_id,omitempty"`
	User           string      `json:"user,omitempty"`
	TenantID       string      `json:"tenant_id,omitempty"`
	Tenant         string      `json:"tenant,omitempty"`
	BusinessUnitID int64       `json:"business_unit_id,omitempty"`
	BusinessUnit   string      `json:"business_unit,omitempty"`
	Area           string      `json:"area,omitempty"`
	APIEndpoint    string      `json:"api_endpoint,omitempty"`
	AuthMethod     string      `json:"auth_method,omitempty"`
	TokenExpiresAt *time.Time  `json:"token_expires_at,omitempty"`
	CheckedAt      time.Time   `json:"checked_at"`
	DurationMS     int64       `json:"duration_ms"`
	Warnings       []string    `json:"warnings"`
	Error          *checkError `json:"error"`

	err    error        // the error behind Error, for exit codes
	result *auth.Result // the successful check, for the config and exports
	// ident is the identity (issuer, client ID, access key ID) the stored profile was checked
	// with; its result is recorded only if the config entry still has it.
	ident *store.MetaUpdate
}

type checkError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Statuses of SPEC section 8.
const (
	statusValid    = "valid"
	statusRejected = "rejected"
	statusError    = "error"
	statusMissing  = "missing"
)

func (a *app) runCheck(cmd *cobra.Command, f *checkFlags) error {
	if f.fromEnv && f.envFile != "" {
		return usageError("--from-env and --env-file both name the credentials: give one of them")
	}
	if f.all && (f.fromEnv || f.envFile != "") {
		return usageError("--all checks stored profiles: it does not combine with --from-env or --env-file")
	}
	if f.all && changed(cmd.Flags(), "profile") {
		return usageError("--all checks every profile: it does not combine with --profile")
	}
	envFile, err := a.readEnvFileFlag(f.envFile)
	if err != nil {
		return err
	}
	if err := a.resolve(cmd, envFile, f.envFile); err != nil {
		return err
	}
	ctx := cmd.Context()

	var entries []checkEntry
	switch {
	case f.fromEnv || f.envFile != "":
		source, vars := "environment", map[string]string(nil)
		if f.envFile != "" {
			source, vars = "env-file", envFile
		}
		creds, err := a.credentialsFrom(vars, f.envFile)
		if err != nil {
			return err
		}
		entries = []checkEntry{a.checkCredentials(ctx, a.set.profile, source, a.set.issuer, creds, nil, !f.json)}
	case f.all:
		s, err := a.openStore()
		if err != nil {
			return err
		}
		names, err := s.Names()
		if err != nil {
			return err
		}
		if len(names) == 0 {
			if f.json {
				a.writeCheckJSON(nil)
			}
			return &exitError{code: exitNotFound, err: errors.New("no profiles stored yet: run 'cxone-auth setup' to create one")}
		}
		entries = a.checkProfiles(ctx, s, names)
	default:
		s, err := a.openStore()
		if err != nil {
			return err
		}
		entries = []checkEntry{a.checkProfile(ctx, s, a.set.profile, !f.json)}
		a.recordChecks(s, entries)
	}

	if f.json {
		if err := a.writeCheckJSON(entries); err != nil {
			return err
		}
	} else {
		a.writeCheckReport(entries)
	}
	code := checkExitCode(entries)
	if code == exitOK {
		return nil
	}
	return &exitError{code: code, silent: true}
}

// checkExitCode applies SPEC section 4 to a set of results.
func checkExitCode(entries []checkEntry) int {
	if len(entries) == 0 {
		return exitNotFound
	}
	if len(entries) == 1 {
		switch e := entries[0]; {
		case e.Status == statusValid:
			return exitOK
		case e.Status == statusMissing:
			return exitNotFound
		default:
			return exitCode(e.err)
		}
	}
	rejected, failed := false, false
	for _, e := range entries {
		switch e.Status {
		case statusRejected:
			rejected = true
		case statusError, statusMissing:
			failed = true
		}
	}
	switch {
	case rejected:
		return exitRejected
	case failed:
		return exitFailure
	}
	return exitOK
}

// maxConcurrentChecks bounds check --all. Each check is two or four short requests, so 32 at
// once is gentle on CXone and lets a typical set of profiles finish in about one check's time;
// a 429 from a rate limit is retried like any other (SPEC section 5).
const maxConcurrentChecks = 32

// checkProfiles checks several profiles concurrently (at most maxConcurrentChecks at once) and
// returns the entries in name order.
func (a *app) checkProfiles(ctx context.Context, s *store.Store, names []string) []checkEntry {
	entries := make([]checkEntry, len(names))
	sem := make(chan struct{}, maxConcurrentChecks)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			entries[i] = a.checkProfile(ctx, s, name, false)
		}()
	}
	wg.Wait()
	a.recordChecks(s, entries)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Profile < entries[j].Profile })
	return entries
}

// checkProfile loads one stored profile and checks it with its cached endpoints; recordChecks
// then writes the results into the config.
func (a *app) checkProfile(ctx context.Context, s *store.Store, name string, progress bool) checkEntry {
	meta, merr := s.Meta(name)
	sec, err := s.Load(ctx, name)
	if err != nil {
		e := checkEntry{Profile: name, Source: "keyring", CheckedAt: time.Now().UTC(), Warnings: []string{}}
		if merr == nil {
			e.Issuer, e.ClientID, e.AccessKeyID = meta.Issuer, auth.Mask(meta.ClientID), auth.Mask(meta.AccessKeyID)
			e.ident = &store.MetaUpdate{Issuer: meta.Issuer, ClientID: meta.ClientID, AccessKeyID: meta.AccessKeyID}
		}
		if errors.Is(err, store.ErrNotFound) {
			e.Status, e.err = statusMissing, &profileNotFound{name: name}
			e.Error = &checkError{Kind: "not_found", Message: e.err.Error()}
		} else {
			e.Status, e.err = statusError, err
			e.Error = &checkError{Kind: "keyring", Message: errorText(err)}
		}
		return e
	}
	issuer := sec.Issuer
	if issuer == "" {
		issuer = a.set.issuer
	}
	// The cached endpoints come from the keyring item, bound to its issuer; config.json's
	// copies are for display only.
	e := a.checkCredentials(ctx, name, "keyring", issuer, sec.Credentials(), sec.AuthCache(), progress)
	e.ident = &store.MetaUpdate{Issuer: sec.Issuer, ClientID: sec.ClientID, AccessKeyID: sec.AccessKeyID}
	if e.Status == statusValid && e.result != nil && sec.Issuer != "" {
		a.rememberEndpoints(ctx, s, name, sec, e.result)
	}
	return e
}

// rememberEndpoints stores what a check learnt in the profile's keyring item when it differs
// from the cache there, unless the profile's credentials changed meanwhile. It is a shortcut
// for later checks: a failure is only logged.
func (a *app) rememberEndpoints(ctx context.Context, s *store.Store, name string, sec store.Secret, r *auth.Result) {
	if c := sec.AuthCache(); c != nil && *c == r.Cache() {
		return
	}
	fresh := store.CacheFromResult(r)
	if _, err := s.UpdateSecret(ctx, name, sec, func(x *store.Secret) { x.Cache = fresh }); err != nil {
		a.set.logger.Debug("endpoints not cached", "profile", name, "err", err)
	}
}

// recordChecks writes the outcome of the checks of stored profiles into their config entries,
// in one write. Missing profiles are not recorded. A failure to record is a warning, not a
// failed check.
func (a *app) recordChecks(s *store.Store, entries []checkEntry) {
	updates := map[string]store.MetaUpdate{}
	for _, e := range entries {
		if e.Status != statusMissing && e.ident != nil {
			u := *e.ident
			u.Apply = recordCheck(e)
			updates[e.Profile] = u
		}
	}
	if len(updates) == 0 {
		return
	}
	if _, err := s.UpdateMetasIf(updates); err != nil {
		fmt.Fprintf(a.errw(), "cxone-auth: warning: could not record the check results: %s\n", errorText(err))
	}
}

// recordCheck is the config update for one check's outcome.
func recordCheck(e checkEntry) func(*store.Meta) {
	return func(m *store.Meta) {
		m.LastCheckAt = e.CheckedAt
		m.LastCheckStatus = e.Status
		m.LastErrorKind = ""
		if e.Error != nil {
			m.LastErrorKind = e.Error.Kind
		}
		if e.Status != statusValid {
			return
		}
		if e.result == nil {
			return
		}
		r := e.result
		m.TokenEndpoint, m.AuthMethod = r.TokenEndpoint, r.AuthMethod
		if r.User != "" {
			m.User = r.User
		}
		if r.TenantID != "" {
			m.TenantID, m.Tenant = r.TenantID, r.Tenant
		}
		if r.BusinessUnitID != 0 {
			m.BusinessUnitID, m.BusinessUnit = r.BusinessUnitID, r.BusinessUnit
		}
		if r.Area != "" {
			m.Area = r.Area
		}
		m.APIEndpoint = r.APIEndpoint
	}
}
