// token.go: the token endpoint: the password grant, the refresh grant, client
// authentication (Basic or post), and issuing the tokens.

package cxonetest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// token is the password grant with CXone's strictness: form content type, grant_type
// password, username and password present, exactly one client authentication, and a client
// authentication method the client was registered with.
func (s *Server) token(w http.ResponseWriter, r *http.Request, formErr error) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint accepts POST only.")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") && !(s.cfg.Lenient && isJSONLabel(ct)) {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
		return
	}
	if formErr != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}
	f := r.PostForm
	if s.cfg.Lenient && f.Get("grant_type") == "refresh_token" {
		s.refreshGrant(w, r, f)
		return
	}
	if gt := f.Get("grant_type"); gt != "password" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant type is not supported.")
		return
	}
	username, password := f.Get("username"), f.Get("password")
	if username == "" || password == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "username and password are required.")
		return
	}
	basic, hasBasic, err := parseBasic(r.Header.Get("Authorization"))
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The Authorization header is malformed.")
		return
	}
	_, hasPostID := f["client_id"]
	if hasBasic && hasPostID {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Use only one client authentication method.")
		return
	}
	method := AuthPost
	id, secret := f.Get("client_id"), f.Get("client_secret")
	if hasBasic {
		method = AuthBasic
		id, secret = s.basicClient(basic)
	}
	s.mu.Lock()
	c, okClient := s.clients[id]
	key := s.keys[username]
	var keyCopy accessKey
	if key != nil {
		keyCopy = *key
	}
	s.mu.Unlock()
	if id == "" || !okClient || c.secret != secret || !contains(c.methods, method) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	if key == nil || keyCopy.secret != password {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The access key is invalid.")
		return
	}
	if keyCopy.inactive {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The access key is inactive.")
		return
	}
	if time.Now().Before(keyCopy.activeAt) {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The access key is not active yet.")
		return
	}
	s.mu.Lock()
	if k := s.keys[username]; k != nil {
		k.lastUsed = time.Now().UTC()
	}
	s.mu.Unlock()
	s.issue(w, r, id, username, keyCopy.user, f.Get("scope"))
}

// refreshGrant is grant_type=refresh_token (lenient servers only). NICE's SDK sends it with no
// client authentication; a request that does authenticate must do so correctly, and a public
// client_id alone must be the one the token was issued to. The refresh token stays valid (as
// many servers do), but not once its access key is inactive or gone.
func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request, f url.Values) {
	rt := f.Get("refresh_token")
	if rt == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "refresh_token is required.")
		return
	}
	basic, hasBasic, err := parseBasic(r.Header.Get("Authorization"))
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The Authorization header is malformed.")
		return
	}
	_, hasSecret := f["client_secret"]
	clientID := f.Get("client_id")
	authenticated := hasBasic || hasSecret
	if authenticated {
		method, id, secret := AuthPost, clientID, f.Get("client_secret")
		if hasBasic {
			method = AuthBasic
			id, secret = s.basicClient(basic)
		}
		s.mu.Lock()
		c, ok := s.clients[id]
		s.mu.Unlock()
		if id == "" || !ok || c.secret != secret || !contains(c.methods, method) {
			oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
			return
		}
		clientID = id
	}
	s.mu.Lock()
	g, ok := s.refresh[rt]
	key := s.keys[g.keyID]
	live := key != nil && !key.inactive
	s.mu.Unlock()
	if !ok || !live || (clientID != "" && clientID != g.clientID) {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid.")
		return
	}
	s.issue(w, r, g.clientID, g.keyID, g.user, f.Get("scope"))
}

