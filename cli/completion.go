package cli

import (
	"github.com/spf13/cobra"

	"cxone-auth/store"
)

// registerGlobalCompletions completes the values of the global flags: stored profile names,
// keyring backends and environments.
func registerGlobalCompletions(root *cobra.Command, f *Factory) {
	_ = root.RegisterFlagCompletionFunc("profile", completeProfiles(f))
	_ = root.RegisterFlagCompletionFunc("keyring-backend", cobra.FixedCompletions(
		[]string{store.BackendAuto, store.BackendKeychain, store.BackendWinCred, store.BackendSecretService,
			store.BackendKWallet, store.BackendPass, store.BackendKeyctl, store.BackendFile}, cobra.ShellCompDirectiveNoFileComp))
	_ = root.RegisterFlagCompletionFunc("environment", cobra.FixedCompletions([]string{"commercial", "fedramp"}, cobra.ShellCompDirectiveNoFileComp))
}

// completeProfiles completes stored profile names. They come from config.json only: a
// completion never opens the keyring (it would ask for a passphrase in the middle of typing).
func completeProfiles(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		// The raw flag: settings are not resolved for a completion request.
		dir := f.Env.Getenv("CXONE_CONFIG_DIR")
		if f.flags != nil && f.flags.configDir != "" {
			dir = f.flags.configDir
		}
		st, err := store.Open(store.Options{ConfigDir: expandHome(dir, f.Env)})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		names, err := st.Names()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
