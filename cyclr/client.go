// Package cyclr is cxone-auth's client of Cyclr's partner API: the client-credentials token,
// the connector library, installing a connector into an account and updating its account
// connector, and the accounts. Every request goes through auth.Client.Send, so the rules of
// the CXone check hold here too: https (http only on loopback), redirects never followed by a
// request that writes and followed by reads only within their origin, every attempt bounded,
// bodies read through a 1 MiB limit. Strings Cyclr returns are kept as they came; whoever
// prints them passes them through auth.Sanitize. docs/cyclr.md has the wire contract and the
// mapping rules.
package cyclr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"cxone-auth/auth"
)

// ConnectorName is the exact name of the NICE CXone connector in Cyclr's library. The
// connector is chosen by this name only, never by the first name that contains "Nice".
const ConnectorName = "Nice CXOne"

// DefaultDomain is Cyclr's US API domain.
const DefaultDomain = "api.cyclr.com"

// ParseDomain reads CYCLR_API_DOMAIN: a host ("api.cyclr.com", meaning https) or a URL. It
// returns the origin (scheme://host[:port]); http is allowed only on a loopback host.
func ParseDomain(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("the Cyclr API domain is empty")
	}
	for _, r := range raw {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == ' ' {
			return "", errors.New("the Cyclr API domain contains spaces, control or invisible formatting characters")
		}
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%q is not a host or URL: want something like %s", auth.Sanitize(raw), DefaultDomain)
	}
	if u.User != nil {
		return "", errors.New("the Cyclr API domain must not contain a user name or password")
	}
	if u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("the Cyclr API domain %s must be a host, without a path, query or fragment", auth.Sanitize(u.Host))
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !auth.IsLoopback(u.Hostname()) {
			return "", fmt.Errorf("%s uses http: Cyclr's API must be https (http is allowed only on loopback hosts, for testing)", auth.Sanitize(u.Host))
		}
	default:
		return "", fmt.Errorf("%s: want an https URL", auth.Sanitize(u.Scheme+"://"+u.Host))
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), nil
}

// ErrorKind classifies a Cyclr failure for exit codes.
type ErrorKind int

// Kinds of Error.
const (
	KindFailed   ErrorKind = iota + 1 // anything that is not the credentials' fault (exit 1)
	KindRejected                      // 401, or invalid_client from the token endpoint (exit 3)
	KindNotFound                      // 404: no such account, connector or account connector (exit 4)
)

// Error is an answer from Cyclr that the client cannot use. Its text is sanitised and never
// quotes a request body.
type Error struct {
	Kind   ErrorKind
	Status int
	URL    string
	Msg    string
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("cyclr: %s (HTTP %d from %s)", e.Msg, e.Status, e.URL)
	}
	return "cyclr: " + e.Msg
}

// KindOf is the kind of err: an *Error's own, KindFailed for anything else (network,
// timeout, server errors), 0 for nil.
func KindOf(err error) ErrorKind {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindFailed
}

// Client talks to one Cyclr API domain with one access token.
type Client struct {
	// Base is the API origin from ParseDomain.
	Base string
	// HTTP does the requests: one shared with the CXone checks of the same command.
	HTTP *auth.Client
	// Log receives debug lines (never a secret); nil discards.
	Log *slog.Logger
	// Token is the bearer token of the API calls (see NewToken).
	Token string
}

// Token is an access token of the Cyclr API and its expiry.
type Token struct {
	AccessToken string
	ExpiresAt   time.Time
}

