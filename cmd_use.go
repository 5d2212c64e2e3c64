package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// loadProfile opens the store and loads the current profile's secret and metadata. A profile
// with a keyring item but no config entry (config lost) still works, with no metadata.
func (a *app) loadProfile(ctx context.Context) (*store.Store, store.Secret, store.Meta, error) {
	s, err := a.openStore()
	if err != nil {
		return nil, store.Secret{}, store.Meta{}, err
	}
	name := a.set.profile
	meta, merr := s.Meta(name)
	if merr != nil && !errors.Is(merr, store.ErrNotFound) {
		return nil, store.Secret{}, store.Meta{}, merr
	}
	sec, err := s.Load(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Secret{}, store.Meta{}, &profileNotFound{name: name}
	}
	if err != nil {
		return nil, store.Secret{}, store.Meta{}, err
	}
	return s, sec, meta, nil
}

// profileWithToken loads the profile and gets a fresh token for it (token and exec).
func (a *app) profileWithToken(ctx context.Context) (store.Secret, store.Meta, *auth.Result, error) {
	_, sec, meta, err := a.loadProfile(ctx)
	if err != nil {
		return sec, meta, nil, err
	}
	tok, err := a.freshToken(ctx, sec, meta)
	return sec, meta, tok, err
}

// freshToken gets a new access token for the profile through the cached token endpoint; the
// proof call is skipped (the caller is about to use the token anyway).
func (a *app) freshToken(ctx context.Context, sec store.Secret, meta store.Meta) (*auth.Result, error) {
	issuer := sec.Issuer
	if issuer == "" {
		issuer = a.set.issuer
	}
	return a.client().Check(ctx, sec.Credentials(), auth.Options{
		Issuer: issuer, Scope: a.set.scope, Cache: sec.AuthCache(), Logger: a.set.logger, SkipProof: true,
	})
}

func exportValues(sec store.Secret, meta store.Meta, tok *auth.Result) store.ExportValues {
	v := store.ExportValues{
		Issuer: sec.Issuer, ClientID: sec.ClientID, ClientSecret: sec.ClientSecret,
		AccessKeyID: sec.AccessKeyID, AccessKeySecret: sec.AccessKeySecret,
		TenantID: meta.TenantID, BusinessUnitID: meta.BusinessUnitID, APIEndpoint: meta.APIEndpoint,
	}
	if tok != nil {
		v.AccessToken, v.TokenExpiresAt = tok.AccessToken, tok.TokenExpiresAt
		if tok.TenantID != "" {
			v.TenantID = tok.TenantID
		}
		if tok.APIEndpoint != "" {
			v.APIEndpoint = tok.APIEndpoint
		}
		if v.BusinessUnitID == 0 {
			v.BusinessUnitID = tok.BusinessUnitID
		}
	}
	return v
}

func (a *app) newExportCmd() *cobra.Command {
	var format, output string
	var force, withToken bool
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a profile's credentials as env, shell or json",
		Long: `Export writes the profile's CXONE_* variables to stdout or, with -o FILE, to a file created
with mode 0600 (atomically; an existing file is replaced only with --force).

Formats: env (dotenv, also fine for docker --env-file), shell (export NAME='value' lines, safe
to eval), json (one object). --with-token adds CXONE_ACCESS_TOKEN and
CXONE_ACCESS_TOKEN_EXPIRES_AT.`,
		Example: `  cxone-auth export -o .env
  eval "$(cxone-auth export --format shell)"
  cxone-auth export --format json --with-token | jq .CXONE_ACCESS_TOKEN`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.resolve(cmd, nil, ""); err != nil {
				return err
			}
			var enc func(*bytes.Buffer, store.ExportValues) error
			switch format {
			case "env":
				enc = func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteEnv(b, v) }
			case "shell":
				enc = func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteShell(b, v) }
			case "json":
				enc = func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteJSON(b, v) }
			default:
				return usageError("--format %q: want env, shell or json", format)
			}
			if output != "" && !force {
				if _, err := os.Lstat(output); err == nil {
					return usageError("%s exists: pass --force to replace it", output)
				}
			}
			ctx := cmd.Context()
			_, sec, meta, err := a.loadProfile(ctx)
			if err != nil {
				return err
			}
			var tok *auth.Result
			if withToken {
				if tok, err = a.freshToken(ctx, sec, meta); err != nil {
					return err
				}
			}
			var buf bytes.Buffer
			if err := enc(&buf, exportValues(sec, meta, tok)); err != nil {
				return fmt.Errorf("encode %s: %w", format, err)
			}
			if output == "" {
				if _, err := a.out().Write(buf.Bytes()); err != nil {
					return fmt.Errorf("write: %w", err)
				}
				return nil
			}
			if err := store.WriteFileAtomic(output, buf.Bytes(), force); err != nil {
				if errors.Is(err, fs.ErrExist) {
					return usageError("%s exists: pass --force to replace it", output)
				}
				return fmt.Errorf("write %s: %w", output, err)
			}
			fmt.Fprintf(a.errw(), "Wrote profile %q to %s (mode 0600).\n", a.set.profile, output)
			if store.InGitWorkTreeNotIgnored(output, a.getenv) {
				fmt.Fprintf(a.errw(), "Warning: %s is inside a git work tree and not ignored: add it to .gitignore so the secrets are never committed.\n", output)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "env", "env, shell or json")
	fl.StringVarP(&output, "output", "o", "", "write to this file (mode 0600) instead of stdout")
	fl.BoolVar(&force, "force", false, "replace an existing output file")
	fl.BoolVar(&withToken, "with-token", false, "add a fresh CXONE_ACCESS_TOKEN and its expiry")
	return cmd
}

