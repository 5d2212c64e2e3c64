package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"time"

	"github.com/99designs/keyring"
)

// The Cyclr API client is its own keyring item, beside the profiles: its key does not start
// with "profile:", so Orphans (which lists profile items only) never reports it.
const cyclrItemName = "cyclr:client"

func cyclrItemKey(backend string) string { return keyFor(backend, cyclrItemName) }

// CyclrSecret is the keyring item of the Cyclr API client: the API domain, the OAuth client ID
// and secret (Partner Console → Settings → OAuth Client Credentials), and the last access
// token with its expiry (Cyclr's last 14 days). String, GoString, LogValue and Format hide the
// secret and the token.
type CyclrSecret struct {
	Version        int       `json:"version"`
	APIDomain      string    `json:"api_domain"`
	ClientID       string    `json:"client_id"`
	ClientSecret   string    `json:"client_secret"`
	AccessToken    string    `json:"access_token,omitempty"`
	TokenExpiresAt time.Time `json:"token_expires_at,omitzero"`
}

// UsableToken returns the cached token while it has at least TokenMinLifetime left.
func (c CyclrSecret) UsableToken(now time.Time) (string, bool) {
	if c.AccessToken == "" || c.TokenExpiresAt.Before(now.Add(TokenMinLifetime)) {
		return "", false
	}
	return c.AccessToken, true
}

// sameClient reports whether o names the same API client.
func (c CyclrSecret) sameClient(o CyclrSecret) bool {
	return c.APIDomain == o.APIDomain && c.ClientID == o.ClientID && c.ClientSecret == o.ClientSecret
}

func (c CyclrSecret) String() string {
	tok := "(none)"
	if c.AccessToken != "" {
		tok = "(hidden)"
	}
	return fmt.Sprintf("{api_domain:%s client_id:%s client_secret:(hidden) access_token:%s}", c.APIDomain, c.ClientID, tok)
}

// GoString keeps %#v from printing the secret.
func (c CyclrSecret) GoString() string { return "store.CyclrSecret" + c.String() }

// LogValue implements slog.LogValuer without the secret or the token.
func (c CyclrSecret) LogValue() slog.Value {
	return slog.GroupValue(slog.String("api_domain", c.APIDomain), slog.String("client_id", c.ClientID))
}

// Format makes every fmt verb print the masked form.
func (c CyclrSecret) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// MarshalJSON is the keyring document.
func (c CyclrSecret) MarshalJSON() ([]byte, error) {
	type plain CyclrSecret
	p := plain(c)
	if p.Version == 0 {
		p.Version = 1
	}
	return json.Marshal(p)
}

// CyclrConfig is what config.json holds about Cyclr: the API client's non-secret half, the
// backend of its keyring item, and every recorded install. Never a secret.
type CyclrConfig struct {
	APIDomain string         `json:"api_domain,omitempty"`
	ClientID  string         `json:"client_id,omitempty"`
	Backend   string         `json:"backend,omitempty"`
	LoginAt   time.Time      `json:"login_at,omitzero"`
	Installs  []CyclrInstall `json:"installs,omitempty"`
}

// CyclrInstall records one profile installed into one Cyclr account: where (domain, account,
// account connector), under which name, how the key was mapped, and which Access Key ID it
// holds (an ID, not a secret), so a rotation knows what to update.
type CyclrInstall struct {
	Profile            string `json:"profile"`
	APIDomain          string `json:"api_domain"`
	Account            string `json:"account"`
	AccountConnectorID int64  `json:"account_connector_id"`
	ConnectorID        int64  `json:"connector_id,omitempty"`
	Name               string `json:"name,omitempty"`
	Method             string `json:"method,omitempty"`
	// Map is the install's --map (TARGET → id, secret or basic: field names, never a value),
	// replayed when a rotation pushes a new key.
	Map           map[string]string `json:"map,omitempty"`
	AccessKeyID   string            `json:"access_key_id,omitempty"`
	InstalledAt   time.Time         `json:"installed_at,omitzero"`
	UpdatedAt     time.Time         `json:"updated_at,omitzero"`
	Authenticated bool              `json:"authenticated"`
}

// cyclrBackend is the backend of the Cyclr item: an explicit option, else the one recorded at
// login, else the store's.
func (s *Store) cyclrBackend(c Config) string {
	if s.opts.Backend == "" && c.Cyclr != nil && c.Cyclr.Backend != "" && ValidBackend(c.Cyclr.Backend) == nil && c.Cyclr.Backend != BackendAuto {
		return c.Cyclr.Backend
	}
	return s.Backend()
}

