package ui

import "golang.org/x/sys/unix"

// The termios requests of readTerminal.
const (
	termiosGet = unix.TCGETS
	termiosSet = unix.TCSETS
)
