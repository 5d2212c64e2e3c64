package auth

import (
	"errors"
	"fmt"
)

// RejectedError means CXone refused the credentials: the client credentials (invalid_client),
// the access key (invalid_grant), or the fresh token at the API (unauthorized). Exit code 3.
type RejectedError struct {
	Kind        Kind   // KindInvalidClient, KindInvalidGrant or KindUnauthorized
	Status      int    // HTTP status
	Code        string // the server's `error` code, sanitised ("" when none)
	Description string // the server's description, sanitised and shortened
}

func (e *RejectedError) Error() string {
	var what string
	switch e.Kind {
	case KindInvalidClient:
		what = "client credentials rejected (invalid_client)"
	case KindInvalidGrant:
		what = "access key rejected (invalid_grant)"
	default:
		what = "the API refused the token (401)"
	}
	if e.Description != "" {
		return what + ": " + e.Description
	}
	return what
}

// ServerError is a 5xx or 429 answer that outlived the retries, or an unexpected status.
type ServerError struct {
	Status  int
	URL     string // the request URL without query string
	Excerpt string // short sanitised excerpt of the body, or the server's message
}

func (e *ServerError) Error() string {
	msg := fmt.Sprintf("server error: %s answered HTTP %d", e.URL, e.Status)
	if e.Status == 429 {
		msg = fmt.Sprintf("rate limited: %s answered HTTP 429 (too many requests) after retries", e.URL)
	}
	if e.Excerpt != "" {
		msg += ": " + e.Excerpt
	}
	return msg
}

// ProtocolError is an answer the client cannot use: malformed JSON, a missing field, a 400
// that is not about the credentials (invalid_request, unsupported_grant_type), a body over the
// size limit, an insecure endpoint, a refused redirect, or a loopback name that led off this
// machine.
type ProtocolError struct {
	Status int // 0 when not from a status
	URL    string
	Msg    string
	Err    error // the cause, when there is one to match with errors.As (a *LoopbackError)
}

func (e *ProtocolError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("protocol error: %s (HTTP %d from %s)", e.Msg, e.Status, e.URL)
	}
	if e.URL != "" {
		return fmt.Sprintf("protocol error: %s (%s)", e.Msg, e.URL)
	}
	return "protocol error: " + e.Msg
}

// Unwrap returns the cause.
func (e *ProtocolError) Unwrap() error { return e.Err }

// LoopbackError is a connection made for a loopback host (localhost, 127.0.0.0/8, ::1) that
// reached an address off this machine, as when a hosts file or resolver maps localhost
// elsewhere. The connection is closed before anything is sent: plain http is allowed only
// because loopback traffic never leaves the machine.
type LoopbackError struct {
	Host   string // the host name that was dialled
	Remote string // the address the connection reached
}

func (e *LoopbackError) Error() string {
	return fmt.Sprintf("%s led to %s, which is not a loopback address: connection closed before sending anything",
		Sanitize(e.Host), Sanitize(e.Remote))
}

// NetworkError wraps a transport failure (DNS, refused, reset) after retries.
type NetworkError struct {
	URL string
	Err error
	// sent: a connection was made, so the request may have reached the server.
	sent bool
}

func (e *NetworkError) Error() string { return fmt.Sprintf("network error: %s: %v", e.URL, e.Err) }
func (e *NetworkError) Unwrap() error { return e.Err }

// TimeoutError is a request that outlived the --timeout bound (or the caller's deadline).
type TimeoutError struct {
	URL     string
	Timeout string // the bound, e.g. "15s", when known
	Err     error
	// sent: a connection was made, so the request may have reached the server.
	sent bool
}

func (e *TimeoutError) Error() string {
	if e.Timeout != "" {
		return fmt.Sprintf("timeout: %s did not answer within %s", e.URL, e.Timeout)
	}
	return fmt.Sprintf("timeout: %s did not answer in time", e.URL)
}
func (e *TimeoutError) Unwrap() error { return e.Err }

// KindOf classifies err for exit codes and JSON ("" for nil; KindProtocol for unknown errors
// that carry no classification, such as a bad issuer URL).
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var (
		rej *RejectedError
		srv *ServerError
		pro *ProtocolError
		net *NetworkError
		tmo *TimeoutError
	)
	switch {
	case errors.As(err, &rej):
		return rej.Kind
	case errors.As(err, &tmo):
		return KindTimeout
	case errors.As(err, &net):
		return KindNetwork
	case errors.As(err, &srv):
		return KindServer
	case errors.As(err, &pro):
		return KindProtocol
	}
	return KindProtocol
}

// Rejected reports whether the kind is the credentials' fault (exit code 3).
func (k Kind) Rejected() bool {
	return k == KindInvalidClient || k == KindInvalidGrant || k == KindUnauthorized
}
