package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"cxone-auth/store"
)

// isCompletionRequest reports whether args are a shell's request for completions: the
// scripts of `cxone-auth completion` always put cobra's hidden __complete command first.
// Cobra keeps flag completion functions in a map global to the process, keyed by flag and
// never emptied, so registering them on every command line would keep each command tree (and
// the Factory its functions close over: streams, store, client) alive for as long as the
// process runs; Main registers them only for these requests.
func isCompletionRequest(args []string) bool {
	return len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)
}

// registerGlobalCompletions completes the values of the global flags: stored profile names,
// keyring backends and environments.
func registerGlobalCompletions(root *cobra.Command, f *Factory) {
	_ = root.RegisterFlagCompletionFunc("profile", completeProfiles(f))
	_ = root.RegisterFlagCompletionFunc("keyring-backend", completeFrom(
		[]string{store.BackendAuto, store.BackendKeychain, store.BackendWinCred, store.BackendSecretService,
			store.BackendKWallet, store.BackendPass, store.BackendKeyctl, store.BackendFile}))
	_ = root.RegisterFlagCompletionFunc("environment", completeFrom([]string{"commercial", "fedramp"}))
}

// completeProfiles completes stored profile names. They come from config.json only: a
// completion never opens the keyring (it would ask for a passphrase in the middle of typing).
// The folder is the one every command uses (configFolder), the default one included. The
// file can be edited by anyone who can write it, so only names the profile-name rule allows
// are offered: a planted name with escape sequences never reaches the shell.
func completeProfiles(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		// The raw flag: settings are not resolved for a completion request.
		named := f.Env.Getenv("CXONE_CONFIG_DIR")
		if f.flags != nil && f.flags.configDir != "" {
			named = f.flags.configDir
		}
		st, err := store.Open(store.Options{ConfigDir: configFolder(named, f.Env), Getenv: f.Env.Getenv})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		names, err := st.Names()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		valid := names[:0]
		for _, n := range names {
			if store.ValidProfileName(n) == nil {
				valid = append(valid, n)
			}
		}
		return withPrefix(valid, prefix), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeProfileArg completes a command's one profile-name argument (use NAME, remove NAME):
// nothing once it is given.
func completeProfileArg(f *Factory) cobra.CompletionFunc {
	profiles := completeProfiles(f)
	return func(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return profiles(cmd, args, prefix)
	}
}

// completeFrom completes a fixed set of words.
func completeFrom(words []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return withPrefix(words, prefix), cobra.ShellCompDirectiveNoFileComp
	}
}

func withPrefix(words []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}

// optionalProfileArg is the Args of a command that takes at most one profile name (remove,
// use): a usage error (exit 2) for more, or for a name the name rule refuses.
func optionalProfileArg(name string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageErrorHint(helpHint(cmd), "%s takes one profile name, got %d arguments", name, len(args))
		}
		if len(args) == 1 {
			if err := store.ValidProfileName(args[0]); err != nil {
				return usageErrorHint(helpHint(cmd), "%v", err)
			}
		}
		return nil
	}
}
