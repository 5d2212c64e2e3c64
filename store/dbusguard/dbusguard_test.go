package dbusguard

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeBus listens on a Unix socket; answer says whether it replies to the greeting.
func fakeBus(t *testing.T, answer bool) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bus") // short: socket paths are length-limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, err := bufio.NewReader(c).ReadString('\n')
				if err != nil || !answer {
					time.Sleep(3 * time.Second) // a hung bus
					return
				}
				if strings.HasPrefix(line, "\x00AUTH EXTERNAL ") {
					c.Write([]byte("OK 0123456789abcdef0123456789abcdef\r\n"))
				}
			}()
		}
	}()
	return sock
}

func TestProbe(t *testing.T) {
	good := fakeBus(t, true)
	hung := fakeBus(t, false)
	tests := []struct {
		addr string
		want bool
	}{
		{"unix:path=" + good, true},
		{"unix:path=" + good + ",guid=0123", true},
		{"unix:path=" + strings.ReplaceAll(good, "/", "%2f"), true},
		{"unix:path=" + hung, false},
		{"unix:path=/nonexistent/bus", false},
		{"tcp:host=localhost,port=1", true}, // not probed
		{"disabled:", true},
	}
	for _, tt := range tests {
		start := time.Now()
		if got := probe(tt.addr); got != tt.want {
			t.Errorf("probe(%q) = %v, want %v", tt.addr, got, tt.want)
		}
		if d := time.Since(start); d > 2*probeTimeout {
			t.Errorf("probe(%q) took %v: unbounded", tt.addr, d)
		}
	}
}

// TestApplyDisablesAHungBus: a bus that accepts but never answers would hang the keyring
// library's init for ever.
func TestApplyDisablesAHungBus(t *testing.T) {
	run := func(env map[string]string) (string, map[string]string) {
		set := map[string]string{}
		getenv := func(k string) string { return env[k] }
		setenv := func(k, v string) error { set[k] = v; return nil }
		return apply(getenv, setenv, os.Stat, probe), set
	}
	good := fakeBus(t, true)
	hung := fakeBus(t, false)
	if got, set := run(map[string]string{"XDG_RUNTIME_DIR": filepath.Dir(good)}); got != "systemd-user-bus" || set["DBUS_SESSION_BUS_ADDRESS"] != "unix:path="+good {
		t.Errorf("answering user bus: %q %v", got, set)
	}
	if got, set := run(map[string]string{"XDG_RUNTIME_DIR": filepath.Dir(hung)}); got != "unresponsive" || set["DBUS_SESSION_BUS_ADDRESS"] != "disabled:" {
		t.Errorf("hung user bus: %q %v", got, set)
	}
	if got, set := run(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + hung}); got != "unresponsive" || set["DBUS_SESSION_BUS_ADDRESS"] != "disabled:" {
		t.Errorf("hung bus named by the user: %q %v", got, set)
	}
	if got, set := run(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + good}); got != "" || len(set) != 0 {
		t.Errorf("answering bus named by the user: %q %v", got, set)
	}
	if got, set := run(map[string]string{}); got != "disabled" || set["DBUS_SESSION_BUS_ADDRESS"] != "disabled:" {
		t.Errorf("no bus: %q %v", got, set)
	}
}

func TestOriginalEnvironIsACopy(t *testing.T) {
	a := OriginalEnviron()
	if len(a) == 0 {
		t.Fatal("no original environment recorded")
	}
	a[0] = "CHANGED=1"
	if OriginalEnviron()[0] == "CHANGED=1" {
		t.Error("OriginalEnviron hands out its own slice")
	}
}
