package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// Statuses of a check: the one vocabulary (store.Statuses).
const (
	StatusValid   = store.StatusValid
	StatusError   = store.StatusError
	StatusMissing = store.StatusMissing
)

// Result is the outcome of one check: what the front ends show (a store.View plus status) and
// what the record in config.json needs.
type Result struct {
	store.View
	Source         string
	Status         string
	TokenExpiresAt *time.Time
	CheckedAt      time.Time
	DurationMS     int64
	Warnings       []string
	// ErrorKind and ErrorMessage describe a failed check (ErrorMessage sanitised for display);
	// both are empty when it passed.
	ErrorKind    string
	ErrorMessage string

	Err   error        // the error behind ErrorKind, for exit codes
	Check *auth.Result // the successful check
	// Ident is the identity (issuer, client ID, access key ID) a stored profile was checked
	// with; its result is recorded only if the config entry still has it.
	Ident *store.MetaUpdate
}

// CheckOptions adjust one check.
type CheckOptions struct {
	// Progress gets each stage of the check as it runs; nil for none.
	Progress func(auth.StageEvent)
	// Before runs once the profile is known and before its check: name is the profile
	// checked, meta its config entry (nil without one). The command line warns there.
	Before func(name string, meta *store.Meta)
}

// CheckCredentials runs the live check of credentials against issuer, with the endpoints of
// cache (nil: full discovery), and turns its outcome into a Result. It stores nothing.
func (a *App) CheckCredentials(ctx context.Context, profile, source, issuer string, c auth.Credentials, cache *auth.Cache, progress func(auth.StageEvent)) Result {
	e := Result{View: store.ViewOfCheck(profile, issuer, c, nil), Source: source, Warnings: []string{}}
	opts := auth.Options{Issuer: issuer, Scope: a.Scope, Cache: cache, Logger: a.Logger, Progress: progress}
	start := time.Now()
	res, err := a.Client.Check(ctx, c, opts)
	e.CheckedAt = start.UTC().Truncate(time.Second)
	e.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		e.Err = err
		kind := auth.KindOf(err)
		e.Status = store.StatusOf(kind)
		e.ErrorKind, e.ErrorMessage = string(kind), auth.Sanitize(err.Error())
		return e
	}
	e.Check = res
	e.Status = StatusValid
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

// Check checks one stored profile against its stored issuer with the endpoints its last check
// learnt, caches what this one learnt in its keyring item, and records the result in its
// config entry: one read of config.json, one locked write. name "" is the default profile.
// The error is the record's failure only (the check's own is in the Result).
func (a *App) Check(ctx context.Context, name string, o CheckOptions) (Result, error) {
	cfg := a.config()
	if name == "" {
		name = DefaultName(cfg)
	}
	var meta *store.Meta
	if m, ok := cfg.Profiles[name]; ok {
		meta = &m
	}
	if o.Before != nil {
		o.Before(name, meta)
	}
	var sec store.Secret
	err := a.retry(func() (err error) {
		sec, err = a.Store.LoadIn(ctx, cfg, name)
		return err
	})
	e := a.CheckLoaded(ctx, name, meta, sec, err, o.Progress)
	return e, a.Record([]Result{e})
}

// CheckAll checks every profile of cfg (the config Names read: one read of config.json serves
// the names and every profile's metadata), at most cap(slots) at once, records the results in
// one config write, and returns them in name order. The error is the record's failure only.
func (a *App) CheckAll(ctx context.Context, cfg store.Config, slots chan struct{}) ([]Result, error) {
	names := cfg.Names()
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	out := make([]Result, len(names))
	a.checkEach(ctx, cfg, names, slots, func(name string, e Result) {
		out[index[name]] = e // each name once: no two calls write the same element
	})
	return out, a.Record(out)
}

// Names are the stored profiles by name, with the config they were read from.
func (a *App) Names() ([]string, store.Config, error) {
	cfg, err := a.Store.Config()
	if err != nil {
		return nil, cfg, err
	}
	return cfg.Names(), cfg, nil
}

// CheckEachIn checks the profiles names of cfg (a config just read, which serves every
// profile's metadata) concurrently, at most cap(slots) at once, and hands each one's Result
// to fn as soon as its check ends (from the goroutine that ran it; fn may be called from
// several at once). It records nothing (Record does). The keyring is opened once for all of
// them, and each profile's check starts as soon as its item is decrypted, so the requests of
// the first profiles overlap the decryption of the others. It returns after the last call of
// fn.
func (a *App) CheckEachIn(ctx context.Context, cfg store.Config, names []string, slots chan struct{}, fn func(string, Result)) {
	a.checkEach(ctx, cfg, names, slots, fn)
}

