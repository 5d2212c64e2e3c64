package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/cyclr"
	"cxone-auth/steps"
	"cxone-auth/store"
)

// CyclrOptions are the parsed options of the `cyclr` commands.
type CyclrOptions struct {
	F       *Factory
	FromEnv bool
	EnvFile string
	Account string
	Name    string
	Maps    []string
	DryRun  bool
	Live    bool
	JSON    bool
}

// The Cyclr API client's variables (cyclr login --from-env / --env-file).
const (
	cyclrEnvClientID     = "CYCLR_CLIENT_ID"
	cyclrEnvClientSecret = "CYCLR_CLIENT_SECRET"
	cyclrEnvDomain       = "CYCLR_API_DOMAIN"
)

func newCyclrCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cyclr",
		Short: "Put a profile to work in Cyclr",
		Long: `cyclr installs a verified profile into Cyclr accounts as the NICE CXone connector's account credentials (the Access Key ID and Secret), with Cyclr's partner API.

The Cyclr partner enters the CXone Client ID and Client Secret once, in the Cyclr console: Connectors → Application Connector Library → Nice CXOne → Setup Required (username = Client ID, password = Client Secret). Each account that installs the connector then gets the access key of a user on the business unit its calls are for: that is what 'cxone-auth cyclr install' sends, after checking the profile live against CXone.

Exit codes: 0 ok, 1 network or server failure, 2 usage, 3 rejected (by CXone, or a 401 from Cyclr, or an install Cyclr does not report as authenticated), 4 no such profile, account, connector or Cyclr login.`,
		Example: `  cxone-auth cyclr login --env-file cyclr.env
  cxone-auth cyclr inspect
  cxone-auth cyclr install --profile prod --account ACCOUNT_ID
  cxone-auth cyclr list --live`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorHint(helpHint(cmd), "cyclr needs a command: login, inspect, install or list")
		},
	}
	cmd.AddCommand(newCyclrLoginCmd(f), newCyclrInspectCmd(f), newCyclrInstallCmd(f), newCyclrListCmd(f))
	return cmd
}

func newCyclrLoginCmd(f *Factory) *cobra.Command {
	o := &CyclrOptions{F: f}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Store a Cyclr API client, after getting a token with it",
		Long: `login stores a Cyclr API client (Partner Console → Settings → OAuth Client Credentials) and its API domain (api.cyclr.com, api.cyclr.uk, api.eu.cyclr.com, api.apac.cyclr.com or a private instance's) as its own keyring item, after getting a token with it live. A second login replaces the stored client only once its own check passed.

The values come from a masked prompt on a terminal, or from CYCLR_CLIENT_ID, CYCLR_CLIENT_SECRET and CYCLR_API_DOMAIN with --from-env or --env-file FILE (- = stdin); never from flags. CYCLR_API_DOMAIN defaults to api.cyclr.com.`,
		Example: `  cxone-auth cyclr login
  cxone-auth cyclr login --env-file cyclr.env`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.FromEnv && o.EnvFile != "" {
				return usageErrorHint(helpHint(cmd), "--from-env and --env-file both name the Cyclr client: give one of them")
			}
			return cyclrLoginRun(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.FromEnv, "from-env", false, "read the CYCLR_* variables from the environment")
	cmd.Flags().StringVar(&o.EnvFile, "env-file", "", "read them from this file (- = stdin)")
	return cmd
}

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

// cyclrErr gives a Cyclr failure its exit code: 3 for a 401 or a rejected API client, 4 for
// a missing account or connector, else the error as it is (1).
func cyclrErr(err error, hint string) error {
	switch cyclr.KindOf(err) {
	case cyclr.KindRejected:
		return &exitError{code: exitRejected, err: err, hint: hint}
	case cyclr.KindNotFound:
		return &exitError{code: exitNotFound, err: err, hint: hint}
	}
	return err
}

// cyclrReadLine asks for a value that is not a secret, where the other prompts go (the
// controlling terminal, else stderr).
func cyclrReadLine(ctx context.Context, io *IOStreams, prompt string) (string, error) {
	return io.ReadLine(ctx, prompt)
}

