// Command cxone-emulator serves the CXone emulator of package cxonetest on a loopback port,
// for demos and trying cxone-auth by hand without a CXone account:
//
//	go run ./auth/cxonetest/cmd/cxone-emulator -env-file demo.env
//
// It prints the issuer as CXONE_ISSUER=URL on stdout (one line, so scripts can read it), and
// on stderr the fake credentials it accepts, ready to paste into the wizard. -extra-key adds a
// second access key of the same user, for trying a key rotation (setup --rotate). It is as
// lenient as CXone by default (any Accept admitting JSON, the API path in any casing, form
// bodies labelled JSON, the refresh grant, Basic raw or encoded); -strict accepts only the
// exact documented requests.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cxone-auth/auth/cxonetest"
)

type faultFlags []string

func (f *faultFlags) String() string     { return strings.Join(*f, ",") }
func (f *faultFlags) Set(v string) error { *f = append(*f, v); return nil }

// extraKey is the second access key -extra-key registers (fake values, base32-shaped).
var extraKey = cxonetest.Credentials{
	AccessKeyID:     "EXTRAKEYEXTRAKEYEXTRAKEYEXTRAKEYEXTRAKEYEXTRAKEYEXTR====",
	AccessKeySecret: "EXTRASECRETEXTRASECRETEXTRASECRETEXTRASECRETEXTRASEC====",
}

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	stop := make(chan struct{})
	go func() { <-sig; close(stop) }()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, stop))
}

// run serves until stop is closed.
func run(args []string, stdout, stderr io.Writer, stop <-chan struct{}) int {
	fs := flag.NewFlagSet("cxone-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on (port 0: any free port)")
	latency := fs.Duration("latency", 0, "`delay` added before every answer, such as 50ms")
	envFile := fs.String("env-file", "", "write the accepted credentials and CXONE_ISSUER to `FILE` (mode 0600)")
	methods := fs.String("auth-methods", "basic,post", "client authentications the default client accepts: basic, post or both")
	quiet := fs.Bool("quiet", false, "do not log requests on stderr")
	extra := fs.Bool("extra-key", false, "accept a second access key of the same user (written to -env-file as\nCXONE_EXTRA_ACCESS_KEY_ID and CXONE_EXTRA_ACCESS_KEY_SECRET), to try setup --rotate")
	useTLS := fs.Bool("tls", false, "serve https with a certificate made for this run (a fresh key; a leaf, not a CA, for\n127.0.0.1, ::1 and localhost only; see -cert-file), offering h2 as CXone does")
	certFile := fs.String("cert-file", "", "with -tls: write the certificate (PEM) to `FILE`; cxone-auth trusts it for loopback\nissuers with CXONE_CA_FILE=FILE (never make it a system-wide root)")
	connLatency := fs.Duration("conn-latency", 0, "`delay` before the first byte of each new connection is read (handshake round trips)")
	clientSecret := fs.String("client-secret", "", "the default client's `SECRET` (default: a hex secret); one holding /, + or = tries how a\nclient writes Basic halves (RFC 6749 form-encodes them; most CXone clients send them raw)")
	newKeyDelay := fs.Duration("new-key-delay", 0, "an access key created through the access-key API works only after this `delay`\n(setup --rotate --auto waits for it up to 30s)")
	strict := fs.Bool("strict", false, "accept only the exact documented requests (Accept: application/json, /inContactAPI/,\na form Content-Type, the password grant, Basic over form-encoded halves), as the tests of\ncxone-auth do; without it the emulator is as lenient as CXone (see docs/emulator.md)")
	signAlg := fs.String("sign", cxonetest.RS256, "token signature `ALG`: RS256 (as CXone) or ES256 (much less CPU, for benchmarks on a\nmachine the emulator shares with the client it stands in for)")
	var faults faultFlags
	fs.Var(&faults, "fault", "make an endpoint misbehave: `ENDPOINT=KIND[:STATUS][xTIMES][@LOCATION]`; repeatable.\n"+
		"Endpoints: discovery, token, tenant, jwks, api, accesskeys (the access-key API).\n"+
		"Kinds: status, html, truncated, huge, hang, reset, redirect, escape.\n"+
		"STATUS is the HTTP status (status, html, escape, and redirect's 301/302/303/307/308);\n"+
		"xTIMES heals the endpoint after that many requests; @LOCATION is redirect's target\n"+
		"(default: the same URL, a loop). Examples: token=status:503x1, tenant=status:404,\n"+
		"discovery=html, api=hang, token=redirect:307@http://127.0.0.2:8080/steal")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: cxone-emulator [flags]\n\nServes an emulation of NICE CXone's authentication and API endpoints on loopback.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *signAlg != cxonetest.RS256 && *signAlg != cxonetest.ES256 {
		fmt.Fprintf(stderr, "cxone-emulator: -sign: unknown algorithm %q (RS256, ES256)\n", *signAlg)
		return 2
	}
	if strings.ContainsAny(*clientSecret, " \t\r\n") {
		fmt.Fprintln(stderr, "cxone-emulator: -client-secret must not hold spaces")
		return 2
	}
	if *certFile != "" && !*useTLS {
		fmt.Fprintln(stderr, "cxone-emulator: -cert-file goes with -tls")
		return 2
	}
	cfg := cxonetest.Config{Latency: *latency, SigningAlg: *signAlg, TLS: *useTLS, HTTP2: *useTLS, ConnLatency: *connLatency, Lenient: !*strict, NewKeyDelay: *newKeyDelay}
	var accepted []string
	for _, m := range strings.Split(*methods, ",") {
		switch strings.TrimSpace(m) {
		case "basic":
			accepted = append(accepted, cxonetest.AuthBasic)
		case "post":
			accepted = append(accepted, cxonetest.AuthPost)
		default:
			fmt.Fprintf(stderr, "cxone-emulator: -auth-methods: unknown method %q (basic, post)\n", m)
			return 2
		}
	}
	parsed := map[cxonetest.Endpoint]cxonetest.Fault{}
	for _, f := range faults {
		ep, fault, err := parseFault(f)
		if err != nil {
			fmt.Fprintf(stderr, "cxone-emulator: -fault %s: %v\n", f, err)
			return 2
		}
		parsed[ep] = fault
	}
	srv, err := cxonetest.Listen(*addr, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "cxone-emulator: %v\n", err)
		return 1
	}
	defer srv.Close()
	c := cxonetest.DefaultCredentials
	if *clientSecret != "" {
		c.ClientSecret = *clientSecret
	}
	srv.AddClient(c.ClientID, c.ClientSecret, accepted...)
	if *extra {
		srv.AddAccessKey(extraKey.AccessKeyID, extraKey.AccessKeySecret, cxonetest.DefaultUser)
	}
	for ep, f := range parsed {
		srv.SetFault(ep, f)
	}
	if *certFile != "" {
		if err := os.WriteFile(*certFile, srv.CertificatePEM(), 0o644); err != nil {
			fmt.Fprintf(stderr, "cxone-emulator: %v\n", err)
			return 1
		}
	}
	if *envFile != "" {
		body := fmt.Sprintf("CXONE_ISSUER=%s\nCXONE_CLIENT_ID=%s\nCXONE_CLIENT_SECRET=%s\nCXONE_ACCESS_KEY_ID=%s\nCXONE_ACCESS_KEY_SECRET=%s\n",
			srv.URL, c.ClientID, c.ClientSecret, c.AccessKeyID, c.AccessKeySecret)
		if *extra {
			body += fmt.Sprintf("CXONE_EXTRA_ACCESS_KEY_ID=%s\nCXONE_EXTRA_ACCESS_KEY_SECRET=%s\n", extraKey.AccessKeyID, extraKey.AccessKeySecret)
		}
		if err := os.WriteFile(*envFile, []byte(body), 0o600); err != nil {
			fmt.Fprintf(stderr, "cxone-emulator: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "CXONE_ISSUER=%s\n", srv.URL)
	fmt.Fprintf(stderr, `CXone emulator listening on %s  (fake credentials; nothing here is real)

  export CXONE_ISSUER=%s

  Client ID          %s
  Client Secret      %s
  Access Key ID      %s
  Access Key Secret  %s
`, srv.URL, srv.URL, c.ClientID, c.ClientSecret, c.AccessKeyID, c.AccessKeySecret)
	if *extra {
		fmt.Fprintf(stderr, "\n  Second access key (-extra-key), for setup --rotate:\n  Access Key ID      %s\n  Access Key Secret  %s\n", extraKey.AccessKeyID, extraKey.AccessKeySecret)
	}
	if *envFile != "" {
		fmt.Fprintf(stderr, "\n  Written to %s\n", *envFile)
	}
	if *certFile != "" {
		fmt.Fprintf(stderr, "\n  Certificate in %s: for cxone-auth, CXONE_CA_FILE=%s (trusted for loopback issuers only)\n", *certFile, *certFile)
	}
	fmt.Fprintln(stderr, "\nCtrl+C stops it.")

	seen := 0
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return 0
		case <-tick.C:
			if *quiet {
				continue
			}
			reqs := srv.Requests()
			for _, r := range reqs[seen:] {
				fmt.Fprintf(stderr, "%s %-9s %s %s\n", r.At.Format("15:04:05.000"), r.Endpoint, r.Method, r.Path)
			}
			seen = len(reqs)
		}
	}
}

