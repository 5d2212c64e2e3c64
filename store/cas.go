package store

import (
	"context"
	"errors"
)

// ErrProfileChanged is the error of SaveIf when the profile changed after the flow read it.
var ErrProfileChanged = errors.New("the profile changed meanwhile (another cxone-auth saved, rotated or removed it); nothing was stored, run the command again")

// Expect is the state of a profile that a flow started from, for SaveIf. Make it with
// ExpectAbsent, ExpectEntry or ExpectSecret.
type Expect struct {
	absent bool
	meta   *Meta   // the config entry's identity: issuer, client ID, access key ID
	secret *Secret // the keyring item's identity: issuer and the four values
}

// ExpectAbsent: the flow started with no profile of that name.
func ExpectAbsent() Expect { return Expect{absent: true} }

// ExpectEntry: the flow started from this config entry (issuer, client ID and access key ID
// are compared; what a check records is not).
func ExpectEntry(m Meta) Expect { return Expect{meta: &m} }

// ExpectSecret: the flow started from this keyring item (issuer and the four credential
// values are compared; the cache is not).
func ExpectSecret(sec Secret) Expect { return Expect{secret: &sec} }

// stillAsExpected checks, under the config lock, that profile name is as e says; c is the
// config just read under that lock.
func (s *Store) stillAsExpected(ctx context.Context, b, name string, c Config, e Expect) error {
	m, exists := c.Profiles[name]
	switch {
	case e.absent && exists:
		return ErrProfileChanged
	case e.meta != nil && (!exists || !m.sameIdentity(*e.meta)):
		return ErrProfileChanged
	case e.secret != nil && exists && m.Backend != "" && m.Backend != b:
		// The save moves the profile to another keyring: its item is read from neither; the
		// config entry, written by the same saves, stands for it (issuer and the two IDs).
		sec := *e.secret
		if m.Issuer != sec.Issuer || m.ClientID != sec.ClientID || m.AccessKeyID != sec.AccessKeyID {
			return ErrProfileChanged
		}
	case e.secret != nil:
		cur, err := s.loadFrom(ctx, b, name)
		if errors.Is(err, ErrNotFound) {
			return ErrProfileChanged
		}
		if err != nil {
			return err
		}
		if !cur.SameIdentity(*e.secret) {
			return ErrProfileChanged
		}
	}
	return nil
}
