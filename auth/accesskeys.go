package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// NICE's access-key API, experimental (docs/rotation.md): public clients generated from
// NICE's description call /access-key-management/v1/access-keys on the API host to create,
// list, deactivate and delete a user's keys. Which host really serves it and which permission
// it needs are not confirmed.

const accessKeysPath = "/access-key-management/v1/access-keys"

// NewAccessKey is a key just created. Secret is a secret: String and LogValue hide it.
type NewAccessKey struct {
	ID     string
	Secret string
}

// String shows the ID masked and hides the secret.
func (k NewAccessKey) String() string {
	return fmt.Sprintf("{access_key_id:%s access_key_secret:%s}", Mask(k.ID), hidden(k.Secret))
}

// GoString keeps %#v from printing the secret.
func (k NewAccessKey) GoString() string { return "auth.NewAccessKey" + k.String() }

// LogValue implements slog.LogValuer without the secret.
func (k NewAccessKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// AccessKeyInfo is one key as the API lists it; the times are zero when not given.
type AccessKeyInfo struct {
	ID       string
	Active   bool
	Created  time.Time
	LastUsed time.Time
}

// AccessKeyError is a refusal of the access-key API: 401 (the token), 403 (the user lacks the
// permission) or 404 (no such API or key on this host).
type AccessKeyError struct {
	Op          string // "create", "list", "deactivate", "delete"
	Status      int
	URL         string
	Description string // sanitised
}

func (e *AccessKeyError) Error() string {
	msg := fmt.Sprintf("the access-key API refused to %s the key (HTTP %d from %s)", e.Op, e.Status, e.URL)
	if e.Op == "list" {
		msg = fmt.Sprintf("the access-key API refused to list the keys (HTTP %d from %s)", e.Status, e.URL)
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// AccessKeyAPI calls the access-key API at an API endpoint with a bearer token.
type AccessKeyAPI struct {
	c     *Client
	base  string // {api endpoint}/access-key-management/v1/access-keys
	token string
	log   *slog.Logger
}

// AccessKeys returns the access-key API at apiEndpoint (as a check of issuer found it) for
// the bearer token. The endpoint obeys the rules of the check: https (http on loopback only),
// never less secure than the issuer.
func (c *Client) AccessKeys(issuer, apiEndpoint, token string, log *slog.Logger) (*AccessKeyAPI, error) {
	iss, err := ValidateIssuer(issuer)
	if err != nil {
		return nil, &ProtocolError{Msg: "issuer: " + err.Error()}
	}
	iu, err := url.Parse(iss)
	if err != nil {
		return nil, &ProtocolError{Msg: "issuer: " + Sanitize(err.Error())}
	}
	r := &run{c: c, issuer: iu}
	api, err := r.apiEndpoint(apiEndpoint, "API endpoint")
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, &ProtocolError{Msg: "no access token for the access-key API"}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &AccessKeyAPI{c: c, base: api + accessKeysPath, token: token, log: log}, nil
}

func (a *AccessKeyAPI) send(ctx context.Context, c *Client, method, u string, body any) (*response, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, &ProtocolError{Msg: "cannot build the request: " + Sanitize(err.Error())}
		}
	}
	return c.do(ctx, a.log, func(ctx context.Context) (*http.Request, error) {
		var rd *bytes.Reader
		if data != nil {
			rd = bytes.NewReader(data)
		}
		var req *http.Request
		var err error
		if rd != nil {
			req, err = http.NewRequestWithContext(ctx, method, u, rd)
		} else {
			req, err = http.NewRequestWithContext(ctx, method, u, nil)
		}
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+a.token)
		if data != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, nil
	})
}

// judge turns a non-2xx answer into an error.
func judge(resp *response, op string) error {
	switch {
	case resp.status >= 200 && resp.status < 300:
		return nil
	case resp.status == http.StatusUnauthorized, resp.status == http.StatusForbidden, resp.status == http.StatusNotFound:
		_, desc := ParseErrorResponse(resp.body, resp.header)
		return &AccessKeyError{Op: op, Status: resp.status, URL: resp.url, Description: desc}
	case resp.status >= 300 && resp.status < 400:
		return &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the access-key API answered with a redirect, which is not followed"}
	}
	return statusError(resp, "the access-key API failed to "+op+" the key")
}