// NewToken gets a token with the partner's API client: POST {domain}/oauth/token with
// grant_type=client_credentials and the client ID and secret in the form body, as Cyclr's
// documentation shows. invalid_client (or any 401) is KindRejected.
func (c *Client) NewToken(ctx context.Context, clientID, clientSecret string) (Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret}}.Encode()
	resp, err := c.HTTP.Send(ctx, c.Log, true, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/oauth/token", strings.NewReader(form))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
	red := newRedactor(nil, clientSecret, form)
	if err != nil {
		return Token{}, red.serverError(err)
	}
	if resp.Status >= 300 && resp.Status < 400 {
		return Token{}, redirected(resp)
	}
	if resp.Status != http.StatusOK {
		code, desc := auth.ParseErrorBody(resp.Body)
		e := &Error{Kind: KindFailed, Status: resp.Status, URL: resp.URL, Msg: "the token request was refused"}
		if code == "invalid_client" || resp.Status == http.StatusUnauthorized {
			e.Kind, e.Msg = KindRejected, "the Cyclr API client was rejected (invalid_client): check the Client ID and Client Secret (Partner Console → Settings → OAuth Client Credentials) and the API domain"
		} else if code != "" {
			e.Msg += ": " + red.text(code)
		}
		if desc != "" && e.Kind != KindRejected {
			e.Msg += ": " + red.text(desc)
		}
		return Token{}, e
	}
	var t struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &t); err != nil || t.AccessToken == "" {
		return Token{}, &Error{Kind: KindFailed, Status: resp.Status, URL: resp.URL, Msg: "the token answer is not JSON with an access_token"}
	}
	secs, err := strconv.ParseFloat(strings.Trim(string(t.ExpiresIn), `"`), 64)
	// Cyclr documents 14 days; a longer (or NaN, or overflowing) lifetime is not believed: the
	// token is cached for at most that long.
	const maxLifetime = 14 * 24 * 3600
	if err != nil || !(secs > 0) || secs > maxLifetime {
		secs = maxLifetime
	}
	return Token{AccessToken: t.AccessToken, ExpiresAt: time.Now().Add(time.Duration(secs) * time.Second).UTC().Truncate(time.Second)}, nil
}

func redirected(resp *auth.Response) error {
	where := "somewhere else"
	if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Host != "" {
		where = loc.Scheme + "://" + loc.Host
	}
	return &Error{Kind: KindFailed, Status: resp.Status, URL: resp.URL,
		Msg: fmt.Sprintf("Cyclr answered with a redirect to %s; requests that carry credentials never follow one, so nothing was sent there", auth.Sanitize(where))}
}

// call does one API request. body (when not nil) is sent as JSON; the answer is decoded into
// out. Reads are retried on 5xx, writes never.
// Every value of the body (and hide, and the token) is hidden in what the server answers.
func (c *Client) call(ctx context.Context, method, path, account string, body, out any, hide ...string) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("cyclr: encode the request: %w", err)
		}
	}
	resp, err := c.HTTP.Send(ctx, c.Log, method == http.MethodGet, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("Accept", "application/json")
		if account != "" {
			req.Header.Set("X-Cyclr-Account", account)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Body, req.ContentLength, req.GetBody = http.NoBody, 0, nil
		}
		return req, nil
	})
	red := newRedactor(payload, append([]string{c.Token}, hide...)...)
	if err != nil {
		return red.serverError(err)
	}
	serverMessage := func(body []byte) string { return serverMessage(body, red) }
	switch {
	case resp.Status >= 300 && resp.Status < 400:
		return redirected(resp)
	case resp.Status == http.StatusUnauthorized:
		return &Error{Kind: KindRejected, Status: resp.Status, URL: resp.URL, Msg: "Cyclr refused the token" + serverMessage(resp.Body) + "; run 'cxone-auth cyclr login' again"}
	case resp.Status == http.StatusForbidden:
		return &Error{Kind: KindRejected, Status: resp.Status, URL: resp.URL, Msg: "Cyclr refused the request" + serverMessage(resp.Body)}
	case resp.Status == http.StatusNotFound:
		return &Error{Kind: KindNotFound, Status: resp.Status, URL: resp.URL, Msg: "not found" + serverMessage(resp.Body)}
	case resp.Status < 200 || resp.Status >= 300:
		return &Error{Kind: KindFailed, Status: resp.Status, URL: resp.URL, Msg: "the request failed" + serverMessage(resp.Body)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return &Error{Kind: KindFailed, Status: resp.Status, URL: resp.URL, Msg: "the answer is not the JSON expected"}
	}
	return nil
}

// serverMessage is ": MESSAGE" from a Cyclr error body (ASP.NET's {"Message": ...}, or an
// OAuth error), with every value the request carried hidden (see redact.go), sanitised, or "".
func serverMessage(body []byte, red *redactor) string {
	var m struct {
		Message string `json:"Message"`
	}
	msg := ""
	if json.Unmarshal(body, &m) == nil && m.Message != "" {
		msg = m.Message
	} else if code, desc := auth.ParseErrorBody(body); desc != "" || code != "" {
		msg = strings.TrimSpace(code + " " + desc)
	} else if len(body) > 0 {
		msg = auth.Excerpt([]byte(red.hide(string(body))))
	}
	if msg = red.text(msg); msg == "" {
		return ""
	}
	return ": " + msg
}

