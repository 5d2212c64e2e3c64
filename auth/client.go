package auth

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// The token grant is written against net/http rather than golang.org/x/oauth2. x/oauth2 does
// offer the grant itself: Config.PasswordCredentialsToken posts grant_type=password;
// Endpoint.AuthStyle pins client authentication to the Basic header (both halves form-encoded,
// as RFC 6749 section 2.3.1 asks) or to the body, and AuthStyleAutoDetect tries the header,
// then the body, and caches what worked per token URL and client ID; a refusal comes back as
// *oauth2.RetrieveError with the response, the body, ErrorCode and ErrorDescription; answers
// are read through its own 1 MiB limit. What this product needs and x/oauth2 lacks:
//   - NICE's `errorDescription` field: RetrieveError reads only `error_description`, and
//     without an error code its message quotes the raw body, control characters and all.
//   - The conditional one-time retry with client_secret_post: auto-detect re-sends the secrets
//     in the body after any failure of the header attempt (a 5xx, a timeout, invalid_grant);
//     here it happens once, only on invalid_client, and only when discovery lists the method.
//   - Retries of 5xx, 429 and resets that came before the request was written, with backoff
//     and Retry-After: x/oauth2 retries nothing.
//   - Redirect and credential-origin rules: it posts with the context's *http.Client
//     (http.DefaultClient by default), which follows up to 10 redirects, re-sends the form
//     (access key, and the client secret in body style) to a 307 or 308 Location, and keeps
//     the Basic header for the same host on another port or scheme.
//   - Typed results: invalid_client against invalid_grant, including a 401 without a code,
//     would still be mapped by hand from RetrieveError; a body over 1 MiB is cut silently and
//     then reported as unparseable rather than as too large.
// With all of that built around it, x/oauth2 would contribute only one form POST.

// Limits of the live check.
const (
	maxBody           = 1 << 20
	maxRedirects      = 3
	maxRetryAfter     = 10 * time.Second
	defaultRetries    = 2
	defaultTimeout    = 15 * time.Second
	defaultAPIVersion = "v31.0"
	maxIdlePerHost    = 100
)

// ClientConfig configures NewClient.
type ClientConfig struct {
	// Timeout bounds each request (the --timeout flag); 15 s when zero.
	Timeout time.Duration
	// Proxy picks the proxy for a request, as http.Transport.Proxy does; nil means no proxy.
	// ProxyFromEnv reads the usual environment variables. Whatever Proxy answers, a plain-http
	// request to a loopback host never goes through a proxy: its credentials travel in clear
	// text and are allowed only because they never leave the machine.
	Proxy func(*http.Request) (*url.URL, error)
	// LoopbackRoots, when set, are the certificates trusted for https to a loopback host
	// (CXONE_CA_FILE: an emulator's own certificate), and for nothing else: every other host
	// is verified against the system's roots only (see loopbackTrust). Read them with
	// ReadLoopbackRoots.
	LoopbackRoots *x509.CertPool
	// MaxConnsPerHost bounds the connections to one host, open and idle (0: no bound). A
	// caller that runs N requests at once (check --all) sets N: a request beyond it waits for
	// a connection to come free instead of dialing. Without the bound the transport dials as
	// soon as no idle connection is at hand, and keeps the new connection even when a
	// finished request's connection came back first, so N+1 checks could open N+1
	// connections. Each request is still bounded by Timeout while it waits.
	MaxConnsPerHost int
}

