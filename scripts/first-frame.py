#!/usr/bin/env python3
"""Measures a screen's time to first frame: from exec to the first output that shows TEXT
(the wizard's "Welcome", the profiles screen's "STATUS" header), in a real pseudo-terminal
(80x24 unless told). Prints min/median/max over N runs.

usage: scripts/first-frame.py [-n RUNS] [--text TEXT] [--size COLSxROWS] [--inherit-env]
                              [--settle WORD:COUNT] BINARY [ARGS...]

Without --inherit-env the issuer is pointed at a closed loopback port and the keyring at a
fresh folder, so a first frame that waited on the network or the keyring would show up as a
long time (or none). With --inherit-env the CXONE_* variables of the caller are kept (the
profiles screen needs its stored profiles, their issuer and CXONE_KEYRING_PASSPHRASE).

--settle WORD:COUNT also measures the time until the screen stops changing: from exec to the
last output before the screen has been quiet for a second and a half (the profiles screen's
spinners turn while any row is checking, so it goes quiet only once every row shows its
status). The run then resizes the terminal, which makes the program draw every line again,
and fails unless that full drawing shows WORD COUNT times and "checking" nowhere: the terminal
must be tall enough for every row."""
import argparse, fcntl, os, pty, re, select, signal, statistics, struct, sys, tempfile, termios, time

QUIET = 1.5  # seconds without output that end a --settle run
ESCAPE = re.compile(rb"\x1b\[[0-9;:?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[^\[\]]")

def winsize(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

def read(fd, timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    if fd not in r:
        return None
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""

def one(argv, text, env, cols, rows, settle, timeout=10.0):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    winsize(fd, cols, rows)
    start = time.monotonic()
    buf = b""
    found = last = None
    error = None
    while time.monotonic() - start < timeout:
        chunk = read(fd, QUIET if found is not None else 0.05)
        if chunk is None:
            if found is not None:
                break  # quiet (only waited for with --settle)
            continue
        if not chunk:
            error = "the program ended"
            break
        last = time.monotonic() - start
        if found is None:
            buf += chunk
            if text.encode() in buf:
                found = last
                if not settle:
                    break
    else:
        if found is not None and settle:
            error = "the screen never went quiet"
    if settle and found is not None and error is None:
        # A resize makes the program draw every line again; that drawing must show every row's
        # status.
        winsize(fd, cols, rows + 1)
        os.kill(pid, signal.SIGWINCH)
        full = b""
        while True:
            chunk = read(fd, 0.3)
            if not chunk:
                break
            full += chunk
        plain = ESCAPE.sub(b"", full).decode("utf-8", "replace")
        word, count = settle
        if plain.count(word) != count or "checking" in plain:
            error = "after it went quiet the screen shows %r %d times (want %d) and %r %d times" % (
                word, plain.count(word), count, "checking", plain.count("checking"))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    if error:
        raise RuntimeError(error)
    return found, last

def summary(what, times):
    return "%s over %d runs: min %.1f ms, median %.1f ms, max %.1f ms" % (
        what, len(times), min(times), statistics.median(times), max(times))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--text", default="Welcome")
    ap.add_argument("--size", default="80x24", help="COLSxROWS of the terminal")
    ap.add_argument("--inherit-env", action="store_true", help="keep the caller's CXONE_* variables")
    ap.add_argument("--settle", metavar="WORD:COUNT", help="also time until the screen is quiet, showing WORD COUNT times")
    ap.add_argument("argv", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if not a.argv:
        ap.error("give the binary to run")
    cols, rows = (int(v) for v in a.size.split("x"))
    settle = None
    if a.settle:
        word, count = a.settle.rsplit(":", 1)
        settle = (word, int(count))
    env = dict(os.environ, TERM="xterm-256color", DBUS_SESSION_BUS_ADDRESS="disabled:")
    if not a.inherit_env:
        tmp = tempfile.mkdtemp()
        env.update(CXONE_ISSUER="http://127.0.0.1:9", CXONE_CONFIG_DIR=os.path.join(tmp, "config"),
                   CXONE_KEYRING_DIR=os.path.join(tmp, "keyring"))
    firsts, settles = [], []
    for _ in range(a.n):
        try:
            first, last = one(a.argv, a.text, env, cols, rows, settle)
        except RuntimeError as e:
            print("first frame: %s" % e, file=sys.stderr)
            sys.exit(1)
        if first is None:
            print("first frame: %r never appeared" % a.text, file=sys.stderr)
            sys.exit(1)
        firsts.append(first * 1000)
        settles.append(last * 1000)
    print(summary("time to first frame", firsts))
    if settle:
        print(summary("time until the screen settled", settles))

if __name__ == "__main__":
    main()