func cyclrLoginRun(ctx context.Context, o *CyclrOptions) error {
	f := o.F
	var domain, id, secret string
	switch {
	case o.FromEnv || o.EnvFile != "":
		get, where := f.Env.Getenv, "the environment"
		if o.EnvFile != "" {
			vars := f.Settings.EnvFile
			get, where = func(k string) string { return vars[k] }, o.EnvFile
			if o.EnvFile == "-" {
				where = "stdin"
			}
		}
		domain = strings.TrimSpace(get(cyclrEnvDomain))
		id, secret = strings.TrimSpace(get(cyclrEnvClientID)), strings.TrimSpace(get(cyclrEnvClientSecret))
		var missing []string
		if id == "" {
			missing = append(missing, cyclrEnvClientID)
		}
		if secret == "" {
			missing = append(missing, cyclrEnvClientSecret)
		}
		if len(missing) > 0 {
			return usageErrorHint("Set "+cyclrEnvClientID+" and "+cyclrEnvClientSecret+" (and "+cyclrEnvDomain+" unless it is "+cyclr.DefaultDomain+").",
				"%s: missing or empty: %s", where, strings.Join(missing, ", "))
		}
	case f.IO.IsStdinTTY():
		fmt.Fprintln(f.IO.ErrOut, "Cyclr API client: Partner Console → Settings → OAuth Client Credentials.")
		var err error
		if domain, err = cyclrReadLine(ctx, f.IO, "API domain ["+cyclr.DefaultDomain+"]: "); err != nil {
			return err
		}
		if id, err = cyclrReadLine(ctx, f.IO, "Client ID: "); err != nil {
			return err
		}
		if secret, err = f.IO.ReadSecret(ctx, "Client Secret: "); err != nil {
			return err
		}
		secret = auth.CleanInput(secret)
	default:
		return usageErrorHint("Without a terminal, give the client with --from-env or --env-file FILE ("+cyclrEnvClientID+", "+cyclrEnvClientSecret+", "+cyclrEnvDomain+").",
			"cyclr login needs a terminal for its prompts")
	}
	if domain == "" {
		domain = cyclr.DefaultDomain
	}
	base, err := cyclr.ParseDomain(domain)
	if err != nil {
		return usageError("%s: %v", cyclrEnvDomain, err)
	}
	for _, v := range [][2]string{{"the Cyclr Client ID", id}, {"the Cyclr Client Secret", secret}} {
		if v[1] == "" {
			return usageError("%s is empty", v[0])
		}
		if err := auth.ValidateValue(v[0], v[1]); err != nil {
			return usageError("%v", err)
		}
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	c := &cyclr.Client{Base: base, HTTP: f.Client(), Log: f.Settings.Logger}
	tok, err := c.NewToken(ctx, id, secret)
	if err != nil {
		return cyclrErr(fmt.Errorf("%w; nothing was stored", err), "")
	}
	sec := store.CyclrSecret{APIDomain: base, ClientID: id, ClientSecret: secret, AccessToken: tok.AccessToken, TokenExpiresAt: tok.ExpiresAt}
	if err := s.SaveCyclr(ctx, sec); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Logged in to Cyclr at %s as API client %s (token valid until %s); stored in the %s keyring.\n",
		base, auth.Mask(id), tok.ExpiresAt.Format(time.RFC3339), s.Backend())
	return nil
}

// cyclrSession is a Cyclr client with a usable token: the cached one, else a new one (cached
// again in the keyring item).
type cyclrSession struct {
	c      *cyclr.Client
	sec    store.CyclrSecret
	st     *store.Store
	f      *Factory
	cached bool
}

func (f *Factory) cyclrSession(ctx context.Context, s *store.Store) (*cyclrSession, error) {
	sec, err := s.LoadCyclr(ctx)
	if err != nil {
		return nil, err
	}
	base, err := cyclr.ParseDomain(sec.APIDomain)
	if err != nil {
		return nil, fmt.Errorf("the stored Cyclr API domain: %w; run 'cxone-auth cyclr login' again", err)
	}
	cs := &cyclrSession{c: &cyclr.Client{Base: base, HTTP: f.Client(), Log: f.Settings.Logger}, sec: sec, st: s, f: f}
	if tok, ok := sec.UsableToken(time.Now()); ok {
		cs.c.Token, cs.cached = tok, true
		return cs, nil
	}
	return cs, cs.refresh(ctx)
}

