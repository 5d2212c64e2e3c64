// handlers.go: request routing, the token endpoint, the account check and the accounts
// endpoint, and the helpers that answer with JSON.

package cyclrtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

var (
	installPath = regexp.MustCompile(`^/v1\.0/connectors/([0-9]+)/install$`)
	acPath      = regexp.MustCompile(`^/v1\.0/account/connectors(?:/([0-9]+))?$`)
)

func endpointOf(path string) Endpoint {
	switch {
	case path == "/oauth/token":
		return EndpointToken
	case path == "/v1.0/connectors":
		return EndpointConnectors
	case installPath.MatchString(path):
		return EndpointInstall
	case acPath.MatchString(path):
		return EndpointAccountConnectors
	case path == "/v1.0/accounts":
		return EndpointAccounts
	}
	return EndpointOther
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep := endpointOf(r.URL.Path)
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Endpoint: ep, Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, At: time.Now()})
	var fault *Fault
	if f := s.faults[ep]; f != nil {
		c := *f
		fault = &c
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				delete(s.faults, ep)
			}
		}
	}
	s.mu.Unlock()
	if s.cfg.Latency > 0 {
		t := time.NewTimer(s.cfg.Latency)
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
	if ep == EndpointToken {
		s.token(w, r)
		return
	}
	if ep == EndpointOther {
		message(w, http.StatusNotFound, "No HTTP resource was found that matches the request URI.")
		return
	}
	if !s.authorised(r) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		message(w, http.StatusUnauthorized, "Authorization has been denied for this request.")
		return
	}
	switch ep {
	case EndpointAccounts:
		s.serveAccounts(w, r)
	case EndpointConnectors:
		s.serveConnectors(w, r)
	case EndpointInstall:
		s.serveInstall(w, r)
	case EndpointAccountConnectors:
		s.serveAccountConnectors(w, r)
	}
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// message is ASP.NET Web API's error shape, which Cyclr's API answers with.
func message(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"Message": msg})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// token is the client-credentials grant as Cyclr documents it: a form body with grant_type,
// client_id and client_secret.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "invalid_request"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "form body expected"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	id, secret := f.Get("client_id"), f.Get("client_secret")
	s.mu.Lock()
	want, ok := s.clients[id]
	s.mu.Unlock()
	if id == "" || !ok || want != secret {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_client"})
		return
	}
	tok := randomHex(32)
	s.mu.Lock()
	s.tokens[tok] = time.Now().Add(s.cfg.TokenTTL)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "bearer", "access_token": tok,
		"expires_in": int(s.cfg.TokenTTL/time.Second) - 1, "clientId": id})
}

func (s *Server) authorised(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	exp, known := s.tokens[tok]
	s.mu.Unlock()
	return known && time.Now().Before(exp)
}

// account checks X-Cyclr-Account: false (answered) when it is missing or names no account.
func (s *Server) account(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.Header.Get("X-Cyclr-Account")
	if id == "" {
		message(w, http.StatusBadRequest, "The X-Cyclr-Account header is required for this request.")
		return "", false
	}
	s.mu.Lock()
	_, ok := s.accounts[id]
	s.mu.Unlock()
	if !ok {
		message(w, http.StatusNotFound, "Account not found.")
		return "", false
	}
	return id, true
}

func (s *Server) serveAccounts(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		out := make([]Account, 0, len(s.acctOrd))
		for _, id := range s.acctOrd {
			out = append(out, s.accounts[id])
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case http.MethodPost:
		var in struct{ Name, Description, Timezone string }
		if !decodeJSON(w, r, &in) {
			return
		}
		if strings.TrimSpace(in.Name) == "" {
			message(w, http.StatusBadRequest, "Name is required.")
			return
		}
		a := Account{ID: uuid(), Name: in.Name, Description: in.Description, Timezone: orStr(in.Timezone, "UTC")}
		s.AddAccount(a)
		s.mu.Lock()
		a = s.accounts[a.ID]
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, a)
	default:
		message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
	}
}

func uuid() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// decodeJSON reads a JSON body strictly: application/json, and no unknown fields.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		message(w, http.StatusUnsupportedMediaType, "The request entity's media type is not supported for this resource.")
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		message(w, http.StatusBadRequest, "The request is invalid: "+err.Error())
		return false
	}
	return true
}
