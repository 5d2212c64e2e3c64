//go:build linux || darwin

package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
)

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

// socketName is the socket of the agent for keyring folder dir, in the runtime folder.
func socketName(runtime, dir string) string {
	sum := sha256.Sum256([]byte(filepath.Clean(dir)))
	return filepath.Join(runtime, "agent-"+hex.EncodeToString(sum[:8])+".sock")
}

// HeaderDigest is how header bytes are named in the protocol.
func HeaderDigest(header []byte) string {
	sum := sha256.Sum256(header)
	return hex.EncodeToString(sum[:])
}
