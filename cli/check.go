package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// CheckOptions are the parsed options of `check`.
type CheckOptions struct {
	F       *Factory
	All     bool
	FromEnv bool
	EnvFile string
	JSON    bool
	// IssuerFlag is set when --issuer, --environment or CXONE_ISSUER named an issuer.
	IssuerFlag bool
}

func newCheckCmd(f *Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{F: f}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check credentials live against CXone",
		Long: `Check re-validates credentials live against CXone: OIDC discovery, a token with the access key, tenant discovery and a proof API call. A profile checked before goes straight to token and proof. --env-file FILE or --from-env checks those values instead of a stored profile; nothing is stored.

Exit codes: 0 valid, 1 network, server or keyring failure, 2 usage, 3 credentials rejected, 4 no such profile. With --all: 3 if any profile was rejected, else 1 if any failed, else 4 if there are none, else 0.`,
		Example: `  cxone-auth check
  cxone-auth check --all
  cxone-auth check --profile prod --json | jq -r '.profiles[0].status'
  cxone-auth check --env-file .env`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.IssuerFlag = f.Settings.IssuerSet
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return checkRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.All, "all", false, "check every stored profile (concurrently)")
	fl.BoolVar(&opts.FromEnv, "from-env", false, "check the CXONE_* variables of the environment")
	fl.StringVar(&opts.EnvFile, "env-file", "", "check the CXONE_* values of `FILE` (- = stdin)")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	return cmd
}

func (o *CheckOptions) validate(cmd *cobra.Command) error {
	switch {
	case o.FromEnv && o.EnvFile != "":
		return usageErrorHint(helpHint(cmd), "--from-env and --env-file both name the credentials: give one of them")
	case o.All && (o.FromEnv || o.EnvFile != ""):
		return usageErrorHint(helpHint(cmd), "--all checks stored profiles: it does not combine with --from-env or --env-file")
	case o.All && changed(cmd.Flags(), "profile"):
		return usageErrorHint(helpHint(cmd), "--all checks every profile: it does not combine with --profile")
	}
	return nil
}

// checkEntry is one profile in `check --json` and in the report.
type checkEntry struct {
	store.View
	Source         string      `json:"source"`
	Status         string      `json:"status"`
	TokenExpiresAt *time.Time  `json:"token_expires_at,omitempty"`
	CheckedAt      time.Time   `json:"checked_at"`
	DurationMS     int64       `json:"duration_ms"`
	Warnings       []string    `json:"warnings"`
	Error          *checkError `json:"error"`

	err    error        // the error behind Error, for exit codes
	result *auth.Result // the successful check, for the config
	// ident is the identity (issuer, client ID, access key ID) a stored profile was checked
	// with; its result is recorded only if the config entry still has it.
	ident *store.MetaUpdate
}

type checkError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Statuses of a check: the one vocabulary (store.Statuses).
const (
	statusValid       = store.StatusValid
	statusRejected    = store.StatusRejected
	statusUnreachable = store.StatusUnreachable
	statusError       = store.StatusError
	statusMissing     = store.StatusMissing
)

// MarshalJSON writes an entry as `check --json` gives it: the IDs in full (scripts use them;
// they are not secrets; the text report masks them), in the order of docs/cli-habits.md.
func (e checkEntry) MarshalJSON() ([]byte, error) {
	v := e.View
	return json.Marshal(struct {
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
		Cluster        string      `json:"cluster,omitempty"`
		APIEndpoint    string      `json:"api_endpoint,omitempty"`
		AuthMethod     string      `json:"auth_method,omitempty"`
		TokenExpiresAt *time.Time  `json:"token_expires_at,omitempty"`
		CheckedAt      time.Time   `json:"checked_at"`
		DurationMS     int64       `json:"duration_ms"`
		Warnings       []string    `json:"warnings"`
		Error          *checkError `json:"error"`
	}{v.Name, e.Source, e.Status, v.Issuer, v.Full.ClientID, v.Full.AccessKeyID, v.User, v.Full.TenantID, v.Tenant,
		v.BusinessUnitID, v.BusinessUnit, v.Area, v.Cluster, v.APIEndpoint, v.AuthMethod,
		e.TokenExpiresAt, e.CheckedAt, e.DurationMS, e.Warnings, e.Error})
}

