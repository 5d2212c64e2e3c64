// Command cyclr-emulator serves the Cyclr emulator of package cyclrtest on a loopback port,
// for demos and trying `cxone-auth cyclr` by hand without a Cyclr partner account:
//
//	go run ./auth/cyclrtest/cmd/cyclr-emulator -cxone-issuer "$CXONE_ISSUER" -env-file cyclr.env
//
// It prints the API domain as CYCLR_API_DOMAIN=URL on stdout (one line, so scripts can read
// it), and on stderr the fake API client it accepts and its account ID. With -cxone-issuer, an
// account connector is "Authenticated" only when CXone (the cxone-emulator at that issuer)
// accepts its access key, checked with the partner-level client credentials given by
// -cxone-client-id and -cxone-client-secret (default: the CXone emulator's).
package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cxone-auth/auth"
	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

type faultFlags []string

func (f *faultFlags) String() string     { return strings.Join(*f, ",") }
func (f *faultFlags) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	stop := make(chan struct{})
	go func() { <-sig; close(stop) }()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, stop))
}

func run(args []string, stdout, stderr io.Writer, stop <-chan struct{}) int {
	fs := flag.NewFlagSet("cyclr-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on (port 0: any free port)")
	schema := fs.String("schema", "properties", "the NICE CXone connector's authentication: properties (the access key as\naccount-connector parameters), basic (HTTP Basic AuthValue) or oauth (refused)")
	issuer := fs.String("cxone-issuer", "", "CXone `issuer` that decides whether an installed access key is authenticated\n(the cxone-emulator's CXONE_ISSUER); without it no install is authenticated")
	cxID := fs.String("cxone-client-id", cxonetest.DefaultCredentials.ClientID, "the partner-level CXone Client ID (the connector's username)")
	cxSecret := fs.String("cxone-client-secret", cxonetest.DefaultCredentials.ClientSecret, "the partner-level CXone Client Secret (the connector's password)")
	envFile := fs.String("env-file", "", "write CYCLR_API_DOMAIN, CYCLR_CLIENT_ID, CYCLR_CLIENT_SECRET and CYCLR_ACCOUNT_ID to `FILE` (mode 0600)")
	quiet := fs.Bool("quiet", false, "do not log requests on stderr")
	latency := fs.Duration("latency", 0, "`delay` added before every answer")
	var faults faultFlags
	fs.Var(&faults, "fault", "make an endpoint misbehave: `ENDPOINT=KIND[:STATUS][xTIMES][@LOCATION]`; repeatable.\n"+
		"Endpoints: token, connectors, install, account-connectors, accounts.\n"+
		"Kinds: status, html, truncated, huge, hang, reset, redirect, escape.")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: cyclr-emulator [flags]\n\nServes an emulation of Cyclr's partner API on loopback.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	cfg := cyclrtest.Config{Latency: *latency}
	switch *schema {
	case "properties":
		cfg.Schema = cyclrtest.SchemaProperties
	case "basic":
		cfg.Schema = cyclrtest.SchemaBasic
	case "oauth":
		cfg.Schema = cyclrtest.SchemaOAuth
	default:
		fmt.Fprintf(stderr, "cyclr-emulator: -schema: unknown schema %q (properties, basic, oauth)\n", *schema)
		return 2
	}
	if *issuer != "" {
		// Only a CXone on loopback (the cxone-emulator): the check posts every installed access
		// key, with the client secret of the flags, to that issuer.
		u, err := url.Parse(*issuer)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !auth.IsLoopback(u.Hostname()) {
			fmt.Fprintf(stderr, "cyclr-emulator: -cxone-issuer must be a loopback URL (the cxone-emulator's CXONE_ISSUER), not %q\n", *issuer)
			return 2
		}
		cfg.Verify = cyclrtest.VerifyWithCXone(strings.TrimRight(*issuer, "/")+"/auth/token", *cxID, *cxSecret)
	}
	parsed := map[cyclrtest.Endpoint]cyclrtest.Fault{}
	for _, f := range faults {
		ep, fault, err := parseFault(f)
		if err != nil {
			fmt.Fprintf(stderr, "cyclr-emulator: -fault %s: %v\n", f, err)
			return 2
		}
		parsed[ep] = fault
	}
	srv, err := cyclrtest.Listen(*addr, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "cyclr-emulator: %v\n", err)
		return 1
	}
	defer srv.Close()
	for ep, f := range parsed {
		srv.SetFault(ep, f)
	}
	c := cyclrtest.DefaultCredentials
	if *envFile != "" {
		body := fmt.Sprintf("CYCLR_API_DOMAIN=%s\nCYCLR_CLIENT_ID=%s\nCYCLR_CLIENT_SECRET=%s\nCYCLR_ACCOUNT_ID=%s\n", srv.URL, c.ClientID, c.ClientSecret, cyclrtest.DefaultAccountID)
		if err := os.WriteFile(*envFile, []byte(body), 0o600); err != nil {
			fmt.Fprintf(stderr, "cyclr-emulator: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "CYCLR_API_DOMAIN=%s\n", srv.URL)
	verify := "no install is authenticated (no -cxone-issuer)"
	if *issuer != "" {
		verify = "installs are authenticated when " + *issuer + " accepts their access key"
	}
	fmt.Fprintf(stderr, `Cyclr emulator listening on %s  (fake credentials; nothing here is real)

  export CYCLR_API_DOMAIN=%s

  Client ID      %s
  Client Secret  %s
  Account ID     %s
  Connector      %s (schema %s); %s
`, srv.URL, srv.URL, c.ClientID, c.ClientSecret, cyclrtest.DefaultAccountID, cyclrtest.ConnectorName, cfg.Schema, verify)
	if *envFile != "" {
		fmt.Fprintf(stderr, "\n  Written to %s\n", *envFile)
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
				fmt.Fprintf(stderr, "%s %-18s %s %s\n", r.At.Format("15:04:05.000"), r.Endpoint, r.Method, r.Path)
			}
			seen = len(reqs)
		}
	}
}

// parseFault reads ENDPOINT=KIND[:STATUS][xTIMES][@LOCATION].
func parseFault(s string) (cyclrtest.Endpoint, cyclrtest.Fault, error) {
	epName, spec, ok := strings.Cut(s, "=")
	if !ok {
		return "", cyclrtest.Fault{}, fmt.Errorf("want ENDPOINT=KIND[:STATUS][xTIMES][@LOCATION]")
	}
	spec, location, hasLocation := strings.Cut(spec, "@")
	ep := cyclrtest.Endpoint(epName)
	known := false
	for _, e := range cyclrtest.Endpoints {
		known = known || e == ep
	}
	if !known {
		return "", cyclrtest.Fault{}, fmt.Errorf("unknown endpoint %q (token, connectors, install, account-connectors, accounts)", epName)
	}
	var f cyclrtest.Fault
	if i := strings.LastIndex(spec, "x"); i > 0 {
		n, err := strconv.Atoi(spec[i+1:])
		if err != nil || n < 1 {
			return "", f, fmt.Errorf("bad count %q", spec[i+1:])
		}
		f.Times, spec = n, spec[:i]
	}
	kind, status, _ := strings.Cut(spec, ":")
	k, err := cyclrtest.ParseFaultKind(kind)
	if err != nil {
		return "", f, err
	}
	f.Kind = k
	if hasLocation {
		if k != cyclrtest.FaultRedirect || location == "" {
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