func (a *App) checkEach(ctx context.Context, cfg store.Config, names []string, slots chan struct{}, fn func(string, Result)) {
	var wg sync.WaitGroup
	a.Store.LoadEachIn(ctx, cfg, names, func(name string, r store.LoadResult) {
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
			fn(name, a.CheckLoaded(ctx, name, meta, r.Secret, r.Err, nil))
		}()
	})
	wg.Wait()
}

// CheckLoaded checks a stored profile whose keyring item was read (sec, or the error of the
// read); meta is its config entry, nil when it has none. A passed check's endpoints are cached
// in the keyring item; nothing is recorded in the config.
func (a *App) CheckLoaded(ctx context.Context, name string, meta *store.Meta, sec store.Secret, err error, progress func(auth.StageEvent)) Result {
	if err != nil {
		e := Result{View: store.View{Name: name}, Source: "keyring", CheckedAt: time.Now().UTC().Truncate(time.Second), Warnings: []string{}}
		if meta != nil {
			e.View = store.ViewOfMeta(name, *meta)
			e.Ident = &store.MetaUpdate{Issuer: meta.Issuer, ClientID: meta.ClientID, AccessKeyID: meta.AccessKeyID}
		}
		if errors.Is(err, store.ErrNotFound) {
			e.Status, e.Err = StatusMissing, a.notFound(name)
			e.ErrorKind, e.ErrorMessage = string(auth.KindNotFound), e.Err.Error()
		} else {
			e.Status, e.Err = StatusError, err
			e.ErrorKind, e.ErrorMessage = string(auth.KindKeyring), auth.Sanitize(err.Error())
		}
		return e
	}
	// The cached endpoints come from the keyring item, bound to its issuer; config.json's
	// copies are for display only.
	e := a.CheckCredentials(ctx, name, "keyring", a.issuerOf(sec), sec.Credentials(), sec.AuthCache(), progress)
	e.Ident = &store.MetaUpdate{Issuer: sec.Issuer, ClientID: sec.ClientID, AccessKeyID: sec.AccessKeyID}
	if e.Check == nil && meta != nil && meta.ClientID == sec.ClientID && meta.AccessKeyID == sec.AccessKeyID {
		// A failed check learnt nothing: show who the profile was for, from its last check.
		last := store.ViewOfMeta(name, *meta)
		e.User, e.TenantID, e.Tenant = last.User, last.TenantID, last.Tenant
		e.BusinessUnitID, e.BusinessUnit, e.Area = last.BusinessUnitID, last.BusinessUnit, last.Area
		e.Cluster, e.Full.TenantID = last.Cluster, last.Full.TenantID
	}
	if e.Status == StatusValid && e.Check != nil && sec.Issuer != "" {
		a.rememberEndpoints(ctx, name, sec, e.Check)
	}
	return e
}

// rememberEndpoints stores what a check learnt in the profile's keyring item when the
// endpoints differ from the cache there, unless the profile's credentials changed meanwhile.
// It is a shortcut for later checks: a failure is only logged.
func (a *App) rememberEndpoints(ctx context.Context, name string, sec store.Secret, r *auth.Result) {
	fresh := store.CacheFromResult(r)
	fresh.Inherit(sec.Cache)
	if sec.Cache.SameFindings(fresh) {
		return
	}
	if _, err := a.Store.UpdateSecret(ctx, name, sec, func(x *store.Secret) { x.Cache = fresh }); err != nil {
		a.logger().Debug("endpoints not cached", "profile", name, "err", err)
	}
}

// Record writes the outcome of the checks of stored profiles into their config entries, in
// one locked write. Missing profiles are not recorded, nor a result whose profile changed
// while it was checked. A failure to record is not a failed check: the caller warns.
func (a *App) Record(results []Result) error {
	updates := map[string]store.MetaUpdate{}
	for _, e := range results {
		if e.Status != StatusMissing && e.Ident != nil {
			u := *e.Ident
			u.Apply = recordCheck(e)
			updates[e.Name] = u
		}
	}
	if len(updates) == 0 {
		return nil
	}
	_, err := a.Store.UpdateMetasIf(updates)
	return err
}

// recordCheck is the config update for one check's outcome.
func recordCheck(e Result) func(*store.Meta) {
	return func(m *store.Meta) {
		m.LastCheckAt = e.CheckedAt
		m.LastCheckStatus = e.Status
		m.LastErrorKind = e.ErrorKind
		if e.Status == StatusValid && e.Check != nil {
			m.Learn(e.Check)
		}
	}
}
