// cyclr_push.go: pushing an access key into Cyclr installs: one install (push), a rotation's
// push to every recorded install, its preflight and its report.

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"cxone-auth/auth"
	"cxone-auth/cyclr"
	"cxone-auth/steps"
	"cxone-auth/store"
)

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