func (a *app) newTokenCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "token",
		Short:   "Print a fresh access token",
		Long:    "Token prints a fresh access token for the profile, alone on one line, for pipes and scripts.",
		Example: `  curl -H "Authorization: Bearer $(cxone-auth token)" "$CXONE_API_ENDPOINT/inContactAPI/services/v31.0/business-unit"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.resolve(cmd, nil, ""); err != nil {
				return err
			}
			_, _, tok, err := a.profileWithToken(cmd.Context())
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintln(a.out(), tok.AccessToken); err != nil {
				return fmt.Errorf("write: %w", err)
			}
			return nil
		},
	}
}

func (a *app) newExecCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exec -- CMD [ARG...]",
		Short: "Run a command with the profile's credentials and a fresh token in its environment",
		Long: `Exec runs CMD with the profile's CXONE_* variables and a fresh CXONE_ACCESS_TOKEN added to
its environment, and exits with CMD's exit status (127 when CMD cannot be started, 128+N when
it is killed by signal N). Signals sent to cxone-auth are passed on to CMD.`,
		Example: `  cxone-auth exec -- ./my-integration --dry-run
  cxone-auth --profile staging exec -- env`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("exec needs a command: cxone-auth exec -- CMD [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.resolve(cmd, nil, ""); err != nil {
				return err
			}
			sec, meta, tok, err := a.profileWithToken(cmd.Context())
			if err != nil {
				return err
			}
			return a.execChild(args, exportValues(sec, meta, tok))
		},
	}
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// execChild runs the child with the variables added and passes its exit status through.
func (a *app) execChild(args []string, v store.ExportValues) error {
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintf(a.errw(), "cxone-auth: exec: %s: %v\n", args[0], errors.Unwrap(err))
		return &exitError{code: 127, silent: true}
	}
	child := exec.Command(path, args[1:]...)
	child.Stdin, child.Stdout, child.Stderr = a.io.in, a.io.out, a.io.err
	env := os.Environ()
	vars := v.Vars()
	names := map[string]bool{}
	for _, kv := range vars {
		names[kv[0]] = true
	}
	filtered := env[:0:0]
	for _, e := range env {
		if k, _, _ := strings.Cut(e, "="); !names[k] {
			filtered = append(filtered, e)
		}
	}
	for _, kv := range vars {
		filtered = append(filtered, kv[0]+"="+kv[1])
	}
	child.Env = filtered

	// Forward signals. SIGINT from a terminal's Ctrl+C already reaches the child (it is in the
	// terminal's foreground process group), so it is forwarded only when stdin is not a
	// terminal, where it must have been sent to us alone (kill, a supervisor). Our own SIGINT
	// handler (main's signal context) keeps Ctrl+C from ending us before the child: we wait.
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}
	if !isTerminal(a.io.in) {
		sigs = append(sigs, os.Interrupt)
	}
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, sigs...)
	defer signal.Stop(ch)
	if err := child.Start(); err != nil {
		fmt.Fprintf(a.errw(), "cxone-auth: exec: %s: %v\n", args[0], err)
		return &exitError{code: 127, silent: true}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				_ = child.Process.Signal(s) // the child may have exited already
			case <-done:
				return
			}
		}
	}()
	err = child.Wait()
	close(done)
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &exitError{code: 128 + int(ws.Signal()), silent: true}
		}
		return &exitError{code: ee.ExitCode(), silent: true}
	}
	return fmt.Errorf("exec %s: %w", args[0], err)
}

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = ""
	commit  = ""
)

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, c := version, commit
			if info, ok := debug.ReadBuildInfo(); ok {
				if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
					v = info.Main.Version
				}
				for _, s := range info.Settings {
					if s.Key == "vcs.revision" && c == "" {
						c = s.Value
					}
				}
			}
			if v == "" {
				v = "dev"
			}
			if c == "" {
				c = "unknown"
			}
			_, err := fmt.Fprintf(a.out(), "cxone-auth %s\ncommit %s\n%s %s/%s\n", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
