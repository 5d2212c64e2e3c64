package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/internal/app"
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
	return json.Marshal(struct {
		Profile string `json:"profile"`
		Source  string `json:"source"`
		Status  string `json:"status"`
		viewJSON
		TokenExpiresAt *time.Time  `json:"token_expires_at,omitempty"`
		CheckedAt      time.Time   `json:"checked_at"`
		DurationMS     int64       `json:"duration_ms"`
		Warnings       []string    `json:"warnings"`
		Error          *checkError `json:"error"`
	}{e.Name, e.Source, e.Status, viewFields(e.View), e.TokenExpiresAt, e.CheckedAt, e.DurationMS, e.Warnings, e.Error})
}

// viewJSON is what check --json and list --json both give of a profile's view, in this order
// and with the IDs in full.
type viewJSON struct {
	Issuer         string `json:"issuer,omitempty"`
	ClientID       string `json:"client_id,omitempty"`
	AccessKeyID    string `json:"access_key_id,omitempty"`
	User           string `json:"user,omitempty"`
	TenantID       string `json:"tenant_id,omitempty"`
	Tenant         string `json:"tenant,omitempty"`
	BusinessUnitID int64  `json:"business_unit_id,omitempty"`
	BusinessUnit   string `json:"business_unit,omitempty"`
	Area           string `json:"area,omitempty"`
	Cluster        string `json:"cluster,omitempty"`
	APIEndpoint    string `json:"api_endpoint,omitempty"`
	AuthMethod     string `json:"auth_method,omitempty"`
}

func viewFields(v store.View) viewJSON {
	return viewJSON{v.Issuer, v.Full.ClientID, v.Full.AccessKeyID, v.User, v.Full.TenantID, v.Tenant,
		v.BusinessUnitID, v.BusinessUnit, v.Area, v.Cluster, v.APIEndpoint, v.AuthMethod}
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
		a, err := f.App()
		if err != nil {
			return err
		}
		names, cfg, err := a.Names()
		if err != nil {
			return err
		}
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
		results, rerr := a.CheckAll(ctx, cfg, make(chan struct{}, maxConcurrentChecks))
		entries = entriesOf(results)
		f.warnRecord(rerr)
	default:
		a, err := f.App()
		if err != nil {
			return err
		}
		name := f.profileArg() // "": the config's default profile, from the check's own read of it
		warn := func(name string, m *store.Meta) {
			if o.IssuerFlag && m != nil && m.Issuer != "" && m.Issuer != f.Settings.Issuer {
				fmt.Fprintf(f.IO.ErrOut, "Warning: profile %q is checked against its stored issuer %s, not %s. To move it to another issuer, edit it: cxone-auth setup --profile %s --issuer URL\n",
					name, auth.Sanitize(m.Issuer), f.Settings.Issuer, name)
			}
		}
		r, rerr := a.Check(ctx, name, app.CheckOptions{Progress: f.progress(!o.JSON), Before: warn})
		entries = []checkEntry{entryOf(r)}
		f.warnRecord(rerr)
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
	return entryOf(f.newApp(nil).CheckCredentials(ctx, profile, source, issuer, c, cache, f.progress(progress)))
}

// progress is what draws a single check's stages on stderr: only when asked and stderr is a
// terminal.
func (f *Factory) progress(on bool) func(auth.StageEvent) {
	if on && f.IO.IsStderrTTY() {
		return f.drawStage
	}
	return nil
}

// entryOf is the report entry of a check's result.
func entryOf(r app.Result) checkEntry {
	e := checkEntry{View: r.View, Source: r.Source, Status: r.Status, TokenExpiresAt: r.TokenExpiresAt, CheckedAt: r.CheckedAt,
		DurationMS: r.DurationMS, Warnings: r.Warnings, err: r.Err, result: r.Check, ident: r.Ident}
	if r.Err != nil {
		e.Error = &checkError{Kind: r.ErrorKind, Message: r.ErrorMessage}
	}
	return e
}

func entriesOf(rs []app.Result) []checkEntry {
	out := make([]checkEntry, len(rs))
	for i, r := range rs {
		out[i] = entryOf(r)
	}
	return out
}

// result is the check's result behind a report entry.
func (e checkEntry) appResult() app.Result {
	r := app.Result{View: e.View, Source: e.Source, Status: e.Status, TokenExpiresAt: e.TokenExpiresAt, CheckedAt: e.CheckedAt,
		DurationMS: e.DurationMS, Warnings: e.Warnings, Err: e.err, Check: e.result, Ident: e.ident}
	if e.Error != nil {
		r.ErrorKind, r.ErrorMessage = e.Error.Kind, e.Error.Message
	}
	return r
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

// checkLoaded checks a stored profile whose keyring item was read (sec, or the error of the
// read); meta is its config entry, nil when it has none (app.CheckLoaded).
func (f *Factory) checkLoaded(ctx context.Context, s *store.Store, name string, meta *store.Meta, sec store.Secret, err error, progress bool) checkEntry {
	return entryOf(f.newApp(s).CheckLoaded(ctx, name, meta, sec, err, f.progress(progress)))
}

// recordChecks writes the outcome of the checks of stored profiles into their config entries,
// in one write (app.Record). A failure to record is a warning, not a failed check.
func (f *Factory) recordChecks(s *store.Store, entries []checkEntry) {
	rs := make([]app.Result, len(entries))
	for i, e := range entries {
		rs[i] = e.appResult()
	}
	f.warnRecord(f.newApp(s).Record(rs))
}

// warnRecord says that check results could not be recorded.
func (f *Factory) warnRecord(err error) {
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "cxone-auth: warning: could not record the check results: %s\n", errorText(err))
	}
}
