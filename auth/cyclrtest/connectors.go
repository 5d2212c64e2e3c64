// connectors.go: the connector library, installing a connector into an account, and the
// account connectors (read, updated, and authenticated against CXone).

package cyclrtest

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Connector IDs of the emulated library.
const (
	CXoneConnectorID int64 = 7105
	decoyIDA         int64 = 7104
	decoyIDB         int64 = 7106
)

// Parameter TargetNames and the Basic authentication's ID of the NICE CXone connector.
const (
	TargetAccessKeyID     = "accessKeyId"
	TargetAccessKeySecret = "accessKeySecret"
	BasicAuthID           = "3f2a9c1e-6b7d-4e5f-8a9b-0c1d2e3f4a5b"
	oauthAuthID           = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
)

type parameter struct {
	IsAccountConnectorProperty bool     `json:"IsAccountConnectorProperty"`
	TargetType                 string   `json:"TargetType"`
	TargetName                 string   `json:"TargetName"`
	IsSensitive                bool     `json:"IsSensitive"`
	ID                         int64    `json:"Id"`
	Name                       string   `json:"Name"`
	Description                string   `json:"Description"`
	IsOptional                 bool     `json:"IsOptional"`
	DataType                   string   `json:"DataType"`
	Values                     []string `json:"Values"`
}

type authentication struct {
	ID              string `json:"Id"`
	AuthName        string `json:"AuthName"`
	AuthDescription string `json:"AuthDescription"`
	AuthType        string `json:"AuthType"`
}

type connector struct {
	ID              int64            `json:"Id"`
	Name            string           `json:"Name"`
	Description     string           `json:"Description"`
	Status          string           `json:"Status"`
	Version         string           `json:"Version"`
	Icon            *string          `json:"Icon"`
	AuthDescription *string          `json:"AuthDescription"`
	AuthType        string           `json:"AuthType"`
	OAuth2Type      string           `json:"OAuth2Type"`
	AuthScheme      *string          `json:"AuthScheme"`
	Parameters      []parameter      `json:"Parameters"`
	Authentication  []authentication `json:"Authentication"`
}

// library is the connector list: the NICE CXone connector in the configured schema between
// two decoys whose names also start with "Nice".
func (s *Server) library() []connector {
	cx := connector{ID: CXoneConnectorID, Name: ConnectorName, Description: "NICE CXone contact centre platform.", Status: "Approved", Version: "1.2",
		OAuth2Type: "Unknown", Parameters: []parameter{}, Authentication: []authentication{}}
	switch s.cfg.Schema {
	case SchemaBasic:
		cx.AuthType = "Basic"
		cx.Authentication = []authentication{{ID: BasicAuthID, AuthName: "HTTP Basic", AuthType: "Basic",
			AuthDescription: "username = Access Key ID, password = Access Key Secret"}}
	case SchemaOAuth:
		cx.AuthType = "OAuth2"
		cx.OAuth2Type = "AuthorisationCode"
		cx.Authentication = []authentication{{ID: oauthAuthID, AuthName: "OAuth 2.0", AuthType: "OAuth2"}}
	default:
		cx.AuthType = "None"
		cx.Parameters = []parameter{
			{IsAccountConnectorProperty: true, TargetType: "Script", TargetName: TargetAccessKeyID, ID: 880101, Name: "Access Key ID",
				Description: "The user access key id from a user on the business unit you want to make the API call against.", DataType: "Text", Values: []string{}},
			{IsAccountConnectorProperty: true, TargetType: "Script", TargetName: TargetAccessKeySecret, IsSensitive: true, ID: 880102, Name: "Access Key Secret",
				Description: "The user access key secret from a user on the business unit you want to make the API call against.", DataType: "Text", Values: []string{}},
		}
	}
	decoy := func(id int64, name string) connector {
		return connector{ID: id, Name: name, Description: "Not the CXone connector.", Status: "Approved", Version: "1.0", AuthType: "ApiKey",
			OAuth2Type: "Unknown", Parameters: []parameter{{IsAccountConnectorProperty: true, TargetName: "apiKey", ID: int64(id*10 + 1), Name: "API Key", DataType: "Text", Values: []string{}}},
			Authentication: []authentication{{ID: "00000000-0000-4000-8000-" + fmt.Sprintf("%012d", id), AuthName: "API Key", AuthType: "ApiKey"}}}
	}
	return []connector{decoy(decoyIDA, "Nice Inbound Router"), cx, decoy(decoyIDB, "Nice CXOne Legacy")}
}

func (s *Server) findConnector(id int64) (connector, bool) {
	for _, c := range s.library() {
		if c.ID == id {
			return c, true
		}
	}
	return connector{}, false
}

func (s *Server) serveConnectors(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
		return
	}
	if r.Header.Get("X-Cyclr-Account") != "" {
		if _, ok := s.account(w, r); !ok {
			return
		}
	}
	writeJSON(w, http.StatusOK, s.library())
}

type installBody struct {
	Name             string     `json:"Name"`
	Description      string     `json:"Description"`
	AuthenticationID string     `json:"AuthenticationId"`
	AuthValue        *string    `json:"AuthValue"`
	Properties       []Property `json:"Properties"`
}

// checkBody applies what the connector's description says an install must hold.
func checkBody(c connector, b installBody) string {
	props := map[string]parameter{}
	for _, p := range c.Parameters {
		if p.IsAccountConnectorProperty {
			props[p.TargetName] = p
		}
	}
	for _, p := range b.Properties {
		param, ok := props[p.Name]
		if !ok {
			return fmt.Sprintf("%q is not an account connector property of %s.", p.Name, c.Name)
		}
		if p.ID != 0 && p.ID != param.ID {
			return fmt.Sprintf("Property %q has Id %d, not %d.", p.Name, p.ID, param.ID)
		}
	}
	if b.AuthenticationID != "" {
		found := false
		for _, a := range c.Authentication {
			found = found || a.ID == b.AuthenticationID
		}
		if !found {
			return "AuthenticationId does not name an authentication of this connector."
		}
	}
	return ""
}

