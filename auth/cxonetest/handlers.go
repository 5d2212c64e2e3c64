// handlers.go: request routing, the helpers that answer (JSON, OAuth errors, Accept
// checks), and the discovery, tenant, JWKS and business-unit API endpoints.

package cxonetest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

var (
	apiPath = regexp.MustCompile(`^/inContactAPI/services/v[0-9]{1,2}\.0/(.+)$`)
	// apiPathAnyCase is the lenient server's: public clients write /InContactAPI/,
	// /incontactapi/ and /incontactApi/, and CXone answers all of them.
	apiPathAnyCase = regexp.MustCompile(`^/(?i:incontactapi)/services/v[0-9]{1,2}\.0/(.+)$`)
)

// apiPath is the API path pattern this server answers.
func (s *Server) apiPath() *regexp.Regexp {
	if s.cfg.Lenient {
		return apiPathAnyCase
	}
	return apiPath
}

// endpointOf names the endpoint of a path, with the server's rules for the API path.
func (s *Server) endpointOf(path string) Endpoint {
	if ep := endpointOf(path); ep != EndpointOther || !s.cfg.Lenient || !apiPathAnyCase.MatchString(path) {
		return ep
	}
	return EndpointAPI
}

func endpointOf(path string) Endpoint {
	switch {
	case path == "/.well-known/openid-configuration":
		return EndpointDiscovery
	case path == "/auth/token":
		return EndpointToken
	case path == "/.well-known/cxone-configuration":
		return EndpointTenant
	case path == "/auth/jwks":
		return EndpointJWKS
	case apiPath.MatchString(path):
		return EndpointAPI
	case path == accessKeysPath || strings.HasPrefix(path, accessKeysPath+"/"):
		return EndpointAccessKeys
	}
	return EndpointOther
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep := s.endpointOf(r.URL.Path)
	rec := Request{Endpoint: ep, Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), At: time.Now(), RemoteAddr: r.RemoteAddr}
	formErr := error(nil)
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if s.cfg.Lenient && ep == EndpointToken && isJSONLabel(r.Header.Get("Content-Type")) {
			formErr = parseLabelledJSON(r)
		} else {
			formErr = r.ParseForm()
		}
		rec.Form = r.PostForm
	}

	s.mu.Lock()
	s.requests = append(s.requests, rec)
	latency := s.latency
	var fault *Fault
	if f := s.faults[ep]; f != nil && (f.Method == "" || f.Method == r.Method) {
		copied := *f
		fault = &copied
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				delete(s.faults, ep)
			}
		}
	}
	s.mu.Unlock()

	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fault != nil {
		s.serveFault(w, r, *fault)
		return
	}
	switch ep {
	case EndpointDiscovery:
		s.discovery(w, r)
	case EndpointToken:
		s.token(w, r, formErr)
	case EndpointTenant:
		s.tenant(w, r)
	case EndpointJWKS:
		s.jwks(w, r)
	case EndpointAPI:
		s.api(w, r)
	case EndpointAccessKeys:
		s.accessKeys(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "not_found", "message": "No resource at " + r.URL.Path})
	}
}

func orString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError writes an OAuth error with both description spellings CXone is seen to use.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="cxone"`)
	}
	writeJSON(w, status, map[string]any{"error": code, "error_description": desc, "errorDescription": desc})
}

// acceptsJSON reports whether an Accept header admits application/json: none at all, or a
// range such as */*, application/* or application/json whose q is not 0.
func acceptsJSON(h string) bool {
	if strings.TrimSpace(h) == "" {
		return true
	}
	for _, part := range strings.Split(h, ",") {
		mt, params, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "*/*", "application/*", "application/json":
		default:
			continue
		}
		if q := qValue(params); q > 0 {
			return true
		}
	}
	return false
}

// qValue reads q= from a media range's parameters (1 when absent or unreadable).
func qValue(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			var q float64
			if _, err := fmt.Sscan(strings.TrimSpace(v), &q); err == nil {
				return q
			}
		}
	}
	return 1
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "method not allowed"})
		return
	}
	iss := s.issuerFor(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/auth/authorize",
		"token_endpoint":                        orString(s.cfg.TokenEndpoint, iss+"/auth/token"),
		"userinfo_endpoint":                     iss + "/auth/userinfo",
		"jwks_uri":                              iss + "/auth/jwks",
		"token_endpoint_auth_methods_supported": s.cfg.AuthMethods,
		"scopes_supported":                      []string{"openid"},
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		// Read by NICE's own SDK.
		"end_session_endpoint":             iss + "/auth/logout",
		"display_values_supported":         []string{"page", "popup"},
		"code_challenge_methods_supported": []string{"S256"},
	})
}

func (s *Server) tenant(w http.ResponseWriter, r *http.Request) {
	tid := r.URL.Query().Get("tenantId")
	if tid == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "message": "tenantId is required"})
		return
	}
	var u *User
	s.mu.Lock()
	for _, k := range s.keys {
		if k.user.TenantID == tid {
			uc := k.user
			u = &uc
			break
		}
	}
	s.mu.Unlock()
	if u == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Tenant not found"})
		return
	}
	api := s.cfg.APIEndpoint
	if api == "" {
		api = s.URL
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"private": false, "area": u.Area, "cluster": u.Cluster, "domain": "niceincontact.com",
		"acdDomain": "nice-incontact.com", "uhDomain": "nice-incontact.com",
		"ui_endpoint": s.URL, "auth_endpoint": s.URL, "api_endpoint": api, "tenantId": tid,
	})
}

func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	if s.cfg.SigningAlg == ES256 {
		k, err := ecKey()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "no key"})
			return
		}
		pt, err := k.PublicKey.Bytes() // 0x04, then X and Y, 32 bytes each
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "no key"})
			return
		}
		x, y := pt[1:33], pt[33:]
		writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
			"kty": "EC", "use": "sig", "alg": ES256, "kid": "default", "crv": "P-256",
			"x": base64.RawURLEncoding.EncodeToString(x), "y": base64.RawURLEncoding.EncodeToString(y),
		}}})
		return
	}
	k, err := signingKey()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "no key"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "default",
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(bigEndian(k.E)),
	}}})
}

func bigEndian(e int) []byte {
	var b []byte
	for e > 0 {
		b = append([]byte{byte(e)}, b...)
		e >>= 8
	}
	return b
}

// api serves the business-unit and server-time resources to holders of a live token who ask
// for JSON.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
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
	resource := s.apiPath().FindStringSubmatch(r.URL.Path)[1]
	switch resource {
	case "business-unit":
		if iss.user.NoBusinessUnitView {
			writeJSON(w, http.StatusForbidden, map[string]any{"error": "forbidden", "message": "Insufficient permissions: Business Unit view"})
			return
		}
		u := iss.user
		writeJSON(w, http.StatusOK, map[string]any{"businessUnits": []map[string]any{{
			"businessUnitId": u.BusinessUnitID, "businessUnitName": u.BusinessUnitName, "tenantId": u.TenantID,
			"defaultTimeZone": "Mountain Standard Time", "isActive": true,
		}}})
	case "server-time":
		writeJSON(w, http.StatusOK, map[string]any{"ServerTime": time.Now().UTC().Format(time.RFC3339Nano)})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "No resource " + resource})
	}
}

// Key generation is slow (tens of milliseconds): one key serves every server in the process.
var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

func signingKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() { key, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	return key, keyErr
}
