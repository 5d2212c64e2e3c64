package auth

import (
	"context"
	"log/slog"
	"net/http"
)

// Response is a fully read answer of Send (at most 1 MiB of body).
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is the request URL without query, for messages.
	URL string
}

// Send does one request for another API (Cyclr's) with the same guarantees as the live check:
// the checked transport (loopback connections verified, plain-http loopback never proxied),
// the redirect policy (a non-GET never follows one; a GET follows at most 3 within its
// origin), the Timeout bound on each attempt and the 1 MiB body limit. With retry, 5xx and
// 429 answers are retried as the check's requests are (and a reset before the request was
// written); without it (requests that change something), nothing is sent twice. build is
// called once per attempt. A 5xx or 429 that outlives the retries is a *ServerError; every
// other status is returned for the caller to judge. log may be nil.
func (c *Client) Send(ctx context.Context, log *slog.Logger, retry bool, build func(ctx context.Context) (*http.Request, error)) (*Response, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cc := c
	if !retry {
		once := *c
		once.MaxRetries = 0
		cc = &once
	}
	r, err := cc.do(ctx, log, build)
	if err != nil {
		return nil, err
	}
	return &Response{Status: r.status, Header: r.header, Body: r.body, URL: r.url}, nil
}
