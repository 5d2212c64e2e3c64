package main

import (
	"context"
	"errors"
	"sort"

	"cxone-auth/auth"
	"cxone-auth/steps"
	"cxone-auth/store"
)

// wizardDeps builds the real dependencies the wizard's steps consume: the CXone client, the
// store, the keyring backends and a browser opener.
func (a *app) wizardDeps() steps.Deps {
	return steps.Deps{
		Verifier: verifier{a},
		Saver:    saver{a},
		Profiles: profileSource{a},
		Backends: backendSource{a},
		OpenURL:  browserOpener(),
	}
}

type verifier struct{ a *app }

// Verify runs the full live check (no cache: the values are new).
func (v verifier) Verify(ctx context.Context, issuer string, c auth.Credentials, progress func(auth.StageEvent)) (*auth.Result, error) {
	return v.a.client().Check(ctx, c, auth.Options{Issuer: issuer, Scope: v.a.set.scope, Progress: progress, Logger: v.a.set.logger})
}

type saver struct{ a *app }

// Save stores the checked credentials with the backend and passphrase chosen in the wizard.
func (s saver) Save(ctx context.Context, req steps.SaveRequest) error {
	opts := store.Options{
		Backend:   req.Backend,
		FileDir:   s.a.set.keyringDir,
		ConfigDir: s.a.set.configDir,
		Logger:    s.a.set.logger,
		Getenv:    s.a.getenv,
	}
	if req.Passphrase != "" {
		pass := req.Passphrase
		opts.Passphrase = func(context.Context, string, bool) (string, error) { return pass, nil }
	}
	st, err := store.Open(opts)
	if err != nil {
		return err
	}
	meta := store.MetaFromResult(req.Issuer, req.Creds, req.Result)
	return st.Save(ctx, req.Profile, store.NewSecret(req.Issuer, req.Creds, req.Result), meta)
}

type profileSource struct{ a *app }

// Profiles lists the stored profiles from the config (no keyring access, no passphrase).
func (p profileSource) Profiles(ctx context.Context) ([]steps.ExistingProfile, error) {
	st, err := p.a.openStore()
	if err != nil {
		return nil, err
	}
	cfg, err := st.Config()
	if err != nil {
		return nil, err
	}
	noEnvPass := p.a.getenv("CXONE_KEYRING_PASSPHRASE") == ""
	var out []steps.ExistingProfile
	for name, m := range cfg.Profiles {
		backend := m.Backend // where this profile's item lives; older entries: the config's
		if backend == "" {
			backend = cfg.Backend
		}
		out = append(out, steps.ExistingProfile{Name: name, Issuer: m.Issuer, ClientID: auth.Mask(m.ClientID),
			Backend: backend, NeedsPassphrase: backend == store.BackendFile && noEnvPass})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ClientCredentials loads another profile's client credentials for reuse.
func (p profileSource) ClientCredentials(ctx context.Context, name, passphrase string) (string, string, error) {
	opts := store.Options{FileDir: p.a.set.keyringDir, ConfigDir: p.a.set.configDir, Logger: p.a.set.logger, Backend: p.a.set.backend, Getenv: p.a.getenv}
	if passphrase != "" {
		opts.Passphrase = func(context.Context, string, bool) (string, error) { return passphrase, nil }
	}
	st, err := store.Open(opts)
	if err != nil {
		return "", "", err
	}
	sec, err := st.Load(ctx, name)
	if err != nil {
		return "", "", err
	}
	if sec.ClientID == "" {
		return "", "", errors.New("that profile has no client credentials")
	}
	return sec.ClientID, sec.ClientSecret, nil
}

type backendSource struct{ a *app }

// Backends lists the keyring backends of this machine with the detected default selected.
// An explicit --keyring-backend becomes the default.
func (b backendSource) Backends() []steps.Backend {
	infos := store.Backends(b.a.set.keyringDir, b.a.getenv)
	envPass := b.a.getenv("CXONE_KEYRING_PASSPHRASE") != ""
	var out []steps.Backend
	for _, in := range infos {
		def := in.Default
		if b.a.set.backend != "" && b.a.set.backend != store.BackendAuto {
			def = in.Name == b.a.set.backend
		}
		be := steps.Backend{Name: in.Name, Label: in.Label, Note: in.Note, Available: in.Available, Default: def}
		if in.Name == store.BackendFile {
			be.NeedsPassphrase = !envPass
			be.Exists = store.FileKeyringExists(b.a.set.keyringDir, b.a.getenv)
		}
		out = append(out, be)
	}
	return out
}
