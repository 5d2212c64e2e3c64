package cli

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
func (f *Factory) wizardDeps() steps.Deps {
	return steps.Deps{
		Verifier: verifier{f},
		Saver:    saver{f},
		Profiles: profileSource{f},
		Backends: backendSource{f},
		OpenURL:  f.OpenURL,
	}
}

type verifier struct{ f *Factory }

// Verify runs the full live check (no cache: the values are new).
func (v verifier) Verify(ctx context.Context, issuer string, c auth.Credentials, progress func(auth.StageEvent)) (*auth.Result, error) {
	return v.f.Client().Check(ctx, c, auth.Options{Issuer: issuer, Scope: v.f.Settings.Scope, Progress: progress, Logger: v.f.Settings.Logger})
}

type saver struct{ f *Factory }

// Save stores the checked credentials with the backend and passphrase chosen in the wizard.
func (s saver) Save(ctx context.Context, req steps.SaveRequest) error {
	st, err := store.Open(s.f.storeOptions(req.Backend, req.Passphrase))
	if err != nil {
		return err
	}
	meta := store.MetaFromResult(req.Issuer, req.Creds, req.Result)
	return st.Save(ctx, req.Profile, store.NewSecret(req.Issuer, req.Creds, req.Result), meta)
}

type profileSource struct{ f *Factory }

// Profiles lists the stored profiles from the config (no keyring access, no passphrase).
func (p profileSource) Profiles(ctx context.Context) ([]steps.ExistingProfile, error) {
	st, err := p.f.Store()
	if err != nil {
		return nil, err
	}
	cfg, err := st.Config()
	if err != nil {
		return nil, err
	}
	noEnvPass := p.f.Settings.Passphrase == ""
	var out []steps.ExistingProfile
	for name, m := range cfg.Profiles {
		backend := m.Backend // where this profile's item lives; older entries: the config's
		if backend == "" {
			backend = cfg.Backend
		}
		v := store.ViewOfMeta(name, m)
		out = append(out, steps.ExistingProfile{Name: v.Name, Issuer: v.Issuer, ClientID: v.ClientID,
			Backend: backend, NeedsPassphrase: backend == store.BackendFile && noEnvPass})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ClientCredentials loads another profile's client credentials for reuse.
func (p profileSource) ClientCredentials(ctx context.Context, name, passphrase string) (string, string, error) {
	st, err := store.Open(p.f.storeOptions(p.f.Settings.Backend, passphrase))
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

type backendSource struct{ f *Factory }

// Backends lists the keyring backends of this machine with the detected default selected.
// An explicit --keyring-backend becomes the default.
func (b backendSource) Backends() []steps.Backend {
	set := b.f.Settings
	infos := store.Backends(set.KeyringDir, b.f.Env.Getenv)
	envPass := set.Passphrase != ""
	var out []steps.Backend
	for _, in := range infos {
		def := in.Default
		if set.Backend != "" && set.Backend != store.BackendAuto {
			def = in.Name == set.Backend
		}
		be := steps.Backend{Name: in.Name, Label: in.Label, Note: in.Note, Available: in.Available, Default: def}
		if in.Name == store.BackendFile {
			be.NeedsPassphrase = !envPass
			be.Exists = store.FileKeyringExists(set.KeyringDir, b.f.Env.Getenv)
		}
		out = append(out, be)
	}
	return out
}
