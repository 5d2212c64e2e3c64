package cxonetest

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"
)

// NICE's access-key API as the public clients generated from its description call it
// (docs/rotation.md): on the API host,
//
//	POST   /access-key-management/v1/access-keys                 {userId, tenantId} → resultSet{accessKeyId, accessKeySecret, ...}
//	GET    /access-key-management/v1/access-keys?userId=          → {totalRecords, accessKeys[{accessKeyId, isActive, lastUsedDate, ...}]}
//	PATCH  /access-key-management/v1/access-keys?accessKeyId=&userId=&tenantId=   {isActive}
//	DELETE /access-key-management/v1/access-keys/{accessKeyId}
//
// with a live bearer token, for the token's own user only (the "My Access Key" permission;
// another user's keys are 403). SetFault(EndpointAccessKeys, ...) refuses it (401, 403, 404),
// optionally for one method; SetNewKeyDelay makes new keys work only after a while.

const accessKeysPath = "/access-key-management/v1/access-keys"

// AccessKeyState is what the emulator knows about one access key, for tests.
type AccessKeyState struct {
	UserID   string
	TenantID string
	Active   bool
	Created  time.Time
	LastUsed time.Time // zero until a token was issued for it
}

// AccessKey reports an access key's state; false when there is no such key (never created,
// or deleted).
func (s *Server) AccessKey(id string) (AccessKeyState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys[id]
	if k == nil {
		return AccessKeyState{}, false
	}
	return AccessKeyState{UserID: k.user.ID, TenantID: k.user.TenantID, Active: !k.inactive, Created: k.created, LastUsed: k.lastUsed}, true
}

// AccessKeyIDs lists the IDs of a user's access keys, oldest first.
func (s *Server) AccessKeyIDs(userID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyIDsLocked(userID)
}

func (s *Server) keyIDsLocked(userID string) []string {
	var ids []string
	for id, k := range s.keys {
		if k.user.ID == userID {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := s.keys[ids[i]], s.keys[ids[j]]
		if !a.created.Equal(b.created) {
			return a.created.Before(b.created)
		}
		return ids[i] < ids[j]
	})
	return ids
}

// SetNewKeyDelay makes access keys created through the API from now on answer invalid_grant
// for d before they work.
func (s *Server) SetNewKeyDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newKeyDelay = d
}

// SetKeyLastUsed sets when an access key was last used, to stage an old key.
func (s *Server) SetKeyLastUsed(id string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keys[id]; k != nil {
		k.lastUsed = t.UTC()
	}
}

// newBase32Key is 32 random bytes in RFC 4648 base32: 56 characters with "====", as CXone's.
func newBase32Key() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)
}

func (s *Server) keyJSON(id string, k *accessKey) map[string]any {
	m := map[string]any{
		"accessKeyId": id, "userId": k.user.ID, "tenantId": k.user.TenantID, "agentId": "123456",
		"isActive": !k.inactive, "createdDate": k.created.Format(time.RFC3339),
	}
	if !k.lastUsed.IsZero() {
		m["lastUsedDate"] = k.lastUsed.Format(time.RFC3339)
	}
	return m
}

func (s *Server) accessKeys(w http.ResponseWriter, r *http.Request) {
	accept := r.Header.Get("Accept")
	if !(strings.Contains(accept, "application/json") || (s.cfg.Lenient && acceptsJSON(accept))) {
		writeJSON(w, http.StatusNotAcceptable, map[string]any{"message": "No known way to render data"})
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	iss, known := s.tokens[tok]
	s.mu.Unlock()
	if !ok || !known || time.Now().After(iss.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "error_description": "Invalid or expired token"})
		return
	}
	u := iss.user
	id := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, accessKeysPath), "/")
	q := r.URL.Query()
	forbidden := func() {
		writeJSON(w, http.StatusForbidden, map[string]any{"error": "forbidden", "message": "Insufficient permissions: Access Key"})
	}
	notFound := func() { writeJSON(w, http.StatusNotFound, map[string]any{"message": "Access key not found"}) }
	badRequest := func(msg string) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "message": msg})
	}
	readJSON := func(v any) bool {
		if !s.cfg.Lenient && !isJSONLabel(r.Header.Get("Content-Type")) {
			badRequest("Content-Type must be application/json")
			return false
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(v); err != nil {
			badRequest("the body is not valid JSON")
			return false
		}
		return true
	}

	switch {
	case r.Method == http.MethodPost && id == "":
		var body struct {
			UserID   string `json:"userId"`
			TenantID string `json:"tenantId"`
		}
		if !readJSON(&body) {
			return
		}
		if body.UserID == "" || body.TenantID == "" {
			badRequest("userId and tenantId are required")
			return
		}
		if body.UserID != u.ID || body.TenantID != u.TenantID {
			forbidden()
			return
		}
		newID, secret := newBase32Key(), newBase32Key()
		now := time.Now().UTC()
		s.mu.Lock()
		k := &accessKey{secret: secret, user: u, created: now, activeAt: now.Add(s.newKeyDelay)}
		s.keys[newID] = k
		out := s.keyJSON(newID, k)
		s.mu.Unlock()
		out["accessKeySecret"] = secret
		writeJSON(w, http.StatusCreated, map[string]any{"resultSet": out})
	case r.Method == http.MethodGet && id == "":
		userID := q.Get("userId")
		if userID == "" {
			badRequest("userId is required")
			return
		}
		if userID != u.ID {
			forbidden()
			return
		}
		s.mu.Lock()
		list := []map[string]any{}
		for _, kid := range s.keyIDsLocked(userID) {
			list = append(list, s.keyJSON(kid, s.keys[kid]))
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"totalRecords": len(list), "accessKeys": list})
	case r.Method == http.MethodPatch && id == "":
		keyID, userID, tenantID := q.Get("accessKeyId"), q.Get("userId"), q.Get("tenantId")
		if keyID == "" || userID == "" || tenantID == "" {
			badRequest("accessKeyId, userId and tenantId are required")
			return
		}
		var body struct {
			IsActive *bool `json:"isActive"`
		}
		if !readJSON(&body) {
			return
		}
		if body.IsActive == nil {
			badRequest("isActive is required")
			return
		}
		if userID != u.ID || tenantID != u.TenantID {
			forbidden()
			return
		}
		s.mu.Lock()
		k := s.keys[keyID]
		if k == nil || k.user.ID != userID {
			s.mu.Unlock()
			notFound()
			return
		}
		k.inactive = !*body.IsActive
		out := s.keyJSON(keyID, k)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"resultSet": out})
	case r.Method == http.MethodDelete && id != "" && !strings.Contains(id, "/"):
		s.mu.Lock()
		k := s.keys[id]
		if k == nil || k.user.ID != u.ID {
			s.mu.Unlock()
			notFound()
			return
		}
		delete(s.keys, id)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "method not allowed"})
	}
}
