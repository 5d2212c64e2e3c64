// Package cli is cxone-auth's command line: one file per command (an options struct, newXCmd
// and xRun), the root command that resolves the global settings once, the streams with
// overridable terminal checks, and the one place that turns errors into exit codes.
// docs/cli.md records the choices behind the commands; ARCHITECTURE.md shows where this
// package sits.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"charm.land/fang/v2"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"
)

// Main runs one command line and returns the process's exit code. Every error reaches the
// user through here, once, on stderr.
func Main(ctx context.Context, args []string, io *IOStreams, env Env) int {
	// Before any secret is read. Failing to harden is no reason to refuse working.
	_ = harden()
	f := &Factory{IO: io, Env: env, OpenURL: browserOpener(env), completing: isCompletionRequest(args)}
	root := newRootCmd(f)
	root.SetArgs(args)
	err := fang.Execute(ctx, root,
		fang.WithVersion(versionString()),
		fang.WithErrorHandler(errorHandler(f)),
		fang.WithoutManpage(), // ours is visible and writes to the command's stdout (man.go)
	)
	f.closeClient()
	return exitCode(err)
}

// newRootCmd builds the command tree.
func newRootCmd(f *Factory) *cobra.Command {
	g := &globalFlags{}
	f.flags = g
	root := &cobra.Command{
		Use:   "cxone-auth",
		Short: "Set up, check and use NICE CXone API credentials",
		Long: `cxone-auth takes you from "I need to call the NICE CXone APIs" to working, verified, safely stored credentials, and keeps them working.

On a terminal, cxone-auth with no command opens the profiles screen (or the setup wizard when there is no profile yet).

The words of gh auth and aws-vault work too: login is setup, logout is remove, status is check --all, switch is use, rotate is setup --rotate.`,
		Example: `  cxone-auth setup
  cxone-auth check --all
  cxone-auth exec -- ./my-integration`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !f.IO.Interactive() {
				fmt.Fprint(f.IO.ErrOut, shortUsage)
				return silentExit(exitUsage)
			}
			return runHome(cmd.Context(), f)
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return f.prepare(cmd, g) },
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorHint(helpHint(c), "%v", err)
	})
	g.register(root.PersistentFlags())
	if f.completing {
		registerGlobalCompletions(root, f)
	}

	setup := newSetupCmd(f, nil)
	setup.Aliases = append(setup.Aliases, "login")
	root.AddCommand(
		setup,
		newCheckCmd(f, nil),
		newExportCmd(f, nil),
		newListCmd(f, nil),
		newRemoveCmd(f, nil),
		newTokenCmd(f, nil),
		newExecCmd(f, nil),
		newUseCmd(f, nil),
		newCyclrCmd(f),
		newVersionCmd(f),
		newManCmd(),
		newStatusCmd(f),
		newRotateCmd(f),
		newUnlockCmd(f, nil),
		newLockCmd(f, nil),
		newAgentCmd(f),
	)
	root.SuggestionsMinimumDistance = 2
	root.InitDefaultCompletionCmd()
	defer installHelp(root, f) // after the completion commands, so they get it too
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Short = "Print a shell completion script"
			c.Example = `  source <(cxone-auth completion bash)
  cxone-auth completion zsh > "${fpath[1]}/_cxone-auth"
  cxone-auth completion fish > ~/.config/fish/completions/cxone-auth.fish`
			for _, sh := range c.Commands() {
				sh.Example = "  cxone-auth completion " + sh.Name() + " --help"
			}
		}
	}
	return root
}

const shortUsage = `Usage: cxone-auth [command] [flags]

  setup    set up credentials (the wizard; --from-env or --env-file FILE without a terminal)
  check    check credentials live (--all, --json, --env-file FILE)
  export   write a profile as env, shell or json (-o FILE)
  status   check every profile (check --all)
  list     list profiles
  use      make a profile the default (a picker without NAME)
  remove   delete a profile (remove NAME)
  token    print an access token
  exec     run a command with the credentials in its environment
  cyclr    install a profile into Cyclr accounts (login, inspect, install, list)
  unlock   keep the encrypted-file keyring unlocked for a while (--for DUR)
  lock     lock it again
  version  print the version

Run 'cxone-auth --help' for the details.
`