func (s *Server) serveInstall(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
		return
	}
	acct, ok := s.account(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(installPath.FindStringSubmatch(r.URL.Path)[1], 10, 64)
	c, ok := s.findConnector(id)
	if !ok {
		message(w, http.StatusNotFound, "Connector not found.")
		return
	}
	var b installBody
	if !decodeJSON(w, r, &b) {
		return
	}
	if strings.TrimSpace(b.Name) == "" {
		message(w, http.StatusBadRequest, "Name is required.")
		return
	}
	if msg := checkBody(c, b); msg != "" {
		message(w, http.StatusBadRequest, msg)
		return
	}
	s.mu.Lock()
	ac := &AccountConnector{ID: s.nextID, Account: acct, ConnectorID: id, Name: b.Name, Description: b.Description,
		AuthenticationID: b.AuthenticationID, Properties: b.Properties}
	if b.AuthValue != nil {
		ac.AuthValue = *b.AuthValue
	}
	s.nextID++
	s.installs[ac.ID] = ac
	copyAC := *ac
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.view(r.Context(), copyAC, c))
}

// view is an account connector as Cyclr answers with it. AuthValue is echoed back, as Cyclr's
// documentation shows: a client must never print it.
func (s *Server) view(ctx context.Context, ac AccountConnector, c connector) map[string]any {
	props := ac.Properties
	if props == nil {
		props = []Property{}
	}
	var authValue any
	if ac.AuthValue != "" {
		authValue = ac.AuthValue
	}
	return map[string]any{
		"Id": ac.ID, "Name": ac.Name, "Description": ac.Description, "AuthValue": authValue,
		"Authenticated": s.authenticated(ctx, ac, c),
		"Connector": map[string]any{"Id": c.ID, "Name": c.Name, "Description": c.Description, "Status": c.Status,
			"Version": c.Version, "AuthType": c.AuthType, "OAuth2Type": c.OAuth2Type},
		"IsPartnerIntegrationConnector": false, "Properties": props, "CustomFields": []any{},
	}
}

// authenticated reports whether the access key the account connector holds (in its
// properties, or its Basic AuthValue) is one CXone accepts.
func (s *Server) authenticated(ctx context.Context, ac AccountConnector, c connector) bool {
	if s.cfg.Verify == nil {
		return false
	}
	var id, secret string
	switch {
	case c.AuthType == "Basic":
		raw, err := base64.StdEncoding.DecodeString(ac.AuthValue)
		if err != nil {
			return false
		}
		var ok bool
		if id, secret, ok = strings.Cut(string(raw), ":"); !ok {
			return false
		}
	case len(c.Parameters) > 0 && c.Parameters[0].TargetName == TargetAccessKeyID:
		for _, p := range ac.Properties {
			switch p.Name {
			case TargetAccessKeyID:
				id = p.Value
			case TargetAccessKeySecret:
				secret = p.Value
			}
		}
	default:
		return false
	}
	if id == "" || secret == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return s.cfg.Verify(ctx, id, secret)
}

func (s *Server) serveAccountConnectors(w http.ResponseWriter, r *http.Request) {
	acct, ok := s.account(w, r)
	if !ok {
		return
	}
	idText := acPath.FindStringSubmatch(r.URL.Path)[1]
	if idText == "" {
		if r.Method != http.MethodGet {
			message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
			return
		}
		var out []map[string]any
		for _, ac := range s.Installs() {
			if ac.Account != acct {
				continue
			}
			c, _ := s.findConnector(ac.ConnectorID)
			out = append(out, map[string]any{"Id": ac.ID, "Name": ac.Name, "Description": ac.Description,
				"Connector": map[string]any{"Id": c.ID, "Name": c.Name}})
		}
		if out == nil {
			out = []map[string]any{}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	id, _ := strconv.ParseInt(idText, 10, 64)
	s.mu.Lock()
	ac, found := s.installs[id]
	var cur AccountConnector
	if found {
		cur = *ac
	}
	s.mu.Unlock()
	if !found || cur.Account != acct {
		message(w, http.StatusNotFound, "Account connector not found.")
		return
	}
	c, _ := s.findConnector(cur.ConnectorID)
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.view(r.Context(), cur, c))
	case http.MethodPut:
		var b installBody
		if !decodeJSON(w, r, &b) {
			return
		}
		if msg := checkBody(c, b); msg != "" {
			message(w, http.StatusBadRequest, msg)
			return
		}
		s.mu.Lock()
		ac := s.installs[id]
		if b.Name != "" {
			ac.Name = b.Name
		}
		if b.Description != "" {
			ac.Description = b.Description
		}
		if b.AuthenticationID != "" {
			ac.AuthenticationID = b.AuthenticationID
		}
		if b.AuthValue != nil {
			ac.AuthValue = *b.AuthValue
		}
		if b.Properties != nil {
			merged := append([]Property(nil), ac.Properties...)
			for _, p := range b.Properties {
				replaced := false
				for i := range merged {
					if merged[i].Name == p.Name {
						merged[i], replaced = p, true
					}
				}
				if !replaced {
					merged = append(merged, p)
				}
			}
			ac.Properties = merged
		}
		cur = *ac
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, s.view(r.Context(), cur, c))
	default:
		message(w, http.StatusMethodNotAllowed, "The requested resource does not support this method.")
	}
}
