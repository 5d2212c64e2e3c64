package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/steps"
	"cxone-auth/store"
)

// `setup --rotate --auto` (experimental): the rotation through NICE's access-key API that
// docs/rotation.md describes. With a fresh token of the stored key it creates a new key for
// the token's own user and tenant, checks the new key live (waiting up to 30 s for it to
// start working), stores it in one write, runs the RotatePushers (the new key to wherever
// else the profile's key is used), and deactivates the old key (--delete-old also deletes it).
// A refusal before the store changes nothing locally and falls back to the guided rotation on
// a terminal; without one it exits 3 (401 or 403) or 1 and names `setup --rotate`.

// RotatePusher hands a freshly rotated key to something outside the keyring that uses the
// profile's access key (the Cyclr installs recorded for the profile, say). Push runs after the
// new key is stored and before the old key is deactivated; newSecret is a secret and must not
// be logged. An error stops the rotation there: the old key stays active (whatever Push could
// not update still works), the command exits 1 and names what is left to do, using Name
// ("the Cyclr installs").
type RotatePusher struct {
	Name string
	Push func(ctx context.Context, profile, newKeyID, newSecret string) error
}

// rotatePushers run in order on every `setup --rotate --auto`; another file of this package
// adds its own from an init function: rotatePushers = append(rotatePushers, RotatePusher{...}).
var rotatePushers []RotatePusher

// rotateAutoWindow is how long the new key may take to pass the live check.
var rotateAutoWindow = 30 * time.Second

// rotateAutoFlags are the flags of `setup` this file owns.
func rotateAutoFlags(cmd *cobra.Command, o *SetupOptions) {
	cmd.Flags().BoolVar(&o.Auto, "auto", false, "experimental: with --rotate, CXone's API makes the key")
	cmd.Flags().BoolVar(&o.DeleteOld, "delete-old", false, "with --auto: delete the old key, not only deactivate it")
}

// validateRotateAuto checks the combination of --auto with the other flags.
func validateRotateAuto(cmd *cobra.Command, o *SetupOptions) error {
	switch {
	case o.Auto && !o.Rotate:
		return usageErrorHint(helpHint(cmd), "--auto goes with --rotate")
	case o.DeleteOld && !o.Auto:
		return usageErrorHint(helpHint(cmd), "--delete-old goes with --rotate --auto")
	case o.Auto && (o.FromEnv || o.EnvFile != ""):
		return usageErrorHint(helpHint(cmd), "--auto creates the new key itself: it takes no --from-env or --env-file")
	}
	return nil
}

// rotateRefusal ends an automatic rotation before anything was stored. changed says a new
// access key may exist in CXone (created, then not removed again), so "Nothing was changed"
// would be false.
type rotateRefusal struct {
	reason  string
	code    int
	changed bool
}

func (e *rotateRefusal) Error() string { return e.reason }

// rotateAutoRun runs the automatic rotation, and the guided one on a terminal when the
// automatic one is refused before anything was stored.
func (f *Factory) rotateAutoRun(ctx context.Context, o *SetupOptions) error {
	err := f.rotateAuto(ctx, o)
	var ref *rotateRefusal
	if !errors.As(err, &ref) {
		return err
	}
	name := f.ProfileName()
	if ref.changed {
		fmt.Fprintf(f.IO.ErrOut, "cxone-auth: the automatic rotation stopped: %s\nThe profile keeps its access key, but a new access key may have been created: check My Profile → Access Keys in CXone and remove any key you do not know.\n", errorText(ref))
		return silentExit(ref.code)
	}
	if ref.code == exitCancelled {
		fmt.Fprintf(f.IO.ErrOut, "cxone-auth: the automatic rotation stopped: %s\nNothing was changed; the profile keeps its access key.\n", errorText(ref))
		return silentExit(ref.code)
	}
	if f.IO.Interactive() {
		fmt.Fprintf(f.IO.ErrOut, "cxone-auth: the automatic rotation stopped: %s\nNothing was changed. Continuing with the guided rotation.\n", errorText(ref))
		p, err := f.storedSecret(ctx, name)
		if err != nil {
			return err
		}
		return f.runWizard(ctx, steps.RotateFlow(f.wizardDeps(), f.stepsConfig(), p))
	}
	fmt.Fprintf(f.IO.ErrOut, "cxone-auth: the automatic rotation stopped: %s\nNothing was changed; the profile keeps its access key. Rotate by hand with 'cxone-auth setup --profile %s --rotate'.\n", errorText(ref), name)
	return silentExit(ref.code)
}