// isJSONLabel reports a Content-Type of application/json (with any parameters).
func isJSONLabel(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// parseLabelledJSON reads a token request labelled application/json, as NICE's SDK sends
// it: usually a form body under that label, sometimes a JSON object of strings.
func parseLabelledJSON(r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	vals := url.Values{}
	if trimmed := strings.TrimSpace(string(body)); strings.HasPrefix(trimmed, "{") {
		var m map[string]any
		if err := json.Unmarshal([]byte(trimmed), &m); err != nil {
			return err
		}
		for k, v := range m {
			if sv, ok := v.(string); ok {
				vals.Set(k, sv)
			}
		}
	} else if vals, err = url.ParseQuery(trimmed); err != nil {
		return err
	}
	r.PostForm, r.Form = vals, vals
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// basicHalves is a Basic header's two halves as sent, and form-decoded (ok false when a
// half does not decode).
type basicHalves struct {
	rawID, rawSecret string
	id, secret       string
	decoded          bool
}

// parseBasic reads a Basic header: base64 of two halves joined by the first colon.
func parseBasic(h string) (basicHalves, bool, error) {
	var b basicHalves
	if h == "" {
		return b, false, nil
	}
	scheme, rest, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return b, false, fmt.Errorf("not basic")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return b, false, err
	}
	var ok bool
	if b.rawID, b.rawSecret, ok = strings.Cut(string(raw), ":"); !ok {
		return b, false, fmt.Errorf("no colon")
	}
	id, err1 := url.QueryUnescape(b.rawID)
	secret, err2 := url.QueryUnescape(b.rawSecret)
	if err1 == nil && err2 == nil {
		b.id, b.secret, b.decoded = id, secret, true
	}
	return b, true, nil
}

// basicClient picks the client ID and secret a Basic header stands for, as Config.BasicMatch
// says. A pair that matches no client comes back as sent, to fail the comparison.
func (s *Server) basicClient(b basicHalves) (id, secret string) {
	matches := func(id, secret string) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		c, ok := s.clients[id]
		return ok && c.secret == secret
	}
	switch s.cfg.BasicMatch {
	case BasicAsSent:
		return b.rawID, b.rawSecret
	case BasicEither:
		if b.decoded && matches(b.id, b.secret) {
			return b.id, b.secret
		}
		return b.rawID, b.rawSecret
	}
	if !b.decoded {
		return "", ""
	}
	return b.id, b.secret
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request, clientID, keyID string, u User, scope string) {
	now := time.Now()
	exp := now.Add(s.cfg.TokenTTL)
	common := map[string]any{
		"sub": "user:" + u.ID, "userId": u.ID, "iss": s.issuerFor(r), "aud": clientID, // the issuer discovery names
		"tenantId": u.TenantID, "tenant": u.Tenant, "icBUId": u.BusinessUnitID,
		"icClusterId": u.Cluster, "icDomain": "niceincontact.com", "icAgentId": "123456",
		"iat": now.Unix(), "exp": exp.Unix(),
	}
	if u.TenantID == "" {
		// A plain OIDC user: no CXone claims at all.
		for _, k := range []string{"tenantId", "tenant", "icBUId", "icClusterId", "icDomain", "icAgentId"} {
			delete(common, k)
		}
	}
	if u.Area != "" {
		common["area"] = u.Area
	}
	idc := clone(common)
	idc["name"], idc["given_name"], idc["family_name"] = u.Name, u.GivenName, u.FamilyName
	atc := clone(common)
	// CXone's access token names an internal issuer that differs from the OIDC issuer: a client
	// must read the id_token's claims first.
	atc["iss"] = "https://auth.internal.example/" + strings.ToLower(u.Cluster)
	atc["role"] = map[string]any{"legacyId": u.Role, "id": "11e0-role", "lastUpdateTime": now.Unix()}
	atc["jti"] = randomID()
	access, err := signJWT(s.cfg.SigningAlg, atc)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	resp := map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": int(s.cfg.TokenTTL / time.Second),
		"issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
	}
	if s.cfg.ExpiresInString {
		resp["expires_in"] = fmt.Sprint(int(s.cfg.TokenTTL / time.Second))
	}
	if !s.cfg.NoIDToken {
		idt, err := signJWT(s.cfg.SigningAlg, idc)
		if err != nil {
			oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
			return
		}
		resp["id_token"] = idt
	}
	refresh := clone(common)
	refresh["jti"] = randomID()
	rt, rtErr := signJWT(s.cfg.SigningAlg, refresh)
	if rtErr == nil {
		resp["refresh_token"] = rt
	}
	if scope != "" {
		resp["scope"] = scope
	}
	s.mu.Lock()
	s.tokens[access] = issued{user: u, expires: exp}
	if rtErr == nil {
		s.refresh[rt] = refreshGrant{clientID: clientID, keyID: keyID, user: u}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