func (cs *cyclrSession) refresh(ctx context.Context) error {
	tok, err := cs.c.NewToken(ctx, cs.sec.ClientID, cs.sec.ClientSecret)
	if err != nil {
		return cyclrErr(err, "Run 'cxone-auth cyclr login' to store a working API client.")
	}
	cs.c.Token, cs.cached = tok.AccessToken, false
	if err := cs.st.UpdateCyclrToken(ctx, cs.sec, tok.AccessToken, tok.ExpiresAt); err != nil {
		cs.f.Settings.Logger.Debug("cyclr token not cached", "err", err)
	}
	return nil
}

// do runs fn, and once more with a new token when Cyclr refused a cached one (401: nothing
// was done).
func (cs *cyclrSession) do(ctx context.Context, fn func() error) error {
	err := fn()
	// Only a 401 says the cached token went stale and nothing was done: a 403 refuses the
	// request itself, and sending a write (with the access key in it) again would not help.
	var ce *cyclr.Error
	if err != nil && cs.cached && errors.As(err, &ce) && ce.Kind == cyclr.KindRejected && ce.Status == 401 {
		if rerr := cs.refresh(ctx); rerr != nil {
			return rerr
		}
		err = fn()
	}
	return err
}

// connector finds the NICE CXone connector, by its exact name.
func (cs *cyclrSession) connector(ctx context.Context, account string) (cyclr.Connector, error) {
	var list []cyclr.Connector
	err := cs.do(ctx, func() error {
		var err error
		list, err = cs.c.Connectors(ctx, account)
		return err
	})
	if err != nil {
		if cyclr.KindOf(err) == cyclr.KindNotFound && account != "" {
			return cyclr.Connector{}, cyclrErr(fmt.Errorf("the Cyclr account %s: %w", auth.Sanitize(account), err), "The account ID is in the Cyclr console: Accounts → Account Management → Settings.")
		}
		return cyclr.Connector{}, cyclrErr(err, "")
	}
	conn, ok := cyclr.FindConnector(list, cyclr.ConnectorName)
	if !ok {
		var near []string
		for _, x := range list {
			if strings.Contains(strings.ToLower(x.Name), "nice") {
				near = append(near, fmt.Sprintf("%q", auth.Sanitize(x.Name)))
			}
		}
		msg := fmt.Sprintf("Cyclr's connector library has no connector named %q", cyclr.ConnectorName)
		if len(near) > 0 {
			msg += " (it has " + strings.Join(near, ", ") + ", which are not it)"
		}
		return cyclr.Connector{}, &exitError{code: exitNotFound, err: errors.New(msg), hint: "Enable the connector for your Cyclr partner (Connectors → Application Connector Library)."}
	}
	return conn, nil
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

// pushTarget is one install to create or update.
type pushTarget struct {
	Profile, Account, Name, Description string
	// AccountConnectorID is the recorded account connector (0: look it up by Name).
	AccountConnectorID int64
}

type pushResult struct {
	Install store.CyclrInstall
	Updated bool
}

// push puts the access key of sec into one Cyclr install: the connector's schema decides
// where, an account connector of the same name (or the recorded ID) is updated rather than
// duplicated, it is read back, and the install recorded. With dryRun it prints the request
// instead and writes nothing. The caller has checked sec live against CXone.
func (cs *cyclrSession) push(ctx context.Context, t pushTarget, sec store.Secret, maps map[string]string, dryRun bool) (pushResult, error) {
	f := cs.f
	conn, err := cs.connector(ctx, t.Account)
	if err != nil {
		return pushResult{}, err
	}
	plan, err := cyclr.PlanInstall(conn, sec.AccessKeyID, sec.AccessKeySecret, maps)
	if err != nil {
		var se *cyclr.SchemaError
		if errors.As(err, &se) {
			for _, l := range cyclr.Describe(conn) {
				fmt.Fprintln(f.IO.ErrOut, l)
			}
		}
		return pushResult{}, usageErrorHint("Say where the key goes with --map (see 'cxone-auth cyclr inspect').", "%s", errorText(err))
	}
	var existing []cyclr.AccountConnector
	if err := cs.do(ctx, func() error {
		var err error
		existing, err = cs.c.AccountConnectors(ctx, t.Account)
		return err
	}); err != nil {
		return pushResult{}, cyclrErr(err, "")
	}
	var target *cyclr.AccountConnector
	for i := range existing {
		x := &existing[i]
		if t.AccountConnectorID != 0 && x.ID == t.AccountConnectorID ||
			t.AccountConnectorID == 0 && x.Name == t.Name && (x.Connector.ID == conn.ID || x.Connector.Name == conn.Name) {
			target = x
			break
		}
	}
	// A recorded ID (from config.json, which may have been edited) names an account connector
	// of the NICE CXone connector, or the key is not sent there: it could be any connector of
	// any account of the partner, whose console users would read the key.
	if target != nil && t.AccountConnectorID != 0 && target.Connector.ID != conn.ID && target.Connector.Name != conn.Name {
		return pushResult{}, fmt.Errorf("account connector %d is not a %s connector (it is %q); the key was not sent", target.ID, cyclr.ConnectorName, auth.Sanitize(target.Connector.Name))
	}
	if t.AccountConnectorID != 0 && target == nil {
		return pushResult{}, &exitError{code: exitNotFound, err: fmt.Errorf("the Cyclr account %s has no account connector %d any more", auth.Sanitize(t.Account), t.AccountConnectorID),
			hint: fmt.Sprintf("Install it again: cxone-auth cyclr install --profile %s --account %s", t.Profile, auth.Sanitize(t.Account))}
	}
	if dryRun {
		w := f.IO.Out
		if target != nil {
			fmt.Fprintf(w, "Would send: PUT %s/v1.0/account/connectors/%d (the existing account connector %q)\n", cs.c.Base, target.ID, auth.Sanitize(target.Name))
		} else {
			fmt.Fprintf(w, "Would send: POST %s/v1.0/connectors/%d/install\n", cs.c.Base, conn.ID)
		}
		fmt.Fprintf(w, "X-Cyclr-Account: %s\n", auth.Sanitize(t.Account))
		if err := writeJSON(w, plan.Masked(t.Name, t.Description)); err != nil {
			return pushResult{}, err
		}
		fmt.Fprintln(w, "Then: GET the account connector back and require \"Authenticated\": true. Nothing was sent.")
		return pushResult{}, nil
	}
	var ac cyclr.AccountConnector
	body := plan.Body(t.Name, t.Description)
	if err := cs.do(ctx, func() error {
		var err error
		if target != nil {
			ac, err = cs.c.Update(ctx, t.Account, target.ID, body, plan.Secrets()...)
		} else {
			ac, err = cs.c.Install(ctx, t.Account, conn.ID, body, plan.Secrets()...)
		}
		return err
	}); err != nil {
		return pushResult{}, cyclrErr(err, "")
	}
	if target != nil {
		ac.ID = target.ID
	}
	if ac.ID == 0 {
		return pushResult{}, fmt.Errorf("cyclr: the install's answer names no account connector ID")
	}
	var back cyclr.AccountConnector
	if err := cs.do(ctx, func() error {
		var err error
		back, err = cs.c.AccountConnector(ctx, t.Account, ac.ID)
		return err
	}); err != nil {
		return pushResult{}, cyclrErr(fmt.Errorf("reading back account connector %d: %w", ac.ID, err), "")
	}
	now := time.Now().UTC().Truncate(time.Second)
	in := store.CyclrInstall{Profile: t.Profile, APIDomain: cs.c.Base, Account: t.Account, AccountConnectorID: ac.ID, ConnectorID: conn.ID,
		Name: t.Name, Method: plan.Method, Map: maps, AccessKeyID: sec.AccessKeyID, UpdatedAt: now, Authenticated: back.Authenticated}
	if target == nil {
		in.InstalledAt = now
	}
	if err := cs.st.RecordCyclrInstall(in); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "cxone-auth: warning: the install was made but could not be recorded: %s\n", errorText(err))
	}
	return pushResult{Install: in, Updated: target != nil}, nil
}