// Parameter is one parameter of a connector; IsAccountConnectorProperty ones are installed as
// Properties, by TargetName.
type Parameter struct {
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

// Authentication is one of a connector's authentication methods.
type Authentication struct {
	ID              string `json:"Id"`
	AuthName        string `json:"AuthName"`
	AuthDescription string `json:"AuthDescription"`
	AuthType        string `json:"AuthType"`
}

// Connector is a connector of Cyclr's library (GET /v1.0/connectors).
type Connector struct {
	ID             int64            `json:"Id"`
	Name           string           `json:"Name"`
	Description    string           `json:"Description"`
	Status         string           `json:"Status"`
	Version        string           `json:"Version"`
	AuthType       string           `json:"AuthType"`
	OAuth2Type     string           `json:"OAuth2Type"`
	Parameters     []Parameter      `json:"Parameters"`
	Authentication []Authentication `json:"Authentication"`
}

// Account is a Cyclr account.
type Account struct {
	ID          string `json:"Id"`
	Name        string `json:"Name"`
	Description string `json:"Description"`
	Timezone    string `json:"Timezone"`
}

// AccountConnector is a connector installed into an account. What it holds of the
// credentials (AuthValue, property values) is deliberately not decoded: Cyclr echoes them,
// and what is never kept cannot be printed.
type AccountConnector struct {
	ID            int64  `json:"Id"`
	Name          string `json:"Name"`
	Description   string `json:"Description"`
	Authenticated bool   `json:"Authenticated"`
	Connector     struct {
		ID   int64  `json:"Id"`
		Name string `json:"Name"`
	} `json:"Connector"`
}

// Property is one account-connector property of an install.
type Property struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
	ID    int64  `json:"Id,omitempty"`
}

// InstallBody is the body of POST /v1.0/connectors/{id}/install and of PUT
// /v1.0/account/connectors/{id}.
type InstallBody struct {
	Name             string     `json:"Name,omitempty"`
	Description      string     `json:"Description,omitempty"`
	AuthenticationID string     `json:"AuthenticationId,omitempty"`
	AuthValue        *string    `json:"AuthValue,omitempty"`
	Properties       []Property `json:"Properties,omitempty"`
}

// Connectors lists the connector library (GET /v1.0/connectors), for account when given
// (X-Cyclr-Account).
func (c *Client) Connectors(ctx context.Context, account string) ([]Connector, error) {
	var out []Connector
	err := c.call(ctx, http.MethodGet, "/v1.0/connectors", account, nil, &out)
	return out, err
}

// FindConnector picks the connector whose name is exactly name.
func FindConnector(list []Connector, name string) (Connector, bool) {
	for _, x := range list {
		if x.Name == name {
			return x, true
		}
	}
	return Connector{}, false
}

// Accounts lists the partner's accounts (GET /v1.0/accounts).
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := c.call(ctx, http.MethodGet, "/v1.0/accounts", "", nil, &out)
	return out, err
}

// AccountConnectors lists an account's installed connectors.
func (c *Client) AccountConnectors(ctx context.Context, account string) ([]AccountConnector, error) {
	var out []AccountConnector
	err := c.call(ctx, http.MethodGet, "/v1.0/account/connectors", account, nil, &out)
	return out, err
}

// AccountConnector reads one account connector.
func (c *Client) AccountConnector(ctx context.Context, account string, id int64) (AccountConnector, error) {
	var out AccountConnector
	err := c.call(ctx, http.MethodGet, "/v1.0/account/connectors/"+strconv.FormatInt(id, 10), account, nil, &out)
	return out, err
}

// Install installs connector connectorID into account. hide are secrets (Plan.Secrets) to
// hide in Cyclr's answer besides the body's own values.
func (c *Client) Install(ctx context.Context, account string, connectorID int64, b InstallBody, hide ...string) (AccountConnector, error) {
	var out AccountConnector
	err := c.call(ctx, http.MethodPost, "/v1.0/connectors/"+strconv.FormatInt(connectorID, 10)+"/install", account, b, &out, hide...)
	return out, err
}

// Update changes an account connector (PUT /v1.0/account/connectors/{id}).
// hide as for Install.
func (c *Client) Update(ctx context.Context, account string, id int64, b InstallBody, hide ...string) (AccountConnector, error) {
	var out AccountConnector
	err := c.call(ctx, http.MethodPut, "/v1.0/account/connectors/"+strconv.FormatInt(id, 10), account, b, &out, hide...)
	return out, err
}
