package cli

import (
	"fmt"
	"os/exec"
	"runtime"
)

// browserOpener returns a function that opens a URL in the desktop's browser, or nil when this
// session has none (no opener program, or on Linux no display), so the wizard shows the link
// instead of offering a key that cannot work. The opener gets the user's environment without
// any CXONE_* variable.
func browserOpener(env Env) func(string) error {
	var name string
	var args []string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		if env.Getenv("DISPLAY") == "" && env.Getenv("WAYLAND_DISPLAY") == "" {
			return nil
		}
		name = "xdg-open"
	}
	childEnv := env.ChildEnviron()
	path, err := lookPath(name, childEnv)
	if err != nil {
		return nil
	}
	return func(url string) error {
		cmd := exec.Command(path, append(args, url)...)
		cmd.Env = childEnv
		cmd.Stdout, cmd.Stderr = nil, nil
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("open browser: %w", err)
		}
		go cmd.Wait() //nolint:errcheck // reaps the opener; its status is of no use
		return nil
	}
}
