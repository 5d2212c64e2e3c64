// Command cxone-auth takes a person from "I need to call the NICE CXone APIs" to working,
// verified, safely stored credentials, and keeps them working. The commands live in package
// cli; README.md says how to use them and ARCHITECTURE.md how the code is laid out.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"cxone-auth/cli"
	"cxone-auth/store/dbusguard"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The environment as the user gave it, before the D-Bus guard changed it for this process.
	code := cli.Main(ctx, os.Args[1:], cli.System(), cli.NewEnv(dbusguard.OriginalEnviron()))
	stop()
	os.Exit(code)
}
