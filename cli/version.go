package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cxone-auth/store"
)

// Stamped at release time with -ldflags "-X cxone-auth/cli.version=... -X cxone-auth/cli.commit=...
// -X cxone-auth/cli.date=..." (see .goreleaser.yaml). When nothing was stamped, buildInfo reads
// what the Go toolchain recorded.
var (
	version = ""
	commit  = ""
	date    = ""
)

// buildVersion is the version, commit, build date and whether the tree had local changes:
// the stamped values, else the build information (module version of `go install`, the VCS
// revision and time of a build from a checkout), else "dev" and "unknown".
type buildVersion struct {
	Version, Commit, Date string
	Modified              bool
}

func buildInfo() buildVersion {
	b := buildVersion{Version: version, Commit: commit, Date: date}
	if info, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true" && commit == ""
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// versionString is what --version prints after "cxone-auth version ": the version, then the
// commit and the build date where they are known: "1.2.0 (0123456789ab, 2026-11-23)".
func versionString() string {
	b := buildInfo()
	var known []string
	if b.Commit != "unknown" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if b.Modified {
			c += ", modified"
		}
		known = append(known, c)
	}
	if b.Date != "unknown" {
		d := b.Date
		if t, err := time.Parse(time.RFC3339, d); err == nil {
			d = t.UTC().Format("2006-01-02")
		}
		known = append(known, "built "+d)
	}
	if len(known) == 0 {
		return b.Version
	}
	return b.Version + " (" + strings.Join(known, ", ") + ")"
}

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  cxone-auth version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := buildInfo()
			commit := b.Commit
			if b.Modified {
				commit += " (modified)"
			}
			_, err := fmt.Fprintf(f.IO.Out, "cxone-auth %s\ncommit %s\nbuilt %s\n%s %s/%s\nkeyring backends %s\n",
				b.Version, commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH, strings.Join(store.CompiledBackends(), ", "))
			return err
		},
	}
}