// SaveCyclr stores the Cyclr API client (keyring item first, then its config entry, under the
// config lock); if the config cannot be written the item is put back as it was. Recorded
// installs are kept.
func (s *Store) SaveCyclr(ctx context.Context, sec CyclrSecret) error {
	cfg, err := s.Config()
	if err != nil {
		return err
	}
	b := s.cyclrBackend(cfg)
	data, err := json.Marshal(sec)
	if err != nil {
		return fmt.Errorf("encode the Cyclr client: %w", err)
	}
	item := keyring.Item{Key: cyclrItemKey(b), Data: data, Label: "Cyclr API client (cxone-auth)", Description: "Cyclr API client", KeychainNotSynchronizable: true}
	if err := s.prepare(ctx, b); err != nil {
		return err
	}
	fileDir := s.ringFor(b).folder()
	err = withConfigLock(filepath.Dir(s.configPath), func() error {
		c, err := readConfig(s.configPath)
		if err != nil {
			return err
		}
		restore, err := s.snapshot(ctx, b, item.Key)
		if err != nil {
			return err
		}
		if err := s.setItem(ctx, b, item); err != nil {
			return err
		}
		cc := CyclrConfig{}
		if c.Cyclr != nil {
			cc = *c.Cyclr
		}
		cc.APIDomain, cc.ClientID, cc.Backend, cc.LoginAt = sec.APIDomain, sec.ClientID, b, time.Now().UTC().Truncate(time.Second)
		c.Cyclr = &cc
		if c.Backend == "" {
			c.Backend = b
		}
		if fileDir != "" && c.FileDir == "" {
			c.FileDir = fileDir
		}
		if err := writeConfig(s.configPath, c); err != nil {
			if rerr := restore(context.WithoutCancel(ctx)); rerr != nil {
				return fmt.Errorf("%w; putting the keyring back also failed: %v", err, rerr)
			}
			return fmt.Errorf("%w (the keyring was put back as it was)", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save the Cyclr client: %w", err)
	}
	return nil
}

// ErrNoCyclrClient is returned (wrapping ErrNotFound) when no Cyclr client is stored.
var ErrNoCyclrClient = fmt.Errorf("no Cyclr API client is stored: run 'cxone-auth cyclr login' first: %w", ErrNotFound)

// LoadCyclr reads the Cyclr API client; the error wraps ErrNotFound when there is none.
func (s *Store) LoadCyclr(ctx context.Context) (CyclrSecret, error) {
	cfg, err := s.Config()
	if err != nil {
		s.log.Debug("config unreadable; using the default backend", "err", err)
	}
	b := s.cyclrBackend(cfg)
	item, err := s.getItem(ctx, b, cyclrItemKey(b))
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return CyclrSecret{}, ErrNoCyclrClient
	}
	if err != nil {
		return CyclrSecret{}, err
	}
	var sec CyclrSecret
	if err := json.Unmarshal(item.Data, &sec); err != nil || sec.ClientID == "" {
		return CyclrSecret{}, &KeyringError{Backend: b, Op: "load", Err: errors.New("the Cyclr client item is damaged"),
			Hint: "run `cxone-auth cyclr login` to store it again"}
	}
	return sec, nil
}

// UpdateCyclrToken caches a new token in the Cyclr item, only while the item still holds the
// API client of expect (compare and swap under the config lock, like UpdateSecret). A cache is
// a shortcut: callers only log a failure.
func (s *Store) UpdateCyclrToken(ctx context.Context, expect CyclrSecret, token string, exp time.Time) error {
	cfg, err := s.Config()
	if err != nil {
		return err
	}
	b := s.cyclrBackend(cfg)
	if err := s.prepare(ctx, b); err != nil {
		return err
	}
	return withConfigLock(filepath.Dir(s.configPath), func() error {
		item, err := s.getItem(ctx, b, cyclrItemKey(b))
		if err != nil {
			return err
		}
		var cur CyclrSecret
		if err := json.Unmarshal(item.Data, &cur); err != nil || !cur.sameClient(expect) {
			return nil
		}
		cur.AccessToken, cur.TokenExpiresAt = token, exp.UTC()
		if item.Data, err = json.Marshal(cur); err != nil {
			return err
		}
		return s.setItem(ctx, b, item)
	})
}

// RecordCyclrInstall records (or replaces: same profile, domain, account and account
// connector) an install in config.json, under the config lock.
func (s *Store) RecordCyclrInstall(in CyclrInstall) error {
	return s.updateConfig(func(c *Config) (bool, error) {
		cc := CyclrConfig{}
		if c.Cyclr != nil {
			cc = *c.Cyclr
		}
		out := make([]CyclrInstall, 0, len(cc.Installs)+1)
		for _, x := range cc.Installs {
			if x.Profile == in.Profile && x.APIDomain == in.APIDomain && x.Account == in.Account && x.AccountConnectorID == in.AccountConnectorID {
				if in.InstalledAt.IsZero() {
					in.InstalledAt = x.InstalledAt
				}
				continue
			}
			out = append(out, x)
		}
		out = append(out, in)
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Profile != out[j].Profile {
				return out[i].Profile < out[j].Profile
			}
			return out[i].Account < out[j].Account
		})
		cc.Installs = out
		c.Cyclr = &cc
		return true, nil
	})
}

// CyclrInstalls returns the recorded installs, of profile when it is not empty.
func (s *Store) CyclrInstalls(profile string) ([]CyclrInstall, error) {
	c, err := s.Config()
	if err != nil || c.Cyclr == nil {
		return nil, err
	}
	var out []CyclrInstall
	for _, x := range c.Cyclr.Installs {
		if profile == "" || x.Profile == profile {
			out = append(out, x)
		}
	}
	return out, nil
}