// noSettings are the commands that need no resolved settings: they must work even when the
// environment holds a bad value (a completion script is loaded by every new shell).
var noSettings = map[string]bool{"version": true, "man": true, "help": true, "completion": true, agentCmdName: true,
	cobra.ShellCompRequestCmd: true, cobra.ShellCompNoDescRequestCmd: true}

// prepare resolves the settings once for the command about to run.
func (f *Factory) prepare(cmd *cobra.Command, g *globalFlags) error {
	f.cmdPath = cmd.CommandPath()
	for c := cmd; c != nil; c = c.Parent() {
		if noSettings[c.Name()] {
			return nil
		}
	}
	var (
		vars map[string]string
		path string
	)
	if changed(cmd.Flags(), "from-env") && changed(cmd.Flags(), "env-file") {
		return usageErrorHint(helpHint(cmd), "--from-env and --env-file both name the credentials: give one of them")
	}
	if fl := cmd.Flags().Lookup("env-file"); fl != nil && fl.Changed {
		path = fl.Value.String()
		var err error
		if vars, err = readEnvFile(cmd.Context(), path, f.IO.In); err != nil {
			return err
		}
	}
	f.state().logs = &logSink{w: f.IO.ErrOut}
	s, err := resolve(cmd, g, f.Env, f.state().logs, vars, path)
	if err != nil {
		return &exitError{code: exitUsage, err: errors.Unwrap(err), hint: helpHint(cmd)}
	}
	f.Settings = s
	return nil
}

// unknownCommand refuses arguments to the root command, suggesting the command meant.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := "Run 'cxone-auth --help' for the list of commands."
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = "Did you mean " + quoteJoin(s) + "?"
	}
	return usageErrorHint(hint, "unknown command %q", args[0])
}

// noArgs is cobra.NoArgs with a usage error and a hint for this command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return usageErrorHint(helpHint(cmd), "unexpected argument %q: %s takes no arguments", args[0], cmd.CommandPath())
}

func helpHint(cmd *cobra.Command) string {
	return fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())
}

func quoteJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + w + "'"
	}
	return strings.Join(q, " or ")
}

// errorHandler prints an error once: plain "cxone-auth: message" lines for scripts and logs,
// styled as fang styles errors when stderr is a terminal. Errors that the command already
// reported print nothing.
func errorHandler(f *Factory) fang.ErrorHandler {
	return func(w io.Writer, styles fang.Styles, err error) {
		var ex *exitError
		if errors.As(err, &ex) && ex.silent {
			return
		}
		msg := errorText(err)
		if exitCode(err) == exitCancelled {
			msg = "cancelled"
			if ex != nil && ex.err != nil {
				msg = errorText(ex.err)
			}
		}
		hint := ""
		if ex != nil {
			hint = ex.hint
		}
		if hint == "" && exitCode(err) == exitUsage {
			path := f.cmdPath
			if path == "" {
				path = "cxone-auth"
			}
			hint = fmt.Sprintf("Run '%s --help' for usage.", path)
		}
		if !f.IO.IsStderrTTY() || exitCode(err) == exitCancelled {
			fmt.Fprintln(w, "cxone-auth: "+msg)
			if hint != "" {
				fmt.Fprintln(w, hint)
			}
			return
		}
		fmt.Fprintln(w, styles.ErrorHeader.String())
		// Without fang's transform, which would turn "CXone" into "Cxone".
		fmt.Fprintln(w, styles.ErrorText.UnsetTransform().Render(msg))
		if hint != "" {
			fmt.Fprintln(w, lipgloss.NewStyle().MarginLeft(styles.ErrorText.GetMarginLeft()).Render(hint))
		}
		fmt.Fprintln(w)
	}
}