// Create makes a new access key for the user in the tenant. It is never sent twice: a retry
// after an answer that did not arrive could leave a second key behind.
func (a *AccessKeyAPI) Create(ctx context.Context, userID, tenantID string) (NewAccessKey, error) {
	once := *a.c
	once.MaxRetries = 0
	resp, err := a.send(ctx, &once, http.MethodPost, a.base, map[string]string{"userId": userID, "tenantId": tenantID})
	if err != nil {
		return NewAccessKey{}, err
	}
	if err := judge(resp, "create"); err != nil {
		return NewAccessKey{}, err
	}
	type created struct {
		ID     string `json:"accessKeyId"`
		Secret string `json:"accessKeySecret"`
	}
	var doc struct {
		ResultSet *created `json:"resultSet"`
		created
	}
	if err := json.Unmarshal(resp.body, &doc); err != nil {
		return NewAccessKey{}, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the new access key's answer is not valid JSON"}
	}
	k := doc.created
	if doc.ResultSet != nil {
		k = *doc.ResultSet
	}
	if strings.TrimSpace(k.ID) == "" || strings.TrimSpace(k.Secret) == "" {
		return NewAccessKey{}, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the new access key's answer has no accessKeyId or accessKeySecret"}
	}
	for _, v := range [][2]string{{"Access Key ID", k.ID}, {"Access Key Secret", k.Secret}} {
		if err := ValidateValue(v[0], v[1]); err != nil {
			return NewAccessKey{}, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the new access key is unusable: " + err.Error()}
		}
	}
	return NewAccessKey(k), nil
}

// List returns the user's keys.
func (a *AccessKeyAPI) List(ctx context.Context, userID string) ([]AccessKeyInfo, error) {
	resp, err := a.send(ctx, a.c, http.MethodGet, a.base+"?userId="+url.QueryEscape(userID), nil)
	if err != nil {
		return nil, err
	}
	if err := judge(resp, "list"); err != nil {
		return nil, err
	}
	var doc struct {
		AccessKeys []struct {
			ID       string `json:"accessKeyId"`
			IsActive *bool  `json:"isActive"`
			Created  string `json:"createdDate"`
			LastUsed string `json:"lastUsedDate"`
		} `json:"accessKeys"`
	}
	if err := json.Unmarshal(resp.body, &doc); err != nil {
		return nil, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the access-key list is not valid JSON"}
	}
	out := make([]AccessKeyInfo, 0, len(doc.AccessKeys))
	for _, k := range doc.AccessKeys {
		out = append(out, AccessKeyInfo{ID: Sanitize(k.ID), Active: k.IsActive == nil || *k.IsActive,
			Created: parseAPITime(k.Created), LastUsed: parseAPITime(k.LastUsed)})
	}
	return out, nil
}

// Deactivate makes a key inactive.
func (a *AccessKeyAPI) Deactivate(ctx context.Context, keyID, userID, tenantID string) error {
	q := url.Values{"accessKeyId": {keyID}, "userId": {userID}, "tenantId": {tenantID}}
	resp, err := a.send(ctx, a.c, http.MethodPatch, a.base+"?"+q.Encode(), map[string]bool{"isActive": false})
	if err != nil {
		return err
	}
	return judge(resp, "deactivate")
}

// Delete removes a key.
func (a *AccessKeyAPI) Delete(ctx context.Context, keyID string) error {
	resp, err := a.send(ctx, a.c, http.MethodDelete, a.base+"/"+url.PathEscape(keyID), nil)
	if err != nil {
		return err
	}
	return judge(resp, "delete")
}

// parseAPITime reads the API's dates (RFC 3339, with or without a zone or fraction); zero when
// absent or unreadable.
func parseAPITime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
