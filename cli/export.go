package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// exportFormats are the encoders of `export --format`, in the order help and completion list
// them. A new format is one entry here and its encoder in store/export.go; the flag's help,
// its completion and its error message read this table.
var exportFormats = []struct {
	name string
	enc  func(*bytes.Buffer, store.ExportValues) error
}{
	{"env", func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteEnv(b, v) }},
	{"shell", func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteShell(b, v) }},
	{"json", func(b *bytes.Buffer, v store.ExportValues) error { return store.WriteJSON(b, v) }},
}

// exportFormatNames are the names of exportFormats, in order.
func exportFormatNames() []string {
	names := make([]string, len(exportFormats))
	for i, f := range exportFormats {
		names[i] = f.name
	}
	return names
}

// exportEncoder is the encoder of format, or nil.
func exportEncoder(format string) func(*bytes.Buffer, store.ExportValues) error {
	for _, f := range exportFormats {
		if f.name == format {
			return f.enc
		}
	}
	return nil
}

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
		Long: `Export writes the profile's CXONE_* variables to stdout or, with -o FILE, to a file created with mode 0600 (atomically; an existing file is replaced only with --force).

Formats: env (dotenv; values that need no quoting are written bare, as real CXone values always are, so the file also works with docker --env-file), shell (export NAME='value' lines, safe to eval), json (one object). --with-token adds CXONE_ACCESS_TOKEN and CXONE_ACCESS_TOKEN_EXPIRES_AT (the cached token while it has 5 minutes left).`,
		Example: `  cxone-auth export -o .env
  eval "$(cxone-auth export --format shell)"
  cxone-auth export --format json --with-token | jq -r .CXONE_ACCESS_TOKEN`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if exportEncoder(opts.Format) == nil {
				return usageErrorHint(helpHint(cmd), "--format %q: want %s", opts.Format, strings.Join(exportFormatNames(), ", "))
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
	fl.StringVar(&opts.Format, "format", "env", strings.Join(exportFormatNames(), ", "))
	fl.StringVarP(&opts.Output, "output", "o", "", "write to this file (mode 0600)")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing output file")
	fl.BoolVar(&opts.WithToken, "with-token", false, "add an access token and its expiry")
	fl.BoolVar(&opts.Fresh, "fresh", false, "with --with-token: a new token, not the cached one")
	_ = cmd.RegisterFlagCompletionFunc("format", completeFrom(exportFormatNames()))
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
	if err := exportEncoder(o.Format)(&buf, exportValues(sec, meta, tok)); err != nil {
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
