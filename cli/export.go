package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// exportFormats are the encoders of `export --format`, by name. A new format is one entry
// here and one encoder in store/export.go.
var exportFormats = map[string]func(*bytes.Buffer, store.ExportValues) error{
	"env":   func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteEnv(b, v) },
	"shell": func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteShell(b, v) },
	"json":  func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteJSON(b, v) },
}

// exportFormatNames lists the formats in the order help and completion show them.
var exportFormatNames = []string{"env", "shell", "json"}

// ExportOptions are the parsed options of `export`.
type ExportOptions struct {
	F         *Factory
	Format    string
	Output    string
	Force     bool
	WithToken bool
	Fresh     bool
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
CXONE_ACCESS_TOKEN_EXPIRES_AT (the cached token while it has 5 minutes left).`,
		Example: `  cxone-auth export -o .env
  eval "$(cxone-auth export --format shell)"
  cxone-auth export --format json --with-token | jq -r .CXONE_ACCESS_TOKEN`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, ok := exportFormats[opts.Format]; !ok {
				return usageErrorHint(helpHint(cmd), "--format %q: want env, shell or json", opts.Format)
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
	fl.StringVar(&opts.Format, "format", "env", "env, shell or json")
	fl.StringVarP(&opts.Output, "output", "o", "", "write to this file (mode 0600)")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing output file")
	fl.BoolVar(&opts.WithToken, "with-token", false, "add an access token and its expiry")
	fl.BoolVar(&opts.Fresh, "fresh", false, "with --with-token: a new token, not the cached one")
	if f.completing {
		_ = cmd.RegisterFlagCompletionFunc("format", completeFrom(exportFormatNames))
	}
	return cmd
}

func exportRun(ctx context.Context, o *ExportOptions) error {
	f := o.F
	if o.Output != "" && !o.Force {
		if _, err := os.Lstat(o.Output); err == nil {
			return existsError(o.Output)
		}
	}
	name := f.ProfileName()
	var (
		sec  store.Secret
		meta store.Meta
		tok  *auth.Result
		err  error
	)
	if o.WithToken {
		p, err := f.profileWithToken(ctx, name, o.Fresh)
		if err != nil {
			return err
		}
		sec, meta, tok = p.sec, p.meta, p.token
	} else if sec, meta, err = f.loadProfile(ctx, name); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := exportFormats[o.Format](&buf, exportValues(sec, meta, tok)); err != nil {
		return fmt.Errorf("cannot write the %s format: %w", o.Format, err)
	}
	if o.Output == "" {
		if _, err := f.IO.Out.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return nil
	}
	if err := store.WriteFileAtomic(o.Output, buf.Bytes(), o.Force); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return existsError(o.Output)
		}
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Wrote profile %q to %s (mode 0600).\n", name, o.Output)
	if inTree, ignored := store.GitIgnoreStatus(o.Output, f.Env.Getenv); inTree && !ignored {
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s is inside a git work tree and not ignored: add it to .gitignore so the secrets are never committed.\n", o.Output)
	}
	return nil
}

func existsError(path string) error {
	return usageErrorHint("Pass --force to replace it, or choose another file with -o.", "%s exists", path)
}
