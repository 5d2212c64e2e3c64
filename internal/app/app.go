// Package app is the application layer: the operations on stored profiles that the command
// line (cli) and the wizard's dependencies (cli/deps.go) both run: check a profile or several,
// cache what a check learnt, record the results, load a profile, hand out its token, remove
// it. Each operation reads config.json once and writes it at most once, under its lock. An App
// holds the store and the CXone client; the front ends keep the flags, the I/O, the prompts and
// the exit codes (docs/applayer.md).
package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// App runs the operations on stored profiles. Its fields are set once, by the front end.
type App struct {
	Store  *store.Store
	Client *auth.Client
	// Issuer is the issuer for a keyring item that names none (an older one).
	Issuer string
	Scope  string
	Logger *slog.Logger
	// Retry runs op, a read of the keyring, again when the front end asked for a passphrase
	// that turned out wrong (its prompt, its count of tries); nil runs op once.
	Retry func(op func() error) error
	// NotFound is the error for a profile that is not stored (the front end says what to do);
	// nil wraps store.ErrNotFound.
	NotFound func(name string) error
}

func (a *App) retry(op func() error) error {
	if a.Retry == nil {
		return op()
	}
	return a.Retry(op)
}

func (a *App) notFound(name string) error {
	if a.NotFound == nil {
		return &notFoundError{name}
	}
	return a.NotFound(name)
}

type notFoundError struct{ name string }

func (e *notFoundError) Error() string { return "no profile " + e.name }
func (e *notFoundError) Unwrap() error { return store.ErrNotFound }

func (a *App) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}

// config is the one read of config.json an operation makes. An unreadable config is an
// empty one (logged): the credentials are still reachable without their metadata, as the
// store's own reads have it.
func (a *App) config() store.Config {
	cfg, err := a.Store.Config()
	if err != nil {
		a.logger().Debug("config unreadable; using the default backend", "err", err)
	}
	return cfg
}

// DefaultName is the profile an operation works on when none was named: the config's default
// profile (`cxone-auth use`), else "default".
func DefaultName(cfg store.Config) string {
	if cfg.DefaultProfile != "" && store.ValidProfileName(cfg.DefaultProfile) == nil {
		return cfg.DefaultProfile
	}
	return "default"
}

// Load reads a stored profile's secret and metadata with one config read. A profile with a
// keyring item but no config entry (config lost) still loads, with no metadata. The error is a
// *ConfigError or a *LoadError (the store's error inside, wrapping store.ErrNotFound when the
// keyring has no such item).
func (a *App) Load(ctx context.Context, name string) (store.Secret, store.Meta, error) {
	sec, meta, _, err := a.load(ctx, name)
	return sec, meta, err
}

func (a *App) load(ctx context.Context, name string) (store.Secret, store.Meta, store.Config, error) {
	cfg, err := a.Store.Config()
	if err != nil {
		return store.Secret{}, store.Meta{}, cfg, &ConfigError{Err: err}
	}
	meta := cfg.Profiles[name]
	var sec store.Secret
	err = a.retry(func() (err error) {
		sec, err = a.Store.LoadIn(ctx, cfg, name)
		return err
	})
	if err != nil {
		return store.Secret{}, store.Meta{}, cfg, &LoadError{Err: err}
	}
	return sec, meta, cfg, nil
}

// ConfigError is a config.json that could not be read, as the operation's first step (before
// any keyring read).
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Remove deletes a profile from the keyring and the config (store.Delete: one locked write;
// the next profile by name becomes the default if it was the default).
func (a *App) Remove(ctx context.Context, name string) error {
	if err := a.Store.Delete(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return a.notFound(name)
		}
		return err
	}
	return nil
}

// SetDefault makes name the default profile.
func (a *App) SetDefault(name string) error {
	if err := a.Store.SetDefault(name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return a.notFound(name)
		}
		return err
	}
	return nil
}

// Token gives a loaded profile (sec, from Load) a usable access token: the one cached in its
// keyring item while it has at least 5 minutes left (no request), else a new one through the
// cached token endpoint (no proof call: the caller is about to use the token), which then
// replaces the cached one unless the profile changed meanwhile.
func (a *App) Token(ctx context.Context, name string, sec store.Secret, fresh bool) (*auth.Result, error) {
	if !fresh {
		if tok, exp, ok := sec.Cache.UsableToken(time.Now()); ok {
			a.logger().Debug("token from the keyring", "profile", name, "expires", exp)
			c := sec.Cache
			return &auth.Result{Issuer: sec.Issuer, AccessToken: tok, TokenExpiresAt: exp,
				TenantID: c.TenantID, APIEndpoint: c.APIEndpoint, TokenEndpoint: c.TokenEndpoint, AuthMethod: c.AuthMethod, BasicEncoding: c.BasicEncoding}, nil
		}
	}
	res, err := a.Client.Check(ctx, sec.Credentials(), auth.Options{
		Issuer: a.issuerOf(sec), Scope: a.Scope, Cache: sec.AuthCache(), Logger: a.Logger, SkipProof: true,
	})
	if err != nil {
		return nil, err
	}
	if a.Store != nil && sec.Issuer != "" {
		fresh := store.CacheFromResult(res)
		fresh.Inherit(sec.Cache)
		if _, err := a.Store.UpdateSecret(ctx, name, sec, func(x *store.Secret) { x.Cache = fresh }); err != nil {
			a.logger().Debug("token not cached", "profile", name, "err", err)
		}
	}
	return res, nil
}

func (a *App) issuerOf(sec store.Secret) string {
	if sec.Issuer != "" {
		return sec.Issuer
	}
	return a.Issuer
}
