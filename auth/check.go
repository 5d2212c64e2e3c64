package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// run is the state of one check.
type run struct {
	c      *Client
	issuer *url.URL // validated; endpoints are never less secure than it
	creds  Credentials
	opts   Options
	log    *slog.Logger
	res    *Result
	emitFn func(StageEvent)
}

func (r *run) emit(s Stage, st StageState, detail string) {
	if r.emitFn != nil {
		r.emitFn(StageEvent{Stage: s, State: st, Detail: Sanitize(detail)})
	}
}

// fail reports the stage as failed and returns err.
func (r *run) fail(s Stage, err error) error {
	r.emit(s, StateFailed, shortReason(err))
	return err
}

func shortReason(err error) string {
	var rej *RejectedError
	if errors.As(err, &rej) {
		return string(rej.Kind)
	}
	return string(KindOf(err))
}

// Check runs the live check (discovery, token, tenant discovery, proof) and reports each stage
// through opts.Progress. With opts.Cache it first tries the fast path (token and proof only)
// and falls back to full discovery when a cached endpoint answers 404 or nothing could be sent
// to it (refused, name not found); a cached endpoint that breaks the security rules is refused.
func (c *Client) Check(ctx context.Context, creds Credentials, opts Options) (*Result, error) {
	start := time.Now()
	issuer, err := ValidateIssuer(opts.Issuer)
	if err != nil {
		return nil, &ProtocolError{Msg: "issuer: " + err.Error()}
	}
	if err := creds.Validate(); err != nil {
		return nil, &ProtocolError{Msg: err.Error()}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	issuerURL, err := url.Parse(issuer)
	if err != nil {
		return nil, &ProtocolError{Msg: "issuer: " + Sanitize(err.Error())}
	}
	r := &run{c: c, issuer: issuerURL, creds: creds, opts: opts, log: log, emitFn: opts.Progress}
	log.Debug("check", "issuer", issuer, "credentials", creds, "cached", opts.Cache != nil && opts.Cache.TokenEndpoint != "")

	if cache := opts.Cache; cache != nil && cache.TokenEndpoint != "" {
		res, err := r.cached(ctx, issuer, *cache)
		if err == nil {
			res.Duration = time.Since(start)
			return res, nil
		}
		var skip *clientAuth
		switch {
		case KindOf(err) == KindInvalidClient:
			// The remembered client authentication was refused: the whole sequence runs once
			// more (after discovery, which says whether client_secret_post is offered),
			// without sending the refused request a second time.
			way := cache.clientAuth()
			skip = &way
			log.Debug("remembered client authentication refused; trying the others", "method", way.Method, "encoding", way.Encoding)
		case !refetchable(err):
			return nil, err
		default:
			log.Debug("cached endpoint failed; discovering again", "error", Sanitize(err.Error()))
		}
		res, ferr := r.full(ctx, issuer, skip)
		if ferr != nil {
			if errors.Is(ferr, errNoOtherWay) {
				return nil, err
			}
			return nil, ferr
		}
		res.Duration = time.Since(start)
		return res, nil
	}
	res, err := r.full(ctx, issuer, nil)
	if err != nil {
		return nil, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

// refetchable: a cached endpoint that is gone (404), or that received nothing because no
// connection could be made (refused, name not found), is discovered again. After a reset or a
// timeout on a connection that stood, the request may have been processed: no second round.
func refetchable(err error) bool {
	var (
		pe *ProtocolError
		ne *NetworkError
		te *TimeoutError
	)
	switch {
	case errors.As(err, &pe):
		return pe.Status == http.StatusNotFound
	case errors.As(err, &ne):
		return !ne.sent
	case errors.As(err, &te):
		return !te.sent
	}
	return false
}

func (r *run) newResult(issuer string) *Result {
	return &Result{Issuer: issuer, CheckedAt: time.Now().UTC(), Warnings: []string{}}
}

// errNoOtherWay: after the remembered client authentication was refused, discovery left no
// other way to try; the refusal itself is the answer.
var errNoOtherWay = errors.New("no other client authentication to try")

// full: discovery, token, claims, tenant discovery, proof. skip, when set, is a client
// authentication that was just refused and is not sent again.
func (r *run) full(ctx context.Context, issuer string, skip *clientAuth) (*Result, error) {
	r.res = r.newResult(issuer)
	r.emit(StageDiscovery, StateRunning, "")
	disc, err := r.discover(ctx, issuer)
	if err != nil {
		return nil, r.fail(StageDiscovery, err)
	}
	r.emit(StageDiscovery, StateDone, disc.TokenEndpoint)
	r.res.TokenEndpoint = disc.TokenEndpoint
	postOK := slices.Contains(disc.AuthMethods, AuthPost)
	ways := authSequence(r.creds, postOK, skip)
	if len(ways) == 0 {
		return nil, errNoOtherWay
	}
	if err := r.tokenStage(ctx, ways); err != nil {
		return nil, err
	}
	if err := r.tenantStage(ctx, issuer, ""); err != nil {
		return nil, err
	}
	if err := r.proofStage(ctx); err != nil {
		return nil, err
	}
	return r.res, nil
}

// cached: token (with the remembered method) and proof; tenant discovery only when the API
// endpoint was unknown.
func (r *run) cached(ctx context.Context, issuer string, cache Cache) (*Result, error) {
	r.res = r.newResult(issuer)
	r.res.UsedCache = true
	tu, err := checkEndpoint(r.issuer, cache.TokenEndpoint, "cached token endpoint")
	if err != nil {
		return nil, err
	}
	r.res.TokenEndpoint = tu.String()
	r.emit(StageDiscovery, StateSkipped, "cached")
	if err := r.tokenStage(ctx, []clientAuth{cache.clientAuth()}); err != nil {
		return nil, err
	}
	if err := r.tenantStage(ctx, issuer, cache.APIEndpoint); err != nil {
		return nil, err
	}
	if err := r.proofStage(ctx); err != nil {
		return nil, err
	}
	return r.res, nil
}

type discovery struct {
	Issuer        string   `json:"issuer"`
	TokenEndpoint string   `json:"token_endpoint"`
	AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
}

func (r *run) discover(ctx context.Context, issuer string) (*discovery, error) {
	u := issuer + "/.well-known/openid-configuration"
	resp, err := r.c.do(ctx, r.log, getJSON(u, ""))
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, statusError(resp, "no OpenID configuration at the issuer: check the issuer URL")
	}
	var d discovery
	if err := json.Unmarshal(resp.body, &d); err != nil {
		return nil, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the OpenID configuration is not valid JSON"}
	}
	if msg := issuerMismatch(d.Issuer, issuer); msg != "" {
		return nil, &ProtocolError{URL: resp.url, Msg: msg}
	}
	if d.TokenEndpoint == "" {
		return nil, &ProtocolError{URL: resp.url, Msg: "the OpenID configuration has no token_endpoint"}
	}
	tu, err := checkEndpoint(r.issuer, d.TokenEndpoint, "token endpoint")
	if err != nil {
		var pe *ProtocolError
		if errors.As(err, &pe) {
			pe.URL = resp.url
		}
		return nil, err
	}
	d.TokenEndpoint = tu.String()
	return &d, nil
}

// statusError turns an unexpected answer into a typed error with the server's words.
func statusError(resp *response, hint string) error {
	code, desc := ParseErrorResponse(resp.body, resp.header)
	msg := hint
	if code != "" {
		msg += ": " + code
	}
	if desc != "" {
		msg += ": " + desc
	}
	return &ProtocolError{Status: resp.status, URL: resp.url, Msg: msg}
}

func getJSON(u, bearer string) func(ctx context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		return req, nil
	}
}

type tokenResponse struct {
	AccessToken string     `json:"access_token"`
	TokenType   string     `json:"token_type"`
	ExpiresIn   flexString `json:"expires_in"`
	IDToken     string     `json:"id_token"`
}

// clientAuth is one way of authenticating the client at the token endpoint: the method, and
// with client_secret_basic how the halves are written (BasicForm or BasicRaw).
type clientAuth struct {
	Method   string
	Encoding string
}

// clientAuth is the remembered way; an old cache without one means Basic, form-encoded.
func (c Cache) clientAuth() clientAuth {
	if c.AuthMethod == AuthPost {
		return clientAuth{Method: AuthPost}
	}
	if c.BasicEncoding == BasicRaw {
		return clientAuth{Method: AuthBasic, Encoding: BasicRaw}
	}
	return clientAuth{Method: AuthBasic, Encoding: BasicForm}
}

// authSequence is the order in which client authentications are tried, each only after the
// one before was refused with invalid_client: Basic over the form-encoded halves (RFC 6749
// section 2.3.1); Basic over the raw halves, only when form-encoding changed the Client ID
// or Secret (otherwise it would be the same request); client_secret_post, only when
// discovery lists it. skip is left out.
func authSequence(c Credentials, postOK bool, skip *clientAuth) []clientAuth {
	ways := []clientAuth{{Method: AuthBasic, Encoding: BasicForm}}
	if url.QueryEscape(c.ClientID) != c.ClientID || url.QueryEscape(c.ClientSecret) != c.ClientSecret {
		ways = append(ways, clientAuth{Method: AuthBasic, Encoding: BasicRaw})
	}
	if postOK {
		ways = append(ways, clientAuth{Method: AuthPost})
	}
	if skip != nil {
		ways = slices.DeleteFunc(ways, func(w clientAuth) bool { return w == *skip })
	}
	return ways
}

// tokenStage gets the token, trying the ways in order while each is refused with
// invalid_client (any other answer ends the stage), then reads the claims.
func (r *run) tokenStage(ctx context.Context, ways []clientAuth) error {
	r.emit(StageToken, StateRunning, "")
	var (
		tok *tokenResponse
		err error
		way clientAuth
	)
	for i, w := range ways {
		if i > 0 {
			r.log.Debug("client authentication refused; trying another", "method", w.Method, "encoding", w.Encoding)
		}
		way = w
		tok, err = r.token(ctx, w)
		var rej *RejectedError
		if err == nil || !errors.As(err, &rej) || rej.Kind != KindInvalidClient {
			break
		}
	}
	if err != nil {
		return r.fail(StageToken, err)
	}
	r.res.AuthMethod, r.res.BasicEncoding = way.Method, way.Encoding
	r.res.AccessToken = tok.AccessToken
	claims, cerr := ParseClaims(tok.IDToken)
	if tok.IDToken == "" || cerr != nil {
		claims, cerr = ParseClaims(tok.AccessToken)
	}
	if cerr != nil {
		r.res.Warnings = append(r.res.Warnings, "the token's claims could not be read: user and tenant unknown")
	}
	// Claims come from the server: sanitised before they can reach a terminal.
	r.res.User, r.res.UserID = Sanitize(claims.user()), Sanitize(claims.UserID)
	if r.res.UserID == "" {
		r.res.UserID = Sanitize(strings.TrimPrefix(claims.Subject, "user:"))
	}
	r.res.TenantID, r.res.Tenant, r.res.BusinessUnitID = Sanitize(claims.TenantID), Sanitize(claims.Tenant), claims.BUID
	r.res.Area, r.res.Cluster = Sanitize(claims.Area), Sanitize(claims.ClusterID)
	now := time.Now()
	r.res.TokenExpiresAt = TokenExpiry(now, tok.ExpiresIn.int64(), tok.AccessToken)
	if exp := r.res.TokenExpiresAt; !exp.IsZero() && exp.Before(now.Add(TokenSkew)) {
		return r.fail(StageToken, expiredTokenError(exp, now))
	}
	r.emit(StageToken, StateDone, way.Method)
	return nil
}

func (r *run) token(ctx context.Context, way clientAuth) (*tokenResponse, error) {
	method := way.Method
	form := url.Values{}
	form.Set("grant_type", "password")
	form.Set("username", r.creds.AccessKeyID)
	form.Set("password", r.creds.AccessKeySecret)
	if r.opts.Scope != "" {
		form.Set("scope", r.opts.Scope)
	}
	if method == AuthPost {
		form.Set("client_id", r.creds.ClientID)
		form.Set("client_secret", r.creds.ClientSecret)
	}
	body := form.Encode()
	endpoint := r.res.TokenEndpoint
	resp, err := r.c.do(ctx, r.log, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		if method == AuthBasic {
			if way.Encoding == BasicRaw {
				req.Header.Set("Authorization", basicAuthRaw(r.creds.ClientID, r.creds.ClientSecret))
			} else {
				req.Header.Set("Authorization", basicAuth(r.creds.ClientID, r.creds.ClientSecret))
			}
		}
		return req, nil
	})
	// The secrets this request carried are hidden in whatever the server says back (redact.go).
	forms := secretForms(r.creds.ClientID, r.creds.ClientSecret, r.creds.AccessKeySecret)
	if err != nil {
		return nil, hideInError(err, forms)
	}
	if resp.status >= 300 && resp.status < 400 {
		return nil, redirectRefused(resp)
	}
	if resp.status >= 200 && resp.status < 300 {
		var tok tokenResponse
		if err := json.Unmarshal(resp.body, &tok); err != nil {
			return nil, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the token answer is not valid JSON"}
		}
		if tok.AccessToken == "" {
			return nil, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the token answer has no access_token"}
		}
		if msg := validTokenAnswer(&tok); msg != "" {
			return nil, &ProtocolError{Status: resp.status, URL: resp.url, Msg: msg}
		}
		return &tok, nil
	}
	hideInResponse(resp, forms)
	return nil, hideInError(tokenError(resp), forms)
}

