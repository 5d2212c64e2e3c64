package app

import (
	"context"
	"time"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// LoadError is a failure to read a profile's keyring item (the store's error inside), as
// opposed to a failure of what the operation did next: the front end words the two apart.
type LoadError struct{ Err error }

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// NewMeta is the config entry of credentials just checked. Its creation time is left for Save
// to fill: the stored profile's own when it is replaced, else now.
func NewMeta(issuer string, creds auth.Credentials, r *auth.Result) store.Meta {
	m := store.MetaFromResult(issuer, creds, r)
	m.CreatedAt = time.Time{}
	return m
}

// Setup checks credentials live against issuer and saves them as profile name ("" = the
// config's default profile) while the profile is as it was before the check (still absent, or
// its config entry unchanged): a setup or rotation that finished meanwhile is not silently
// undone. One config read, one locked save. A failed check stores nothing and is no error:
// the Result says why. existed reports whether the profile was there before.
func (a *App) Setup(ctx context.Context, name, issuer string, creds auth.Credentials, progress func(auth.StageEvent)) (r Result, existed bool, err error) {
	cfg, err := a.Store.Config()
	if err != nil {
		return Result{}, false, err
	}
	if name == "" {
		name = DefaultName(cfg)
	}
	m, existed := cfg.Profiles[name]
	expect := store.ExpectAbsent()
	if existed {
		expect = store.ExpectEntry(m)
	}
	r = a.CheckCredentials(ctx, name, "keyring", issuer, creds, nil, progress)
	if r.Status != StatusValid {
		return r, existed, nil
	}
	return r, existed, a.Store.SaveIf(ctx, name, expect, store.NewSecret(issuer, creds, r.Check), NewMeta(issuer, creds, r.Check))
}

// Save stores a profile checked by the front end (the wizard): the whole keyring item and its
// config entry at once, as a compare and swap when expect is given (the profile must still be
// as the flow started from it), else unconditionally.
func (a *App) Save(ctx context.Context, name string, expect *store.Expect, sec store.Secret, meta store.Meta) error {
	if expect != nil {
		return a.Store.SaveIf(ctx, name, *expect, sec, meta)
	}
	return a.Store.Save(ctx, name, sec, meta)
}

// Rotation is a rotated profile: the check of the new key (Result), the credentials it
// replaced (Before) and those now stored.
type Rotation struct {
	Result
	Name    string
	Issuer  string
	Before  store.Secret
	Creds   auth.Credentials
	Backend string // the keyring that holds the profile
}

// Saved is the keyring item the rotation stored.
func (r Rotation) Saved() store.Secret { return store.NewSecret(r.Issuer, r.Creds, r.Check) }

// Rotate replaces stored profile name's access key ("" = the default profile) with id and
// secret: the new key is checked live with the stored client credentials at the stored
// issuer, then the whole keyring item is replaced in one write, its endpoint cache from that
// check, only while the item still holds the credentials the rotation started from. One config
// read. A key that fails the check stores nothing and is no error: the Result says why.
func (a *App) Rotate(ctx context.Context, name, id, secret string, progress func(auth.StageEvent)) (Rotation, error) {
	cfg, err := a.Store.Config()
	if err != nil {
		return Rotation{}, err
	}
	if name == "" {
		name = DefaultName(cfg)
	}
	meta, ok := cfg.Profiles[name]
	if !ok {
		return Rotation{Name: name}, a.notFound(name)
	}
	var sec store.Secret
	err = a.retry(func() (err error) {
		sec, err = a.Store.LoadIn(ctx, cfg, name)
		return err
	})
	if err != nil {
		return Rotation{Name: name}, &LoadError{Err: err}
	}
	rot := Rotation{Name: name, Issuer: a.issuerOf(sec), Before: sec, Creds: sec.Credentials(), Backend: meta.Backend}
	rot.Creds.AccessKeyID, rot.Creds.AccessKeySecret = id, secret
	rot.Result = a.CheckCredentials(ctx, name, "keyring", rot.Issuer, rot.Creds, nil, progress)
	if rot.Status != StatusValid {
		return rot, nil
	}
	if err := a.Store.SaveIf(ctx, name, store.ExpectSecret(sec), rot.Saved(), NewMeta(rot.Issuer, rot.Creds, rot.Check)); err != nil {
		return rot, err
	}
	if rot.Backend == "" {
		rot.Backend = a.Store.Backend()
	}
	return rot, nil
}

// Stored is a profile read for an edit or a rotation: its keyring item, its config entry, and
// the keyring that holds it (the entry's, else the config's). One config read.
func (a *App) Stored(ctx context.Context, name string) (store.Secret, store.Meta, string, error) {
	sec, meta, cfg, err := a.load(ctx, name)
	if err != nil {
		return sec, meta, "", err
	}
	backend := meta.Backend
	if backend == "" {
		backend = cfg.Backend
	}
	return sec, meta, backend, nil
}