// Client runs live checks against CXone. The zero value is not ready: use NewClient.
//
// It sends each credential (the Basic header, the form secrets, the Bearer token) only to the
// origin it was addressed to: the token POST never follows a redirect; other requests follow
// at most 3, within their origin; endpoints are https, or http on a loopback host, and never
// less secure than the issuer; a connection made for a loopback host must reach a loopback
// address; a plain-http loopback request never goes through a proxy.
type Client struct {
	// Timeout bounds each request (the --timeout flag).
	Timeout time.Duration
	// APIVersion is the API version of the proof call, such as "v31.0".
	APIVersion string
	// MaxRetries is how often a 5xx, 429 or reset before the request was written is retried.
	MaxRetries int
	// Sleep waits between retries; tests replace it to record the delays.
	Sleep func(ctx context.Context, d time.Duration) error
	// Backoff is the delay before retry n (1-based) when the server gave no Retry-After.
	Backoff func(n int) time.Duration

	// hc does the requests. It is not exported: its transport (proxy choice, loopback check
	// on every connection) and its redirect policy are what keep credentials at their origin.
	hc *http.Client
	tr *http.Transport
	// loopTr, with ClientConfig.LoopbackRoots, serves https to loopback hosts.
	loopTr *http.Transport
	// dial makes connections before dialChecked verifies them; tests replace it.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// NewClient returns a client configured by cfg.
func NewClient(cfg ClientConfig) *Client {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	c := &Client{
		Timeout:    timeout,
		APIVersion: defaultAPIVersion,
		MaxRetries: defaultRetries,
		Sleep:      sleepCtx,
		Backoff:    func(n int) time.Duration { return time.Duration(200<<(n-1)) * time.Millisecond },
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	c.dial = d.DialContext
	c.tr = http.DefaultTransport.(*http.Transport).Clone()
	c.tr.DialContext = c.dialChecked
	c.tr.Proxy = proxyFor(cfg.Proxy)
	// One client serves every concurrent check of `check --all`: keep as many idle
	// connections per host as checks may run at once, so a wave of proofs reuses the
	// connections of the token requests before it instead of opening new ones.
	c.tr.MaxIdleConnsPerHost = maxIdlePerHost
	c.tr.MaxConnsPerHost = cfg.MaxConnsPerHost
	c.hc = &http.Client{Transport: c.tr, CheckRedirect: checkRedirect}
	if cfg.LoopbackRoots != nil {
		c.loopTr = loopbackTransport(c.tr, cfg.LoopbackRoots)
		c.hc.Transport = loopbackTrust{def: c.tr, loop: c.loopTr}
	}
	return c
}

// CloseIdleConnections closes the connections kept open for reuse. A command calls it when
// it ends, so no connection (and no goroutine serving one) outlives it in a process that
// runs many commands.
func (c *Client) CloseIdleConnections() {
	c.tr.CloseIdleConnections()
	if c.loopTr != nil {
		c.loopTr.CloseIdleConnections()
	}
}

// ProxyFromEnv returns a proxy chooser that reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or
// their lower-case forms) through getenv, with the rules of golang.org/x/net/http/httpproxy:
// loopback hosts and NO_PROXY matches go direct, and HTTP_PROXY is ignored when
// REQUEST_METHOD is set (a CGI environment, where a client may forge it).
func ProxyFromEnv(getenv func(string) string) func(*http.Request) (*url.URL, error) {
	either := func(upper, lower string) string {
		if v := getenv(upper); v != "" {
			return v
		}
		return getenv(lower)
	}
	cfg := &httpproxy.Config{
		HTTPProxy:  either("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: either("HTTPS_PROXY", "https_proxy"),
		NoProxy:    either("NO_PROXY", "no_proxy"),
		CGI:        getenv("REQUEST_METHOD") != "",
	}
	pick := cfg.ProxyFunc()
	return func(req *http.Request) (*url.URL, error) { return pick(req.URL) }
}

// proxyFor wraps the configured proxy chooser with the loopback rule.
func proxyFor(p func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	return func(req *http.Request) (*url.URL, error) {
		if p == nil || (req.URL.Scheme == "http" && IsLoopback(req.URL.Hostname())) {
			return nil, nil
		}
		return p(req)
	}
}

// dialChecked makes a connection and, when it was made for a loopback host (the target, or a
// proxy on this machine), checks that it reached a loopback address: a hosts file or resolver
// that maps localhost elsewhere must not receive what is sent in clear text.
func (c *Client) dialChecked(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := c.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if IsLoopback(host) && !remoteLoopback(conn.RemoteAddr()) {
		remote := "an unknown address"
		if a := conn.RemoteAddr(); a != nil {
			remote = a.String()
		}
		conn.Close()
		return nil, &LoopbackError{Host: host, Remote: remote}
	}
	return conn, nil
}

// remoteLoopback reports whether a connection's remote address is in 127.0.0.0/8 or ::1.
func remoteLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	if !ok || ta == nil {
		return false
	}
	ap := ta.AddrPort()
	return loopbackAddr(ap.Addr().Unmap())
}

var errRedirect = errors.New("redirect refused")

// checkRedirect is the redirect policy. Only GETs follow redirects: a non-GET (the token POST,
// which carries the client secret and the access key) gets the 3xx back as its answer, so
// nothing is sent to the Location. A GET follows at most 3 redirects, each to the origin
// (scheme, host and port) the request was addressed to, which also rules out https to http:
// the Bearer token never leaves its origin.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	if first.Method != http.MethodGet {
		return http.ErrUseLastResponse
	}
	if len(via) > maxRedirects { // via holds the requests made so far: the original and each redirect followed
		return fmt.Errorf("%w: more than %d redirects", errRedirect, maxRedirects)
	}
	if to, from := origin(req.URL), origin(first.URL); to != from {
		return fmt.Errorf("%w: redirect to %s (only redirects within %s are followed)", errRedirect, Sanitize(to), Sanitize(from))
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// response is a fully read HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
	url    string   // the request URL without query, for messages
	reqURL *url.URL // the URL that gave this answer, to resolve a Location against
}

// do sends the request built by build (called again for each attempt) and reads the answer.
// It retries 5xx and 429 at most MaxRetries times, honouring Retry-After up to 10 s. After a
// connection failure it re-sends only when the request certainly was not written: no
// connection had been made (a refused or reset TLS handshake, say). A reset once the
// connection stood may have come after the server read the request, so it is not repeated.
// Each attempt is bounded by Timeout and each body by 1 MiB. 5xx/429 that outlive the retries
// become *ServerError; every other status is returned for the caller to judge.
func (c *Client) do(ctx context.Context, log *slog.Logger, build func(ctx context.Context) (*http.Request, error)) (*response, error) {
	for attempt := 0; ; attempt++ {
		var connected atomic.Bool
		trace := &httptrace.ClientTrace{
			GotConn:      func(httptrace.GotConnInfo) { connected.Store(true) },
			WroteRequest: func(httptrace.WroteRequestInfo) { connected.Store(true) },
		}
		rctx, cancel := context.WithTimeout(ctx, c.Timeout)
		req, err := build(httptrace.WithClientTrace(rctx, trace))
		if err != nil {
			cancel()
			return nil, &ProtocolError{Msg: "cannot build the request: " + Sanitize(err.Error())}
		}
		where := redactURL(req.URL)
		start := time.Now()
		resp, err := c.hc.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
			resp.Body.Close()
		}
		cancel()
		sent := connected.Load()
		if err != nil {
			log.Debug("http", "method", req.Method, "url", where, "attempt", attempt+1, "error", Sanitize(err.Error()),
				"sent", sent, "elapsed", time.Since(start).Round(time.Millisecond))
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, errRedirect) {
				return nil, &ProtocolError{URL: where, Msg: Sanitize(unwrapURLError(err).Error())}
			}
			var le *LoopbackError
			if errors.As(err, &le) {
				return nil, &ProtocolError{URL: where, Msg: le.Error(), Err: le}
			}
			// Only our own bound makes a TimeoutError: a resolver that gives up early reports
			// "timeout" too, but saying "did not answer within 15s" after one second misleads.
			if errors.Is(rctx.Err(), context.DeadlineExceeded) {
				return nil, &TimeoutError{URL: where, Timeout: c.Timeout.String(), Err: context.DeadlineExceeded, sent: sent}
			}
			if !sent && isReset(err) && attempt < c.MaxRetries {
				if serr := c.Sleep(ctx, c.Backoff(attempt+1)); serr != nil {
					return nil, serr
				}
				continue
			}
			return nil, &NetworkError{URL: where, Err: loopbackCAHint(req.URL, err, cleanNetErr(err)), sent: sent}
		}
		log.Debug("http", "method", req.Method, "url", where, "attempt", attempt+1, "status", resp.StatusCode, "bytes", len(body), "elapsed", time.Since(start).Round(time.Millisecond))
		if len(body) > maxBody {
			return nil, &ProtocolError{Status: resp.StatusCode, URL: where, Msg: "the answer is larger than 1 MiB"}
		}
		r := &response{status: resp.StatusCode, header: resp.Header, body: body, url: where, reqURL: resp.Request.URL}
		if r.status >= 500 || r.status == http.StatusTooManyRequests {
			if attempt < c.MaxRetries {
				d := retryAfter(resp.Header.Get("Retry-After"), time.Now())
				if d < 0 {
					d = c.Backoff(attempt + 1)
				}
				log.Debug("retry", "url", where, "status", r.status, "delay", d)
				if serr := c.Sleep(ctx, d); serr != nil {
					return nil, serr
				}
				continue
			}
			_, desc := ParseErrorResponse(body, resp.Header)
			return nil, &ServerError{Status: r.status, URL: where, Excerpt: desc}
		}
		return r, nil
	}
}

