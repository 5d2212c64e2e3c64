#!/usr/bin/env python3
"""Measures the wizard's time to first frame: from exec to the first screen that shows the
welcome step's title, in a real pseudo-terminal of 80x24. Prints min/median/max over N runs.

usage: scripts/first-frame.py [-n RUNS] [--text TEXT] BINARY [ARGS...]

The issuer is pointed at a closed loopback port and the keyring at a fresh folder, so a first
frame that waited on the network or the keyring would show up as a long time (or none)."""
import argparse, fcntl, os, pty, select, signal, statistics, struct, sys, tempfile, termios, time

def one(argv, text, env, timeout=10.0):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.monotonic()
    buf = b""
    found = None
    while time.monotonic() - start < timeout:
        r, _, _ = select.select([fd], [], [], 0.05)
        if fd in r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if text.encode() in buf:
                found = time.monotonic() - start
                break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    return found

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--text", default="Welcome")
    ap.add_argument("argv", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if not a.argv:
        ap.error("give the binary to run")
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, TERM="xterm-256color", CXONE_ISSUER="http://127.0.0.1:9",
               CXONE_CONFIG_DIR=os.path.join(tmp, "config"), CXONE_KEYRING_DIR=os.path.join(tmp, "keyring"),
               DBUS_SESSION_BUS_ADDRESS="disabled:")
    times = []
    for _ in range(a.n):
        t = one(a.argv, a.text, env)
        if t is None:
            print("first frame: %r never appeared" % a.text, file=sys.stderr)
            sys.exit(1)
        times.append(t * 1000)
    print("time to first frame over %d runs: min %.1f ms, median %.1f ms, max %.1f ms"
          % (len(times), min(times), statistics.median(times), max(times)))

if __name__ == "__main__":
    main()