// tokenError maps a refusal of the token endpoint: invalid_client (400 or 401) is the client
// credentials; invalid_grant, and any other 401 (another code or none), is the access key;
// every other answer is a protocol error.
func tokenError(resp *response) error {
	code, desc := ParseErrorResponse(resp.body, resp.header)
	switch {
	case (resp.status == 400 || resp.status == 401) && code == "invalid_client":
		return &RejectedError{Kind: KindInvalidClient, Status: resp.status, Code: code, Description: desc}
	case resp.status == 400 && code == "invalid_grant", resp.status == 401:
		return &RejectedError{Kind: KindInvalidGrant, Status: resp.status, Code: code, Description: desc}
	}
	return statusError(resp, "the token endpoint refused the request")
}

type tenantConfig struct {
	APIEndpoint string `json:"api_endpoint"`
	Area        string `json:"area"`
	Cluster     string `json:"cluster"`
}

// tenantStage finds the API endpoint; a cached one skips the request. No tenant claim or no
// tenant document is a warning, not a failure: the endpoint stays unknown and the proof is
// skipped.
func (r *run) tenantStage(ctx context.Context, issuer, cachedAPI string) error {
	if cachedAPI != "" {
		au, err := r.apiEndpoint(cachedAPI, "cached API endpoint")
		if err != nil {
			return err
		}
		r.res.APIEndpoint = au
		r.emit(StageTenant, StateSkipped, "cached")
		return nil
	}
	if r.res.TenantID == "" {
		w := "the token has no tenantId (not a CXone issuer?): API endpoint unknown"
		r.res.Warnings = append(r.res.Warnings, w)
		r.emit(StageTenant, StateWarning, "no tenant in the token")
		return nil
	}
	r.emit(StageTenant, StateRunning, "")
	u := issuer + "/.well-known/cxone-configuration?tenantId=" + url.QueryEscape(r.res.TenantID)
	resp, err := r.c.do(ctx, r.log, getJSON(u, ""))
	if err != nil {
		return r.fail(StageTenant, err)
	}
	if resp.status == http.StatusNotFound {
		r.res.Warnings = append(r.res.Warnings, "the issuer has no tenant discovery: API endpoint unknown")
		r.emit(StageTenant, StateWarning, "no tenant discovery")
		return nil
	}
	if resp.status != http.StatusOK {
		return r.fail(StageTenant, statusError(resp, "tenant discovery failed"))
	}
	var tc tenantConfig
	if err := json.Unmarshal(resp.body, &tc); err != nil {
		return r.fail(StageTenant, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the tenant configuration is not valid JSON"})
	}
	if tc.APIEndpoint == "" {
		r.res.Warnings = append(r.res.Warnings, "tenant discovery named no api_endpoint: API endpoint unknown")
		r.emit(StageTenant, StateWarning, "no API endpoint")
		return nil
	}
	au, err := r.apiEndpoint(tc.APIEndpoint, "API endpoint")
	if err != nil {
		return r.fail(StageTenant, err)
	}
	r.res.APIEndpoint = au
	if tc.Area != "" {
		r.res.Area = Sanitize(tc.Area)
	}
	if tc.Cluster != "" {
		r.res.Cluster = Sanitize(tc.Cluster)
	}
	r.emit(StageTenant, StateDone, r.res.APIEndpoint)
	return nil
}

// apiEndpoint checks an API endpoint and returns it canonical, without a trailing slash: the
// proof appends its path, so a query is refused too.
func (r *run) apiEndpoint(raw, what string) (string, error) {
	u, err := checkEndpoint(r.issuer, raw, what)
	if err != nil {
		return "", err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "", &ProtocolError{Msg: fmt.Sprintf("the %s must not have a query", what)}
	}
	return strings.TrimRight(u.String(), "/"), nil
}

type businessUnits struct {
	BusinessUnits []struct {
		ID   flexString `json:"businessUnitId"`
		Name string     `json:"businessUnitName"`
	} `json:"businessUnits"`
}

// proofStage calls the business-unit API with the fresh token. 401: the token was refused
// (exit 3); 403: valid credentials whose user lacks the permission (a warning).
func (r *run) proofStage(ctx context.Context) error {
	switch {
	case r.opts.SkipProof:
		r.emit(StageProof, StateSkipped, "not needed")
		return nil
	case r.res.APIEndpoint == "":
		r.emit(StageProof, StateSkipped, "API endpoint unknown")
		return nil
	}
	r.emit(StageProof, StateRunning, "")
	version := r.c.APIVersion
	if version == "" {
		version = defaultAPIVersion
	}
	u := r.res.APIEndpoint + "/inContactAPI/services/" + version + "/business-unit"
	resp, err := r.c.do(ctx, r.log, getJSON(u, r.res.AccessToken))
	if err != nil {
		return r.fail(StageProof, err)
	}
	switch resp.status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		_, desc := ParseErrorResponse(resp.body, resp.header)
		return r.fail(StageProof, &RejectedError{Kind: KindUnauthorized, Status: resp.status, Description: desc})
	case http.StatusForbidden:
		r.res.Warnings = append(r.res.Warnings, "the API answered 403: the credentials are valid, but the user may not view the business unit")
		r.emit(StageProof, StateWarning, "403: no permission to view the business unit")
		return nil
	default:
		return r.fail(StageProof, statusError(resp, "the API call failed"))
	}
	var bu businessUnits
	if err := json.Unmarshal(resp.body, &bu); err != nil {
		return r.fail(StageProof, &ProtocolError{Status: resp.status, URL: resp.url, Msg: "the business-unit answer is not valid JSON"})
	}
	if len(bu.BusinessUnits) > 0 {
		if id := bu.BusinessUnits[0].ID.int64(); id != 0 {
			r.res.BusinessUnitID = id
		}
		r.res.BusinessUnit = Sanitize(bu.BusinessUnits[0].Name)
	}
	r.emit(StageProof, StateDone, fmt.Sprintf("business unit %d", r.res.BusinessUnitID))
	return nil
}