func checkRun(ctx context.Context, o *CheckOptions) error {
	f := o.F
	var entries []checkEntry
	switch {
	case o.FromEnv || o.EnvFile != "":
		source, vars := "environment", map[string]string(nil)
		if o.EnvFile != "" {
			source, vars = "env-file", f.Settings.EnvFile
		}
		creds, err := f.credentialsFrom(vars, o.EnvFile)
		if err != nil {
			return err
		}
		entries = []checkEntry{f.checkCredentials(ctx, f.ProfileName(), source, f.Settings.Issuer, creds, nil, !o.JSON)}
	case o.All:
		s, err := f.Store()
		if err != nil {
			return err
		}
		cfg, err := s.Config()
		if err != nil {
			return err
		}
		names := make([]string, 0, len(cfg.Profiles))
		for n := range cfg.Profiles {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) == 0 {
			if o.JSON {
				if err := writeJSON(f.IO.Out, checkReport{Profiles: []checkEntry{}}); err != nil {
					return err
				}
			}
			return &exitError{code: exitNotFound, err: errors.New("no profiles stored yet: run 'cxone-auth setup' to create one")}
		}
		// The passphrase is asked (and asked again, up to three tries) before the checks
		// start; a failure, three wrong passphrases included, is each profile's own, in its row.
		_ = f.unlockKeyring(ctx)
		entries = f.checkProfiles(ctx, s, cfg, names)
	default:
		s, err := f.Store()
		if err != nil {
			return err
		}
		name := f.ProfileName()
		if o.IssuerFlag {
			if m, err := s.Meta(name); err == nil && m.Issuer != "" && m.Issuer != f.Settings.Issuer {
				fmt.Fprintf(f.IO.ErrOut, "Warning: profile %q is checked against its stored issuer %s, not %s. To move it to another issuer, edit it: cxone-auth setup --profile %s --issuer URL\n",
					name, auth.Sanitize(m.Issuer), f.Settings.Issuer, name)
			}
		}
		entries = []checkEntry{f.checkProfile(ctx, s, name, !o.JSON)}
		f.recordChecks(s, entries)
	}

	if o.JSON {
		if err := writeJSON(f.IO.Out, checkReport{Profiles: entries}); err != nil {
			return err
		}
	} else {
		w, flush := bufferedStyled(f.IO.Out, f.Env, f.Settings.NoColor)
		if o.All {
			writeCompactReport(w, entries, time.Now())
		} else {
			writeCheckReport(w, entries)
		}
		_ = flush() // as before buffering: the exit code is the checks' own
	}
	if code := checkExitCode(entries); code != exitOK {
		return silentExit(code)
	}
	return nil
}

type checkReport struct {
	Profiles []checkEntry `json:"profiles"`
}