// parseFault reads ENDPOINT=KIND[:STATUS][xTIMES][@LOCATION]. The location is cut off first,
// at the first "@", because a URL may hold an "x" or a ":".
func parseFault(s string) (cxonetest.Endpoint, cxonetest.Fault, error) {
	epName, spec, ok := strings.Cut(s, "=")
	if !ok {
		return "", cxonetest.Fault{}, fmt.Errorf("want ENDPOINT=KIND[:STATUS][xTIMES][@LOCATION]")
	}
	spec, location, hasLocation := strings.Cut(spec, "@")
	ep := cxonetest.Endpoint(epName)
	switch ep {
	case cxonetest.EndpointDiscovery, cxonetest.EndpointToken, cxonetest.EndpointTenant, cxonetest.EndpointJWKS, cxonetest.EndpointAPI, cxonetest.EndpointAccessKeys:
	default:
		return "", cxonetest.Fault{}, fmt.Errorf("unknown endpoint %q (discovery, token, tenant, jwks, api, accesskeys)", epName)
	}
	var f cxonetest.Fault
	if i := strings.LastIndex(spec, "x"); i > 0 {
		n, err := strconv.Atoi(spec[i+1:])
		if err != nil || n < 1 {
			return "", f, fmt.Errorf("bad count %q", spec[i+1:])
		}
		f.Times, spec = n, spec[:i]
	}
	kind, status, _ := strings.Cut(spec, ":")
	k, err := cxonetest.ParseFaultKind(kind)
	if err != nil {
		return "", f, err
	}
	f.Kind = k
	if hasLocation {
		if k != cxonetest.FaultRedirect || location == "" {
			return "", f, fmt.Errorf("@LOCATION goes with a redirect fault only")
		}
		f.Location = location
	}
	if status != "" {
		n, err := strconv.Atoi(status)
		if err != nil || n < 100 || n > 599 {
			return "", f, fmt.Errorf("bad status %q", status)
		}
		f.Status = n
	}
	return ep, f, nil
}