// cyclrPushOutcome is what a rotation's push did to one recorded install.
type cyclrPushOutcome struct {
	Install store.CyclrInstall
	Err     error
}

// cyclrPush updates every recorded Cyclr install of profile with the access key of sec, which
// is stored and was checked live just before: the rotation's push (setup --rotate, and the
// automatic rotation, which calls it the same way). It returns what happened to each install;
// err is set only when nothing could be tried (no Cyclr login, the config unreadable).
func (f *Factory) cyclrPush(ctx context.Context, s *store.Store, profile string, sec store.Secret) ([]cyclrPushOutcome, error) {
	installs, err := s.CyclrInstalls(profile)
	if err != nil || len(installs) == 0 {
		return nil, err
	}
	cs, err := f.cyclrSession(ctx, s)
	if err != nil {
		return nil, err
	}
	out := make([]cyclrPushOutcome, 0, len(installs))
	for _, in := range installs {
		o := cyclrPushOutcome{Install: in}
		if in.APIDomain != cs.c.Base {
			o.Err = fmt.Errorf("recorded at %s, but the stored Cyclr client is for %s", auth.Sanitize(in.APIDomain), cs.c.Base)
			out = append(out, o)
			continue
		}
		maps, err := cyclrRecordedMaps(in)
		if err != nil {
			o.Err = err
			out = append(out, o)
			continue
		}
		r, err := cs.push(ctx, pushTarget{Profile: profile, Account: in.Account, Name: in.Name, AccountConnectorID: in.AccountConnectorID}, sec, maps, false)
		o.Err = err
		if err == nil {
			o.Install = r.Install
			if !r.Install.Authenticated {
				o.Err = errors.New("the Cyclr API does not report it as authenticated")
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// reportCyclrPush prints a rotation's push, one line per install, and returns whether every
// install took the new key.
func (f *Factory) reportCyclrPush(w io.Writer, profile string, outs []cyclrPushOutcome) bool {
	ok := true
	for _, o := range outs {
		where := fmt.Sprintf("Cyclr account %s, account connector %d (%q)", auth.Sanitize(o.Install.Account), o.Install.AccountConnectorID, auth.Sanitize(o.Install.Name))
		if o.Err != nil {
			ok = false
			fmt.Fprintf(w, "✗ %s: not updated: %s\n  Update it by hand: cxone-auth cyclr install --profile %s --account %s --name %q%s\n", where, errorText(o.Err), profile, auth.Sanitize(o.Install.Account), o.Install.Name, cyclrMapFlags(o.Install.Map))
			continue
		}
		fmt.Fprintf(w, "✓ %s: updated with the new key, authenticated.\n", where)
	}
	return ok
}

// cyclrRecordedMaps is the recorded --map of an install, checked as the flag is (config.json
// may have been edited).
func cyclrRecordedMaps(in store.CyclrInstall) (map[string]string, error) {
	if len(in.Map) == 0 {
		return nil, nil
	}
	flags := make([]string, 0, len(in.Map))
	for t, v := range in.Map {
		flags = append(flags, t+"="+v)
	}
	sort.Strings(flags)
	maps, err := parseCyclrMaps(flags)
	if err != nil {
		return nil, fmt.Errorf("the recorded mapping in config.json: %w", err)
	}
	return maps, nil
}

// cyclrMapFlags is " --map T=v ..." for a recorded mapping (sorted, each shell-quoted as %q
// quotes), or "".
func cyclrMapFlags(m map[string]string) string {
	flags := make([]string, 0, len(m))
	for t, v := range m {
		flags = append(flags, fmt.Sprintf(" --map %q", auth.Sanitize(t+"="+v)))
	}
	sort.Strings(flags)
	return strings.Join(flags, "")
}

// cyclrPreflight checks, before a rotation creates a new key, that the new key could be pushed
// to every recorded Cyclr install of profile: the Cyclr login works, each install is at the
// stored client's domain, and the connector's schema (with the recorded --map) says where the
// key goes. Only the connector list is read; nothing carries a key. (Whether the account
// connector still exists is left to the push: a failure there leaves the old key active and
// says what is left to do.) nil when the profile has no install or --no-cyclr-push leaves them.
func (f *Factory) cyclrPreflight(ctx context.Context, s *store.Store, profile string) error {
	if f.cyclrNoPush {
		return nil
	}
	installs, err := s.CyclrInstalls(profile)
	if err != nil {
		return err
	}
	if len(installs) == 0 {
		return nil
	}
	cs, err := f.cyclrSession(ctx, s)
	if err != nil {
		return fmt.Errorf("the Cyclr installs of profile %q could not take a new key: %w", profile, err)
	}
	for _, in := range installs {
		where := fmt.Sprintf("Cyclr account %s, account connector %d", auth.Sanitize(in.Account), in.AccountConnectorID)
		if in.APIDomain != cs.c.Base {
			return fmt.Errorf("%s: recorded at %s, but the stored Cyclr client is for %s", where, auth.Sanitize(in.APIDomain), cs.c.Base)
		}
		maps, err := cyclrRecordedMaps(in)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		conn, err := cs.connector(ctx, in.Account)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if _, err := cyclr.PlanInstall(conn, "ID", "SECRET", maps); err != nil {
			return fmt.Errorf("%s: the connector's schema says nowhere where the key goes (%w); install it again with --map (see 'cxone-auth cyclr inspect')", where, err)
		}
	}
	return nil
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

// rotationCyclrPush is a rotation's push of the new key (in sec, stored and checked) to the
// profile's recorded Cyclr installs, reported on stderr. With ask (a guided rotation on a
// terminal) it asks first; unattended it pushes unless --no-cyclr-push. It returns false
// when an install that should have taken the new key did not.
func (f *Factory) rotationCyclrPush(ctx context.Context, s *store.Store, name string, sec store.Secret, ask bool) bool {
	installs, err := s.CyclrInstalls(name)
	if err != nil || len(installs) == 0 {
		return true
	}
	if f.cyclrNoPush {
		fmt.Fprintf(f.IO.ErrOut, "! %d Cyclr install(s) of profile %q still hold the old key (--no-cyclr-push); update them with: cxone-auth cyclr install --profile %s --account ID\n", len(installs), name, name)
		return true
	}
	if ask {
		ok, err := f.IO.Confirm(ctx, fmt.Sprintf("Update the %d Cyclr install(s) of profile %q with the new key?", len(installs), name))
		if err != nil || !ok {
			fmt.Fprintf(f.IO.ErrOut, "! The Cyclr installs of %q keep the old key until: cxone-auth cyclr install --profile %s --account ID\n", name, name)
			return true
		}
	}
	outs, err := f.cyclrPush(ctx, s, name, sec)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "✗ The Cyclr installs of profile %q were not updated: %s\n  Keep the old key active until they are: cxone-auth cyclr install --profile %s --account ID\n", name, errorText(err), name)
		return false
	}
	return f.reportCyclrPush(f.IO.ErrOut, name, outs)
}

// rotateGuidedWithCyclr runs a guided rotation (the wizard's rotate flow) and, once the new
// key is saved and the screen has closed, offers to push it to the profile's Cyclr installs
// before the record that names the old key is printed.
func (f *Factory) rotateGuidedWithCyclr(ctx context.Context, s *store.Store, name, oldKeyID string, fl steps.Flow) error {
	pushed := true
	f.beforeRecords = func(out steps.Outcome) {
		if !out.Saved {
			return
		}
		sec, err := s.Load(ctx, name)
		if err != nil || sec.AccessKeyID == oldKeyID {
			return
		}
		pushed = f.rotationCyclrPush(ctx, s, name, sec, f.IO.IsStdinTTY())
	}
	defer func() { f.beforeRecords = nil }()
	if err := f.runWizard(ctx, fl); err != nil {
		return err
	}
	if !pushed {
		return silentExit(exitFailure)
	}
	return nil
}

// wizardWithCyclrOffer runs the wizard (a new profile, or an edit) and, when it saved a
// profile on a terminal and a Cyclr login is stored, offers to install the profile into a
// Cyclr account picked from GET /v1.0/accounts. The install is `cyclr install` itself: the
// profile is checked live again first. Declining, or a failed install, leaves the setup's
// outcome as it was (the profile is saved); the record names the command for later.
func (f *Factory) wizardWithCyclrOffer(ctx context.Context, fl steps.Flow) error {
	saved := ""
	f.beforeRecords = func(out steps.Outcome) {
		if out.Saved {
			saved = out.Profile
			// An edit that replaced the access key would leave the Cyclr installs on the old
			// one: offered before the record is printed.
			f.offerCyclrRepush(ctx, nil, saved)
		}
	}
	err := f.runWizard(ctx, fl)
	f.beforeRecords = nil
	if err != nil || saved == "" || !f.IO.IsStdinTTY() {
		return err
	}
	f.offerCyclrInstall(ctx, saved)
	return nil
}

// offerCyclrInstall asks whether to install profile name into a Cyclr account, and does it.
func (f *Factory) offerCyclrInstall(ctx context.Context, name string) {
	s, err := f.Store()
	if err != nil {
		return
	}
	if _, err := s.LoadCyclr(ctx); err != nil {
		return // no Cyclr login: the record says how to install later
	}
	if ok, err := f.IO.Confirm(ctx, fmt.Sprintf("Install profile %q into a Cyclr account?", name)); err != nil || !ok {
		return
	}
	fail := func(err error) {
		fmt.Fprintf(f.IO.ErrOut, "cxone-auth: %s\nThe profile is saved; install it later with: cxone-auth cyclr install --profile %s --account ID\n", errorText(err), name)
	}
	cs, err := f.cyclrSession(ctx, s)
	if err != nil {
		fail(err)
		return
	}
	var accounts []cyclr.Account
	if err := cs.do(ctx, func() error {
		var err error
		accounts, err = cs.c.Accounts(ctx)
		return err
	}); err != nil {
		fail(err)
		return
	}
	if len(accounts) == 0 {
		fail(errors.New("the Cyclr partner has no accounts yet (create one in the Cyclr console: Accounts → Account Management)"))
		return
	}
	fmt.Fprintln(f.IO.ErrOut, "Cyclr accounts:")
	for i, a := range accounts {
		fmt.Fprintf(f.IO.ErrOut, "  %d. %s (%s)\n", i+1, auth.Sanitize(a.Name), auth.Sanitize(a.ID))
	}
	var pick int
	for tries := 0; tries < 3 && pick == 0; tries++ {
		ans, err := cyclrReadLine(ctx, f.IO, fmt.Sprintf("Account [1-%d, enter skips]: ", len(accounts)))
		if err != nil || strings.TrimSpace(ans) == "" {
			return
		}
		if n, err := fmt.Sscanf(strings.TrimSpace(ans), "%d", &pick); n != 1 || err != nil || pick < 1 || pick > len(accounts) {
			fmt.Fprintf(f.IO.ErrOut, "Please enter a number from 1 to %d.\n", len(accounts))
			pick = 0
		}
	}
	if pick == 0 {
		return
	}
	f.Settings.Profile, f.Settings.ProfileSet = name, true
	if err := cyclrInstallRun(ctx, &CyclrOptions{F: f, Account: accounts[pick-1].ID}); err != nil {
		var ex *exitError
		if errors.As(err, &ex) && ex.silent {
			return
		}
		fail(err)
	}
}

// offerCyclrRepush finds the recorded Cyclr installs (of profile, or of every profile when it
// is "") that hold another Access Key ID than their profile's stored one, and on a terminal
// offers to push the stored key to them: the profiles screen's rotation and an edit that
// changed the key end here. Without a terminal it only says what is stale.
func (f *Factory) offerCyclrRepush(ctx context.Context, s *store.Store, profile string) {
	if s == nil {
		var err error
		if s, err = f.Store(); err != nil {
			return
		}
	}
	installs, err := s.CyclrInstalls(profile)
	if err != nil || len(installs) == 0 {
		return
	}
	byProfile := map[string][]store.CyclrInstall{}
	var names []string
	for _, in := range installs {
		if _, ok := byProfile[in.Profile]; !ok {
			names = append(names, in.Profile)
		}
		byProfile[in.Profile] = append(byProfile[in.Profile], in)
	}
	for _, name := range names {
		sec, err := s.Load(ctx, name)
		if err != nil {
			continue
		}
		stale := 0
		for _, in := range byProfile[name] {
			if in.AccessKeyID != sec.AccessKeyID {
				stale++
			}
		}
		if stale == 0 {
			continue
		}
		if !f.IO.IsStdinTTY() {
			fmt.Fprintf(f.IO.ErrOut, "! %d Cyclr install(s) of profile %q hold an older access key: cxone-auth cyclr install --profile %s --account ID\n", stale, name, name)
			continue
		}
		// The stored key may have been deactivated in CXone since: a key that fails its live
		// check is never sent to Cyclr (it would replace a working key there with a dead one).
		if e := f.checkLoaded(ctx, s, name, nil, sec, nil, false); e.Status != statusValid {
			fmt.Fprintf(f.IO.ErrOut, "! %d Cyclr install(s) of profile %q hold an older access key, but the stored key failed its live check (%s): nothing was sent to Cyclr\n", stale, name, e.Status)
			continue
		}
		f.rotationCyclrPush(ctx, s, name, sec, true)
	}
}