// refusalCode is the exit code of a refusal: 3 when CXone refused the credentials or the
// access-key API answered 401 or 403, else 1.
func refusalCode(err error) int {
	var ake *auth.AccessKeyError
	if errors.As(err, &ake) {
		if ake.Status == 401 || ake.Status == 403 {
			return exitRejected
		}
		return exitFailure
	}
	if auth.KindOf(err).Rejected() {
		return exitRejected
	}
	return exitFailure
}

func (f *Factory) rotateAuto(ctx context.Context, o *SetupOptions) error {
	s, err := f.Store()
	if err != nil {
		return err
	}
	name := f.ProfileName()
	if _, err := s.Meta(name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &profileNotFound{name: name}
		}
		return err
	}
	if err := f.unlockKeyring(ctx); err != nil {
		return err
	}
	sec, meta, err := f.loadProfile(ctx, name)
	if err != nil {
		return err
	}
	issuer := sec.Issuer
	if issuer == "" {
		issuer = f.Settings.Issuer
	}
	log := f.Settings.Logger
	client := f.Client()
	old := sec.Credentials()
	errOut := f.IO.ErrOut

	// 1. A fresh token of the stored key: who the user and the tenant are, and the API host.
	fmt.Fprintf(errOut, "Rotating the access key of profile %q through CXone's access-key API (experimental)\n", name)
	cur, err := client.Check(ctx, old, auth.Options{Issuer: issuer, Scope: f.Settings.Scope, Cache: sec.Cache.Endpoints(), Logger: log, SkipProof: true})
	if err != nil {
		return &rotateRefusal{reason: "the stored key got no token: " + errorText(err), code: refusalCode(err)}
	}
	if cur.APIEndpoint == "" || cur.UserID == "" || cur.TenantID == "" {
		return &rotateRefusal{reason: "the token does not say which user, tenant and API host the key belongs to", code: exitFailure}
	}
	api, err := client.AccessKeys(issuer, cur.APIEndpoint, cur.AccessToken, log)
	if err != nil {
		return &rotateRefusal{reason: errorText(err), code: exitFailure}
	}

	// 2. Before a key is made: every push it needs can be made (else each run would leave one
	// more active key behind, the push failing every time).
	if err := f.cyclrPreflight(ctx, s, name); err != nil {
		return &rotateRefusal{reason: errorText(err), code: rotateCode(ctx, err)}
	}

	// 3. The new key. The keys there are before it, so that a creation whose answer is lost
	// (a gateway's 5xx after the backend made the key, a timeout, a 2xx that cannot be used)
	// can be undone: every key that was not there before is deleted again.
	before, err := api.List(ctx, cur.UserID)
	if err != nil {
		return &rotateRefusal{reason: "the access keys could not be listed before creating one: " + errorText(err), code: rotateCode(ctx, err)}
	}
	created := time.Now().UTC().Truncate(time.Second)
	nk, err := api.Create(ctx, cur.UserID, cur.TenantID)
	if err != nil {
		ref := &rotateRefusal{reason: errorText(err), code: rotateCode(ctx, err)}
		if !rotateCreateRefused(err) {
			f.rotateAutoUndoCreate(ctx, api, cur.UserID, before, ref)
		}
		return ref
	}
	fmt.Fprintf(errOut, "  created access key %s\n", auth.Mask(nk.ID))

	// 4. The new key, live, within the window.
	creds := old
	creds.AccessKeyID, creds.AccessKeySecret = nk.ID, nk.Secret
	cache := cur.Cache()
	res, err := f.rotateAutoCheck(ctx, issuer, creds, &cache)
	if err != nil {
		left, changed := "it was deleted again", false
		dctx, cancel := rotateCleanupContext(ctx, f.Settings.Timeout)
		derr := api.Delete(dctx, nk.ID)
		cancel()
		if derr != nil {
			left, changed = fmt.Sprintf("it could not be deleted again (%s): remove access key %s in CXone (My Profile → Access Keys)", errorText(derr), auth.Mask(nk.ID)), true
		}
		what := fmt.Sprintf("the new key did not pass the live check within %s (%s)", rotateAutoWindow, errorText(err))
		if ctx.Err() == context.Canceled {
			what = "cancelled while the new key was being checked"
		}
		return &rotateRefusal{reason: what + "; " + left, code: rotateCode(ctx, err), changed: changed}
	}
	fmt.Fprintf(errOut, "  checked the new key live\n")

	// 5. One write: the keyring item and the config entry.
	m := newMeta(issuer, creds, res)
	m.AccessKeyCreatedAt = created
	if keys, lerr := api.List(ctx, cur.UserID); lerr == nil {
		for _, k := range keys {
			if k.ID == nk.ID {
				if !k.Created.IsZero() {
					m.AccessKeyCreatedAt = k.Created
				}
				m.AccessKeyLastUsed = k.LastUsed
			}
		}
	} else {
		log.Debug("access keys not listed", "err", lerr)
	}
	newSec := store.NewSecret(issuer, creds, res)
	// A compare and swap against the item this run loaded: a rotation or edit stored while the
	// new key was being checked is refused, not undone (its key would stay active in CXone,
	// held by nothing).
	if err := s.SaveIf(ctx, name, store.ExpectSecret(sec), newSec, m); err != nil {
		left := "it was deleted again"
		dctx, cancel := rotateCleanupContext(ctx, f.Settings.Timeout)
		derr := api.Delete(dctx, nk.ID)
		cancel()
		if derr != nil {
			left = fmt.Sprintf("remove access key %s in CXone (My Profile → Access Keys)", auth.Mask(nk.ID))
		}
		kept := "the profile keeps its old key"
		if errors.Is(err, store.ErrProfileChanged) {
			kept = "the profile keeps what the other change stored"
		}
		return fmt.Errorf("save profile %q: %w; %s, and the new key was not stored: %s", name, err, kept, left)
	}
	backend := meta.Backend
	if backend == "" {
		backend = s.Backend()
	}
	fmt.Fprintf(errOut, "  stored it in profile %q (%s keyring)\n", name, auth.Sanitize(backend))

	// 6. Everything else that uses the key: the profile's recorded Cyclr installs (without
	// asking: --auto is unattended; --no-cyclr-push leaves them), then any other pusher.
	if !f.rotationCyclrPush(ctx, s, name, newSec, false) {
		fmt.Fprintf(errOut, "Left to do: update the Cyclr installs with the new key (cxone-auth cyclr install --profile %s --account ID, with the --map the install was made with, as shown above), then deactivate the old access key %s in CXone (My Profile → Access Keys). It is still active, so what uses it keeps working.\n",
			name, auth.Mask(old.AccessKeyID))
		return silentExit(exitFailure)
	}
	for _, p := range rotatePushers {
		if err := p.Push(ctx, name, nk.ID, nk.Secret); err != nil {
			fmt.Fprintf(errOut, "cxone-auth: the new key is stored in profile %q, but updating %s failed: %s\nLeft to do: update %s with the new key, then deactivate the old access key %s in CXone (My Profile → Access Keys). It is still active, so what uses it keeps working.\n",
				name, p.Name, errorText(err), p.Name, auth.Mask(old.AccessKeyID))
			return silentExit(exitFailure)
		}
		fmt.Fprintf(errOut, "  updated %s\n", p.Name)
	}

	// 7. The old key: deactivated (and deleted), with the new key's token.
	api, err = client.AccessKeys(issuer, cur.APIEndpoint, res.AccessToken, log)
	if err == nil {
		err = api.Deactivate(ctx, old.AccessKeyID, cur.UserID, cur.TenantID)
	}
	if err != nil {
		fmt.Fprintf(errOut, "cxone-auth: the new key is stored in profile %q, but deactivating the old key failed: %s\nLeft to do: deactivate the old access key %s in CXone (My Profile → Access Keys).\n",
			name, errorText(err), auth.Mask(old.AccessKeyID))
		return silentExit(exitFailure)
	}
	what := "deactivated"
	if o.DeleteOld {
		if err := api.Delete(ctx, old.AccessKeyID); err != nil {
			fmt.Fprintf(errOut, "cxone-auth: the new key is stored in profile %q and the old key is deactivated, but deleting it failed: %s\nLeft to do: delete the old access key %s in CXone (My Profile → Access Keys).\n",
				name, errorText(err), auth.Mask(old.AccessKeyID))
			return silentExit(exitFailure)
		}
		what = "deactivated and deleted"
	}
	fmt.Fprintf(errOut, "  old access key %s %s\n✓ Rotated profile %q: access key %s replaces %s.\n", auth.Mask(old.AccessKeyID), what, name, auth.Mask(nk.ID), auth.Mask(old.AccessKeyID))
	return nil
}

