// Package agent is the unlock agent of the encrypted-file keyring (docs/keyring.md,
// "Unlocking once"): a background process, started by `cxone-auth unlock`, that holds one
// keyring's derived key in memory and hands it to processes of the same user that ask for
// that keyring, until its deadline, `cxone-auth lock`, or a change of the keyring's header.
// It never holds the passphrase. The protocol is one JSON line each way over a Unix socket in
// a private folder; both ends check the other's user (SO_PEERCRED).
package agent

import (
	"errors"
	"time"
)

// MaxLifetime is the longest `unlock --for` accepts.
const MaxLifetime = 24 * time.Hour

// DefaultLifetime is unlock's --for when none is given.
const DefaultLifetime = time.Hour

// ErrUnsupported is returned where the agent is not built (no Unix socket peer check).
var ErrUnsupported = errors.New("unlock is not supported on this system")
