// Package agent is the unlock agent of the encrypted-file keyring (docs/keyring.md,
// "Unlocking once"): a background process, started by `cxone-auth unlock`, that holds one
// keyring's derived key in memory and hands it to processes of the same user that ask for
// that keyring, until its deadline, `cxone-auth lock`, or a change of the keyring's header.
// It never holds the passphrase. The protocol is one JSON line each way over a Unix socket in
// a private folder; both ends check the other's user (SO_PEERCRED).
package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"time"
)

// MaxLifetime is the longest `unlock --for` accepts.
const MaxLifetime = 24 * time.Hour

// DefaultLifetime is unlock's --for when none is given.
const DefaultLifetime = time.Hour

// ErrUnsupported is returned where the agent is not built (no Unix socket peer check).
var ErrUnsupported = errors.New("unlock is not supported on this system")

// request is what a client sends: one JSON line.
type request struct {
	Op       string `json:"op"`                 // "get", "extend", "lock", "ping"
	Dir      string `json:"dir,omitempty"`      // the keyring folder (get)
	Header   string `json:"header,omitempty"`   // SHA-256 of keyring.json, hex (get)
	Deadline int64  `json:"deadline,omitempty"` // unix seconds (extend)
}

// response is the agent's one JSON line.
type response struct {
	Key      []byte `json:"key,omitempty"`
	Dir      string `json:"dir,omitempty"`
	Deadline int64  `json:"deadline,omitempty"`
	Error    string `json:"error,omitempty"`
}

// HeaderDigest is how header bytes are named in the protocol.
func HeaderDigest(header []byte) string {
	sum := sha256.Sum256(header)
	return hex.EncodeToString(sum[:])
}

// socketName is the socket of the agent for keyring folder dir, in the runtime folder.
func socketName(runtime, dir string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(dir)))
	return filepath.Join(runtime, "agent-"+hex.EncodeToString(sum[:8])+".sock")
}
