package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// credentialNames are the four variables of SPEC section 2, in the order people fill them in.
var credentialNames = []string{"CXONE_CLIENT_ID", "CXONE_CLIENT_SECRET", "CXONE_ACCESS_KEY_ID", "CXONE_ACCESS_KEY_SECRET"}

// readEnvFileFlag reads --env-file FILE; "" means no file. A missing or malformed file is a
// usage error (exit 2): the input named on the command line is wrong.
func (a *app) readEnvFileFlag(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	vars, err := store.ReadEnvFile(path)
	if err != nil {
		return nil, usageErrorHint("The file holds lines such as CXONE_CLIENT_ID=... for "+strings.Join(credentialNames, ", ")+".",
			"%v", err)
	}
	return vars, nil
}

// credentialsFrom takes the four credentials from vars (an --env-file) or, when vars is nil,
// from the process environment. Credentials come only from the source named on the command
// line: an --env-file that lacks one is an error even if the environment has it, so a check
// never mixes two sets of credentials.
func (a *app) credentialsFrom(vars map[string]string, path string) (auth.Credentials, error) {
	get := a.getenv
	where := "the environment"
	if vars != nil {
		get = func(k string) string { return vars[k] }
		where = path
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
func (a *app) checkCredentials(ctx context.Context, profile, source, issuer string, c auth.Credentials, cache *auth.Cache, progress bool) checkEntry {
	e := checkEntry{
		Profile:     profile,
		Source:      source,
		Issuer:      issuer,
		ClientID:    auth.Mask(c.ClientID),
		AccessKeyID: auth.Mask(c.AccessKeyID),
		Warnings:    []string{},
	}
	opts := auth.Options{Issuer: issuer, Scope: a.set.scope, Cache: cache, Logger: a.set.logger}
	if progress && isTerminal(a.io.err) {
		opts.Progress = a.drawStage
	}
	start := time.Now()
	res, err := a.client().Check(ctx, c, opts)
	e.CheckedAt = start.UTC().Truncate(time.Second)
	e.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		e.err = err
		kind := auth.KindOf(err)
		e.Status = statusError
		if kind.Rejected() {
			e.Status = statusRejected
		}
		e.Error = &checkError{Kind: string(kind), Message: errorText(err)}
		return e
	}
	e.result = res
	e.Status = statusValid
	e.User, e.TenantID, e.Tenant = res.User, auth.Mask(res.TenantID), res.Tenant
	e.BusinessUnitID, e.BusinessUnit = res.BusinessUnitID, res.BusinessUnit
	e.Area, e.APIEndpoint, e.AuthMethod = res.Area, res.APIEndpoint, res.AuthMethod
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
func (a *app) drawStage(ev auth.StageEvent) {
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
	fmt.Fprintln(a.io.err, line)
}

func (a *app) writeCheckJSON(entries []checkEntry) error {
	if entries == nil {
		entries = []checkEntry{}
	}
	enc := json.NewEncoder(a.out())
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Profiles []checkEntry `json:"profiles"`
	}{entries}); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// writeCheckReport prints the human-readable report: what was found on success, what went
// wrong and what to do about it on failure.
func (a *app) writeCheckReport(entries []checkEntry) {
	st := newTextStyles(a.out(), a.set.noColor)
	w := a.out()
	for i, e := range entries {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeEntry(w, st, e)
	}
}

func writeEntry(w io.Writer, st textStyles, e checkEntry) {
	head := e.Profile
	if e.Source != "keyring" {
		head = e.Source
	}
	switch e.Status {
	case statusValid:
		fmt.Fprintf(w, "%s %s: credentials are valid %s\n", st.ok("✓"), st.bold(head), st.faint(fmt.Sprintf("(%d ms)", e.DurationMS)))
	case statusMissing:
		fmt.Fprintf(w, "%s %s: not found\n", st.bad("✗"), st.bold(head))
	default:
		fmt.Fprintf(w, "%s %s: %s\n", st.bad("✗"), st.bold(head), e.Error.Message)
	}
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-15s %s\n", k, v)
		}
	}
	if e.Status == statusValid {
		row("User", e.User)
		tenant := e.Tenant
		if e.TenantID != "" {
			tenant = strings.TrimSpace(tenant + " (" + e.TenantID + ")")
		}
		row("Tenant", tenant)
		if e.BusinessUnitID != 0 {
			if e.BusinessUnit != "" {
				row("Business unit", fmt.Sprintf("%s (%d)", e.BusinessUnit, e.BusinessUnitID))
			} else {
				row("Business unit", strconv.FormatInt(e.BusinessUnitID, 10))
			}
		}
		row("Area", e.Area)
		api := e.APIEndpoint
		if api == "" {
			api = "unknown"
		}
		row("API endpoint", api)
		if e.TokenExpiresAt != nil {
			row("Token expires", fmt.Sprintf("%s (in %s)", e.TokenExpiresAt.Format(time.RFC3339), time.Until(*e.TokenExpiresAt).Round(time.Minute)))
		}
		row("Auth method", e.AuthMethod)
	}
	row("Issuer", e.Issuer)
	row("Client ID", e.ClientID)
	row("Access key ID", e.AccessKeyID)
	for _, warn := range e.Warnings {
		fmt.Fprintf(w, "  %s %s\n", st.warn("!"), warn)
	}
	if e.Status != statusValid {
		if fix := fixAdvice(e); fix != "" {
			fmt.Fprintf(w, "  %s %s\n", st.bold("What to do:"), fix)
		}
	}
}

// fixAdvice says what to change for each kind of failure.
func fixAdvice(e checkEntry) string {
	if e.Error == nil {
		return ""
	}
	setup := "cxone-auth setup"
	if e.Source == "keyring" && e.Profile != "default" {
		setup += " --profile " + e.Profile
	}
	switch e.Error.Kind {
	case string(auth.KindInvalidClient):
		return "the Client ID or Client Secret is wrong, or the application is not approved yet or disabled. Compare them with the email from NICE, then run '" + setup + "'."
	case string(auth.KindInvalidGrant):
		return "the Access Key ID or Secret is wrong, inactive or revoked, or its user is deactivated. Create a new key (My Profile → Access Keys → Add access key), then run '" + setup + "'."
	case string(auth.KindUnauthorized):
		return "CXone issued a token but the API refused it: the user behind the access key may lack API permissions. Check the user's role in CXone."
	case string(auth.KindTimeout), string(auth.KindNetwork):
		return "CXone could not be reached. Check the network and the issuer (--issuer, --environment), or raise --timeout, then try again."
	case string(auth.KindServer):
		return "CXone answered with a server error. Try again in a few minutes."
	case string(auth.KindProtocol):
		return "CXone's answer was not what was expected. Check the issuer URL; run with --debug for details."
	case "keyring":
		return "the keyring could not be read. Unlock it, or pick another with --keyring-backend; run with --debug for details."
	case "not_found":
		return "run '" + setup + "' to create it, or 'cxone-auth list' to see what exists."
	}
	return ""
}
