package ui

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// inputPTY opens a pseudo-terminal pair: the test types on master, the code reads slave.
func inputPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

func inputEcho(t *testing.T, f *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

func waitEcho(t *testing.T, f *os.File, on bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for inputEcho(t, f) != on {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal's echo never became %v", on)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestInputOnATerminal reads a real terminal: a masked answer with the echo off (the typed
// passphrase never comes back to the screen), a y/N byte by byte with the echo on, and a
// masked read cancelled mid-way (Ctrl+C) that puts the echo back, so the shell is not left
// blind.
func TestInputOnATerminal(t *testing.T) {
	m, s := inputPTY(t)
	in := NewInput(s)
	if !in.Terminal() {
		t.Fatal("a pty slave is not seen as a terminal")
	}
	ctx := context.Background()
	got := make(chan string, 1)
	go func() {
		v, err := in.ReadLine(ctx, true)
		if err != nil {
			v = "error: " + err.Error()
		}
		got <- v
	}()
	waitEcho(t, s, false)
	if _, err := m.Write([]byte("hunter2 with spaces \n")); err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != "hunter2 with spaces " {
		t.Errorf("masked read %q", v)
	}
	waitEcho(t, s, true)
	p := NewPrompter(ctx, in, s)
	if _, err := m.Write([]byte("y\nleft for later\n")); err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Confirm("Remove?"); err != nil || !ok {
		t.Errorf("confirm: %v %v", ok, err)
	}
	if v, err := in.ReadLine(ctx, false); err != nil || v != "left for later" {
		t.Errorf("the next line after a y/N: %q %v (a buffer took it)", v, err)
	}
	// Read what the terminal showed: the passphrase must not be there.
	shown := make([]byte, 4096)
	_ = m.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	n, _ := m.Read(shown)
	if strings.Contains(string(shown[:n]), "hunter2") {
		t.Errorf("the masked answer was echoed: %q", shown[:n])
	}

	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := in.ReadLine(cctx, true)
		done <- err
	}()
	waitEcho(t, s, false)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("cancelled read: %v", err)
	}
	if !inputEcho(t, s) {
		t.Errorf("the echo stayed off after a cancelled masked read")
	}
	// A cancelled read takes nothing more from the terminal: the line typed next (at the shell,
	// or a terminal's answer to a query on the way out) is the next reader's, and comes at
	// once. A read left blocked in the background took it, and the process hung until another
	// line was typed.
	if _, err := m.Write([]byte("end\n")); err != nil {
		t.Fatal(err)
	}
	next, stop := context.WithTimeout(ctx, 3*time.Second)
	defer stop()
	if v, err := in.ReadLine(next, false); err != nil || v != "end" {
		t.Errorf("read after a cancelled one: %q %v (the cancelled read took the line)", v, err)
	}
}
