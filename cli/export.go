package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/store"
)

// ExportOptions are the parsed options of `export`.
type ExportOptions struct {
	F         *Factory
	Format    string
	Output    string
	Force     bool
	WithToken bool
	Fresh     bool
	Creds     credentialSource
}

func newExportCmd(f *Factory, runF func(context.Context, *ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a profile as env, shell or json",
		Long: `Export writes the profile's CXONE_* variables to stdout or, with -o FILE, to a file
created with mode 0600 (atomically; an existing file is replaced only with --force).

Formats: env (dotenv; values that need no quoting are written bare, as real CXone values
always are, so the file also works with docker --env-file), shell (export NAME='value'
lines, safe to eval), json (one object). --with-token adds CXONE_ACCESS_TOKEN and
CXONE_ACCESS_TOKEN_EXPIRES_AT (the cached token while it has 5 minutes left).

--from-env or --env-file FILE (- = stdin) exports the four CXONE_* credentials of the
environment or the file instead of a stored profile, with the tenant and API endpoint of a
live token request; nothing is read from or written to the keyring or the config.`,
		Example: `  cxone-auth export -o .env
  eval "$(cxone-auth export --format shell)"
  cxone-auth export --format json --with-token | jq -r .CXONE_ACCESS_TOKEN`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Creds.read(cmd)
			if _, ok := store.FormatNamed(opts.Format); !ok {
				return usageErrorHint(helpHint(cmd), "--format %q: want %s", opts.Format, strings.Join(store.FormatNames(), ", "))
			}
			if opts.Fresh && !opts.WithToken {
				return usageErrorHint(helpHint(cmd), "--fresh goes with --with-token")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return exportRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "env", strings.Join(store.FormatNames(), ", "))
	fl.StringVarP(&opts.Output, "output", "o", "", "write to this file (mode 0600)")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing output file")
	fl.BoolVar(&opts.WithToken, "with-token", false, "add an access token and its expiry")
	fl.BoolVar(&opts.Fresh, "fresh", false, "with --with-token: a new token, not the cached one")
	opts.Creds.addFlags(cmd)
	if f.completing {
		_ = cmd.RegisterFlagCompletionFunc("format", completeFrom(store.FormatNames()))
	}
	return cmd
}

func exportRun(ctx context.Context, o *ExportOptions) error {
	f := o.F
	if o.Creds.stateless() {
		return f.exportStateless(ctx, o)
	}
	f.noticeIgnoredEnvironment(&o.Creds)
	f.warnLooseConfig()
	name := f.ProfileName()
	return f.exportTo(o, fmt.Sprintf("profile %q", name), func() ([]byte, error) {
		return f.exportBytes(ctx, name, o.Format, o.WithToken, o.Fresh)
	})
}

// exportTo writes what produce makes to stdout, or to -o FILE as writeExportFile does, saying
// so ("Wrote what to FILE") and warning when FILE is in a git work tree and not ignored.
func (f *Factory) exportTo(o *ExportOptions, what string, produce func() ([]byte, error)) error {
	if o.Output == "" {
		buf, err := produce()
		if err != nil {
			return err
		}
		if _, err := f.IO.Out.Write(buf); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return nil
	}
	_, gitWarn, err := f.writeExportFile(o.Output, o.Force, produce)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return existsError(o.Output)
		}
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Wrote %s to %s (mode 0600).\n", what, o.Output)
	if gitWarn {
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s is inside a git work tree and not ignored: add it to .gitignore so the secrets are never committed.\n", o.Output)
	}
	return nil
}

// exportRequest is one export to a file, from `export -o` or the profiles screen.
type exportRequest struct {
	name, format, path      string
	force, withToken, fresh bool
}

// exportBytes is profile name in format (app.Export).
func (f *Factory) exportBytes(ctx context.Context, name, format string, withToken, fresh bool) ([]byte, error) {
	a, err := f.App()
	if err != nil {
		return nil, err
	}
	b, err := a.Export(ctx, name, format, withToken, fresh)
	if err != nil {
		return nil, profileErr(name, err)
	}
	return b, nil
}

// writeExport writes a profile to a file the way `export -o` does (mode 0600, through a temp
// file; an existing file only with force, else an error wrapping fs.ErrExist) and reports the
// file's absolute path and whether it lies in a git work tree without being ignored. The
// profiles screen's export goes through here too.
func (f *Factory) writeExport(ctx context.Context, r exportRequest) (string, bool, error) {
	return f.writeExportFile(r.path, r.force, func() ([]byte, error) {
		return f.exportBytes(ctx, r.name, r.format, r.withToken, r.fresh)
	})
}

// writeExportFile is writeExport's file handling for what produce makes: an existing path is
// refused before produce runs (no token is asked for an export that cannot be written).
func (f *Factory) writeExportFile(path string, force bool, produce func() ([]byte, error)) (string, bool, error) {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return "", false, fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
	}
	buf, err := produce()
	if err != nil {
		return "", false, err
	}
	if err := store.WriteFileAtomic(path, buf, force); err != nil {
		return "", false, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	inTree, ignored := store.GitIgnoreStatus(path, f.Env.Getenv)
	return abs, inTree && !ignored, nil
}

// exportStateless is export with --from-env or --env-file: the four credentials of there, the
// tenant and API endpoint of a live token request (the token itself only with --with-token),
// nothing read from or written to the keyring or the config. -o FILE is written as usual.
func (f *Factory) exportStateless(ctx context.Context, o *ExportOptions) error {
	fm, _ := store.FormatNamed(o.Format) // checked in RunE
	return f.exportTo(o, "the credentials of "+credentialWhere(o.Creds.EnvFile), func() ([]byte, error) {
		p, err := f.statelessToken(ctx, &o.Creds)
		if err != nil {
			return nil, err
		}
		v := exportValues(p.sec, p.token)
		if !o.WithToken {
			v.AccessToken, v.TokenExpiresAt = "", time.Time{}
		}
		var buf bytes.Buffer
		if err := fm.Write(&buf, v); err != nil {
			return nil, fmt.Errorf("cannot write the %s format: %w", o.Format, err)
		}
		return buf.Bytes(), nil
	})
}

// credentialWhere names where stateless credentials came from.
func credentialWhere(envFile string) string {
	switch envFile {
	case "":
		return "the environment"
	case "-":
		return "stdin"
	}
	return envFile
}

func existsError(path string) error {
	return usageErrorHint("Pass --force to replace it, or choose another file with -o.", "%s exists", path)
}
