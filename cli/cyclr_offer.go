// cyclr_offer.go: the wizard's Cyclr offers: installing a saved profile into an account, and
// pushing a changed key to the installs that still hold the old one.

package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"cxone-auth/auth"
	"cxone-auth/cyclr"
	"cxone-auth/steps"
	"cxone-auth/store"
)

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
