package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The token grant is written against net/http rather than golang.org/x/oauth2: the check needs
// NICE's `errorDescription` field, the conditional one-time retry with client_secret_post (only
// when discovery lists it), retries of 5xx/429 honouring Retry-After, a 1 MiB body limit, and
// typed errors that tell invalid_client from invalid_grant. oauth2 offers none of these, and
// the grant itself is a single form POST.

// Limits of SPEC section 5.
const (
	maxBody           = 1 << 20
	maxRedirects      = 3
	maxRetryAfter     = 10 * time.Second
	defaultRetries    = 2
	defaultTimeout    = 15 * time.Second
	defaultAPIVersion = "v31.0"
)

// Client runs live checks against CXone. The zero value is not ready: use NewClient.
type Client struct {
	// HTTP does the requests; its CheckRedirect enforces the redirect rules.
	HTTP *http.Client
	// Timeout bounds each request (the --timeout flag).
	Timeout time.Duration
	// APIVersion is the API version of the proof call, such as "v31.0".
	APIVersion string
	// MaxRetries is how often a 5xx, 429 or reset is retried (SPEC: at most twice).
	MaxRetries int
	// Sleep waits between retries; tests replace it to record the delays.
	Sleep func(ctx context.Context, d time.Duration) error
	// Backoff is the delay before retry n (1-based) when the server gave no Retry-After.
	Backoff func(n int) time.Duration
}

// NewClient returns a client whose requests are each bounded by timeout (15 s when zero).
func NewClient(timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &Client{
		HTTP:       &http.Client{Transport: tr, CheckRedirect: checkRedirect},
		Timeout:    timeout,
		APIVersion: defaultAPIVersion,
		MaxRetries: defaultRetries,
		Sleep:      sleepCtx,
		Backoff:    func(n int) time.Duration { return time.Duration(200<<(n-1)) * time.Millisecond },
	}
}

var errRedirect = errors.New("redirect refused")

// checkRedirect follows at most 3 redirects and never from https to http (nor to any http
// host that is not loopback).
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects { // via holds the requests made so far: the original and each redirect followed
		return fmt.Errorf("%w: more than %d redirects", errRedirect, maxRedirects)
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: from https to %s", errRedirect, req.URL.Scheme)
	}
	if err := checkSecureURL(req.URL); err != nil {
		return fmt.Errorf("%w: %v", errRedirect, err)
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
	url    string // the request URL without query, for messages
}

// do sends the request built by build (called again for each attempt) and reads the answer.
// It retries 5xx, 429 and connection resets at most MaxRetries times, honours Retry-After up
// to 10 s, bounds each attempt by Timeout and each body by 1 MiB. 5xx/429 that outlive the
// retries become *ServerError; every other status is returned for the caller to judge.
func (c *Client) do(ctx context.Context, log *slog.Logger, build func(ctx context.Context) (*http.Request, error)) (*response, error) {
	for attempt := 0; ; attempt++ {
		rctx, cancel := context.WithTimeout(ctx, c.Timeout)
		req, err := build(rctx)
		if err != nil {
			cancel()
			return nil, &ProtocolError{Msg: "cannot build the request: " + Sanitize(err.Error())}
		}
		where := redactURL(req.URL)
		start := time.Now()
		resp, err := c.HTTP.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
			resp.Body.Close()
		}
		cancel()
		if err != nil {
			log.Debug("http", "method", req.Method, "url", where, "attempt", attempt+1, "error", Sanitize(err.Error()), "elapsed", time.Since(start).Round(time.Millisecond))
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, errRedirect) {
				return nil, &ProtocolError{URL: where, Msg: Sanitize(unwrapURLError(err).Error())}
			}
			// Only our own bound makes a TimeoutError: a resolver that gives up early reports
			// "timeout" too, but saying "did not answer within 15s" after one second misleads.
			if errors.Is(rctx.Err(), context.DeadlineExceeded) {
				return nil, &TimeoutError{URL: where, Timeout: c.Timeout.String(), Err: context.DeadlineExceeded}
			}
			if isReset(err) && attempt < c.MaxRetries {
				if serr := c.Sleep(ctx, c.Backoff(attempt+1)); serr != nil {
					return nil, serr
				}
				continue
			}
			return nil, &NetworkError{URL: where, Err: cleanNetErr(err)}
		}
		log.Debug("http", "method", req.Method, "url", where, "attempt", attempt+1, "status", resp.StatusCode, "bytes", len(body), "elapsed", time.Since(start).Round(time.Millisecond))
		if len(body) > maxBody {
			return nil, &ProtocolError{Status: resp.StatusCode, URL: where, Msg: "the answer is larger than 1 MiB"}
		}
		r := &response{status: resp.StatusCode, header: resp.Header, body: body, url: where}
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
			_, desc := ParseErrorBody(body)
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

// isReset reports a connection reset or a connection closed before the answer: transient.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE) || strings.Contains(err.Error(), "connection reset")
}

// isConnError reports a failure to reach the host at all (refused, DNS, reset): a cached
// endpoint that fails this way is re-discovered.
func isConnError(err error) bool {
	var ne *NetworkError
	return errors.As(err, &ne)
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

// basicAuth is RFC 6749 section 2.3.1: both parts form-encoded before base64.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}