// retryAfter reads Retry-After (seconds or an HTTP date), capped at 10 s; -1 when absent or
// unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return -1
	}
	return min(max(d, 0), maxRetryAfter)
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// isReset reports a connection reset or a connection closed before the answer.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE) || strings.Contains(err.Error(), "connection reset")
}

// cleanNetErr drops the method and URL that url.Error repeats (they are in NetworkError).
func cleanNetErr(err error) error {
	if inner := unwrapURLError(err); inner != nil {
		return errors.New(Sanitize(inner.Error()))
	}
	return err
}

// redactURL is the URL for messages and logs: scheme, host and path, no query or user info.
func redactURL(u *url.URL) string {
	return Sanitize((&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String())
}

// redirectRefused is the error for a 3xx answer to the token request, which is never followed:
// it names where the server wanted the credentials to go.
func redirectRefused(resp *response) error {
	loc := resp.header.Get("Location")
	var target *url.URL
	if loc != "" && resp.reqURL != nil {
		target, _ = resp.reqURL.Parse(loc)
	}
	if target == nil || target.Host == "" {
		return &ProtocolError{Status: resp.status, URL: resp.url,
			Msg: "the token endpoint answered with a redirect without a usable Location; the token request never follows redirects"}
	}
	return &ProtocolError{Status: resp.status, URL: resp.url,
		Msg: fmt.Sprintf("the token endpoint redirected to %s; the token request never follows redirects, so the credentials were not sent there", Sanitize(origin(target)))}
}

// basicAuth is RFC 6749 section 2.3.1: both parts form-encoded before base64.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// basicAuthRaw is Basic over the halves as they are, as most public CXone clients send it:
// the second try when the form-encoded halves were refused (see docs/protocol.md).
func basicAuthRaw(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}