// rotateAutoCheck checks a new key live, again with backoff while CXone does not take it yet
// (invalid_grant, a refused token, a server or network failure), for up to rotateAutoWindow.
// A refused client (invalid_client) or a protocol error ends it at once: waiting cannot help.
func (f *Factory) rotateAutoCheck(ctx context.Context, issuer string, creds auth.Credentials, cache *auth.Cache) (*auth.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, rotateAutoWindow)
	defer cancel()
	delay := 250 * time.Millisecond
	for {
		res, err := f.Client().Check(ctx, creds, auth.Options{Issuer: issuer, Scope: f.Settings.Scope, Cache: cache, Logger: f.Settings.Logger})
		if err == nil {
			return res, nil
		}
		switch auth.KindOf(err) {
		case auth.KindInvalidGrant, auth.KindUnauthorized, auth.KindServer, auth.KindNetwork, auth.KindTimeout:
		default:
			return nil, err
		}
		f.Settings.Logger.Debug("the new key is not taken yet", "err", err, "retry in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			if ctx.Err() == context.DeadlineExceeded {
				return nil, err
			}
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 4*time.Second)
	}
}

// rotateCode is the exit code of a refusal: 130 once the command was cancelled (Ctrl+C), else
// refusalCode's.
func rotateCode(ctx context.Context, err error) int {
	if errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled) {
		return exitCancelled
	}
	return refusalCode(err)
}