// checkExitCode maps a set of results to the exit code: one result keeps its own code; with
// several, 3 if any was rejected, else 1 if any failed, else 0.
func checkExitCode(entries []checkEntry) int {
	if len(entries) == 0 {
		return exitNotFound
	}
	if len(entries) == 1 {
		switch e := entries[0]; e.Status {
		case statusValid:
			return exitOK
		case statusMissing:
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
		case statusError, statusUnreachable, statusMissing:
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

// credentialsFrom takes the four credentials from vars (an --env-file) or, when vars is nil,
// from the environment. Credentials come only from the source named on the command line: an
// --env-file that lacks one is an error even if the environment has it, so a check never mixes
// two sets of credentials.
func (f *Factory) credentialsFrom(vars map[string]string, path string) (auth.Credentials, error) {
	get := f.Env.Getenv
	where := "the environment"
	if vars != nil {
		get = func(k string) string { return vars[k] }
		where = path
		if path == "-" {
			where = "stdin"
		}
	}
	var missing []string
	val := func(k string) string {
		v := strings.TrimSpace(get(k))
		if v == "" {
			missing = append(missing, k)
		}
		return v
	}
	c := auth.Credentials{
		ClientID:        val("CXONE_CLIENT_ID"),
		ClientSecret:    val("CXONE_CLIENT_SECRET"),
		AccessKeyID:     val("CXONE_ACCESS_KEY_ID"),
		AccessKeySecret: val("CXONE_ACCESS_KEY_SECRET"),
	}
	if len(missing) > 0 {
		return c, usageErrorHint("Set all four: "+strings.Join(credentialNames, ", ")+".",
			"%s: missing or empty: %s", where, strings.Join(missing, ", "))
	}
	if err := c.Validate(); err != nil {
		return c, usageError("%s: %v", where, err)
	}
	return c, nil
}

// checkCredentials runs the live check and turns its outcome into a report entry. With
// progress, each stage is drawn on stderr as it finishes when stderr is a terminal.
func (f *Factory) checkCredentials(ctx context.Context, profile, source, issuer string, c auth.Credentials, cache *auth.Cache, progress bool) checkEntry {
	e := checkEntry{
		View:     store.ViewOfCheck(profile, issuer, c, nil),
		Source:   source,
		Warnings: []string{},
	}
	opts := auth.Options{Issuer: issuer, Scope: f.Settings.Scope, Cache: cache, Logger: f.Settings.Logger}
	if progress && f.IO.IsStderrTTY() {
		opts.Progress = f.drawStage
	}
	start := time.Now()
	res, err := f.Client().Check(ctx, c, opts)
	e.CheckedAt = start.UTC().Truncate(time.Second)
	e.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		e.err = err
		kind := auth.KindOf(err)
		e.Status = store.StatusOf(kind)
		e.Error = &checkError{Kind: string(kind), Message: errorText(err)}
		return e
	}
	e.result = res
	e.Status = statusValid
	e.View = store.ViewOfCheck(profile, issuer, c, res)
	if !res.TokenExpiresAt.IsZero() {
		t := res.TokenExpiresAt.UTC()
		e.TokenExpiresAt = &t
	}
	for _, w := range res.Warnings {
		e.Warnings = append(e.Warnings, auth.Sanitize(w))
	}
	return e
}

// drawStage prints one finished stage of a single check on stderr.
func (f *Factory) drawStage(ev auth.StageEvent) {
	var mark string
	switch ev.State {
	case auth.StateRunning:
		return
	case auth.StateDone:
		mark = "✓"
	case auth.StateWarning:
		mark = "!"
	case auth.StateSkipped:
		mark = "-"
	case auth.StateFailed:
		mark = "✗"
	}
	line := fmt.Sprintf("  %s %s", mark, ev.Stage)
	if ev.Detail != "" {
		line += " (" + auth.Sanitize(ev.Detail) + ")"
	}
	fmt.Fprintln(f.IO.ErrOut, line)
}

// maxConcurrentChecks bounds check --all: at most this many checks (each one request at a
// time: token, then proof) are in flight against CXone at once. Measured over 100 profiles with
// 50 ms of latency on 2 cores (README, "Reliability and performance"): with 32, 100 profiles
// took 3.2 times one check (four rounds of two round trips); with 48, 2.5 times; 64 and 100
// took the same time when run in turn against each other (ratio 0.99), because from there the
// decryption of the keyring items, not the bound, paces the checks. 64 keeps a burst at
// CXone's token endpoint to 64 requests (a 429 is retried with Retry-After like any other
// answer of its kind) and every in-flight request on one HTTP/2 connection per host under the
// usual limit of 100 streams. The shared client's connection reuse is what made each check
// cheaper: with TLS it saves a handshake per profile.
const maxConcurrentChecks = 64

// checkProfiles checks several profiles concurrently (at most maxConcurrentChecks at once),
// records the results in one config write, and returns the entries in name order. cfg is the
// config the names came from: one read serves every profile's metadata.
func (f *Factory) checkProfiles(ctx context.Context, s *store.Store, cfg store.Config, names []string) []checkEntry {
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	entries := make([]checkEntry, len(names))
	f.checkEach(ctx, s, cfg, names, make(chan struct{}, maxConcurrentChecks), func(name string, e checkEntry) {
		entries[index[name]] = e // each name once: no two calls write the same element
	})
	f.recordChecks(s, entries)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries
}

// checkEach checks several profiles concurrently, at most cap(slots) at once, and hands each
// profile's entry to fn as soon as its check ends (from the goroutine that ran it; fn may be called from
// several at once). It records nothing. The keyring is opened once for all of them (one
// passphrase, the decryptions spread over the cores), and each profile's check starts as soon
// as its item is decrypted, so the requests of the first profiles overlap the decryption of
// the others. It returns after the last call of fn.
func (f *Factory) checkEach(ctx context.Context, s *store.Store, cfg store.Config, names []string, slots chan struct{}, fn func(string, checkEntry)) {
	var wg sync.WaitGroup
	s.LoadEach(ctx, names, func(name string, r store.LoadResult) {
		var meta *store.Meta
		if m, ok := cfg.Profiles[name]; ok {
			meta = &m
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				// The check below fails at once on the ended context, with its own error.
			}
			fn(name, f.checkLoaded(ctx, s, name, meta, r.Secret, r.Err, false))
		}()
	})
	wg.Wait()
}

// checkProfile loads one stored profile and checks it against its stored issuer, with the
// endpoints its last check learnt.
func (f *Factory) checkProfile(ctx context.Context, s *store.Store, name string, progress bool) checkEntry {
	var meta *store.Meta
	if m, err := s.Meta(name); err == nil {
		meta = &m
	}
	var sec store.Secret
	err := f.passphraseTries(func() (err error) {
		sec, err = s.Load(ctx, name)
		return err
	})
	return f.checkLoaded(ctx, s, name, meta, sec, err, progress)
}

// checkLoaded checks a stored profile whose keyring item was read (sec, or the error of the
// read); meta is its config entry, nil when it has none.
func (f *Factory) checkLoaded(ctx context.Context, s *store.Store, name string, meta *store.Meta, sec store.Secret, err error, progress bool) checkEntry {
	if err != nil {
		e := checkEntry{View: store.View{Name: name}, Source: "keyring", CheckedAt: time.Now().UTC().Truncate(time.Second), Warnings: []string{}}
		if meta != nil {
			e.View = store.ViewOfMeta(name, *meta)
			e.ident = &store.MetaUpdate{Issuer: meta.Issuer, ClientID: meta.ClientID, AccessKeyID: meta.AccessKeyID}
		}
		if errors.Is(err, store.ErrNotFound) {
			e.Status, e.err = statusMissing, &profileNotFound{name: name}
			e.Error = &checkError{Kind: string(auth.KindNotFound), Message: e.err.Error()}
		} else {
			e.Status, e.err = statusError, err
			e.Error = &checkError{Kind: string(auth.KindKeyring), Message: errorText(err)}
		}
		return e
	}
	issuer := sec.Issuer
	if issuer == "" {
		issuer = f.Settings.Issuer
	}
	// The cached endpoints come from the keyring item, bound to its issuer; config.json's
	// copies are for display only.
	e := f.checkCredentials(ctx, name, "keyring", issuer, sec.Credentials(), sec.AuthCache(), progress)
	e.ident = &store.MetaUpdate{Issuer: sec.Issuer, ClientID: sec.ClientID, AccessKeyID: sec.AccessKeyID}
	if e.result == nil && meta != nil && meta.ClientID == sec.ClientID && meta.AccessKeyID == sec.AccessKeyID {
		// A failed check learnt nothing: show who the profile was for, from its last check.
		last := store.ViewOfMeta(name, *meta)
		e.User, e.TenantID, e.Tenant = last.User, last.TenantID, last.Tenant
		e.BusinessUnitID, e.BusinessUnit, e.Area = last.BusinessUnitID, last.BusinessUnit, last.Area
		e.Cluster, e.Full.TenantID = last.Cluster, last.Full.TenantID
	}
	if e.Status == statusValid && e.result != nil && sec.Issuer != "" {
		f.rememberEndpoints(ctx, s, name, sec, e.result)
	}
	return e
}

// rememberEndpoints stores what a check learnt in the profile's keyring item when the
// endpoints differ from the cache there, unless the profile's credentials changed meanwhile.
// It is a shortcut for later checks: a failure is only logged.
func (f *Factory) rememberEndpoints(ctx context.Context, s *store.Store, name string, sec store.Secret, r *auth.Result) {
	fresh := store.CacheFromResult(r)
	fresh.Inherit(sec.Cache)
	if sec.Cache.SameFindings(fresh) {
		return
	}
	if _, err := s.UpdateSecret(ctx, name, sec, func(x *store.Secret) { x.Cache = fresh }); err != nil {
		f.Settings.Logger.Debug("endpoints not cached", "profile", name, "err", err)
	}
}

// recordChecks writes the outcome of the checks of stored profiles into their config entries,
// in one write. Missing profiles are not recorded. A failure to record is a warning, not a
// failed check.
func (f *Factory) recordChecks(s *store.Store, entries []checkEntry) {
	updates := map[string]store.MetaUpdate{}
	for _, e := range entries {
		if e.Status != statusMissing && e.ident != nil {
			u := *e.ident
			u.Apply = recordCheck(e)
			updates[e.Name] = u
		}
	}
	if len(updates) == 0 {
		return
	}
	if _, err := s.UpdateMetasIf(updates); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "cxone-auth: warning: could not record the check results: %s\n", errorText(err))
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
		if e.Status == statusValid && e.result != nil {
			m.Learn(e.result)
		}
	}
}