// rotateCleanupContext bounds a clean-up request that must run even when ctx was cancelled
// (Ctrl+C while the new key is checked): the clean-up is what keeps CXone from holding a key
// nobody knows.
func rotateCleanupContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return context.WithTimeout(context.WithoutCancel(ctx), timeout)
}

// rotateCreateRefused says the access-key API answered the creation with a 4xx: it refused,
// so no key was made. Anything else (a 5xx, a timeout, a reset after the request was sent, a
// 2xx that could not be used, a cancellation) may have left a new key behind.
func rotateCreateRefused(err error) bool {
	var ake *auth.AccessKeyError
	if errors.As(err, &ake) {
		return ake.Status >= 400 && ake.Status < 500
	}
	var pe *auth.ProtocolError
	if errors.As(err, &pe) {
		return pe.Status >= 400 && pe.Status < 500
	}
	var re *auth.RejectedError
	if errors.As(err, &re) {
		return re.Status >= 400 && re.Status < 500
	}
	var se *auth.ServerError
	if errors.As(err, &se) {
		return se.Status == 429
	}
	return false
}

// rotateAutoUndoCreate deletes every key of the user that is not in before, after a creation
// whose answer was lost, on a fresh bounded context. It says in ref what happened; ref.changed
// is set when a new key may be left.
func (f *Factory) rotateAutoUndoCreate(ctx context.Context, api *auth.AccessKeyAPI, userID string, before []auth.AccessKeyInfo, ref *rotateRefusal) {
	dctx, cancel := rotateCleanupContext(ctx, f.Settings.Timeout)
	defer cancel()
	after, err := api.List(dctx, userID)
	if err != nil {
		ref.changed = true
		ref.reason += "; the access keys could not be listed again to remove a key the creation may have made (" + errorText(err) + ")"
		return
	}
	known := make(map[string]bool, len(before))
	for _, k := range before {
		known[k.ID] = true
	}
	removed := 0
	for _, k := range after {
		if known[k.ID] {
			continue
		}
		if err := api.Delete(dctx, k.ID); err != nil {
			ref.changed = true
			ref.reason += fmt.Sprintf("; the new access key %s could not be deleted again (%s)", auth.Mask(k.ID), errorText(err))
			continue
		}
		removed++
	}
	if removed > 0 {
		ref.reason += fmt.Sprintf("; the %d access key(s) the creation made anyway were deleted again", removed)
	}
}
