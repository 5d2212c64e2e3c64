#!/usr/bin/env bash
# Runs the store tests that use real keyring backends: Secret Service (gnome-keyring on a
# private D-Bus session, collection `login` unlocked with a throwaway password), pass (a
# throwaway GPG key without passphrase, a temp password store) and the kernel keyring.
# Nothing of the machine's own keyrings is touched, and every process started here is
# stopped at the end.
#
#   bash .ci/backends.sh            # tools must be installed (installs them when CI=true)
#   bash .ci/backends.sh --install  # apt-get the tools first
set -euo pipefail
cd "$(dirname "$0")/.."

install=false
[ "${CI:-}" = "true" ] && install=true
[ "${1:-}" = "--install" ] && install=true

pkgs=(gnome-keyring libsecret-tools pass gnupg dbus keyutils)
if $install; then
  need=()
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  if [ ${#need[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon secret-tool pass gpg gpgconf; do
  command -v "$tool" >/dev/null || { echo "backends.sh: $tool is missing (run with --install)" >&2; exit 1; }
done

# Build the test binary once, outside the session (the build needs no bus).
work=$(mktemp -d /tmp/cxone-backends.XXXXXX)   # short path: socket paths are length-limited
export GNUPGHOME="$work/gnupg" PASSWORD_STORE_DIR="$work/pass-store"
cleanup() {
  gpgconf --kill gpg-agent >/dev/null 2>&1 || true   # the agent of our GNUPGHOME only
  rm -rf "$work"
}
trap cleanup EXIT
DBUS_SESSION_BUS_ADDRESS=disabled: go test -c -o "$work/store.test" ./store
DBUS_SESSION_BUS_ADDRESS=disabled: go test -c -o "$work/cli.test" ./cli
# The crash test kills the real binary; it is built here too, outside the session.
DBUS_SESSION_BUS_ADDRESS=disabled: go build -o "$work/cxone-auth" .

# A throwaway GPG key and password store for pass.
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --gen-key >/dev/null 2>&1 <<'KEY'
%no-protection
Key-Type: EdDSA
Key-Curve: ed25519
Subkey-Type: ECDH
Subkey-Curve: cv25519
Name-Real: cxone-auth CI
Name-Email: ci@cxone-auth.invalid
Expire-Date: 0
%commit
KEY
pass init ci@cxone-auth.invalid >/dev/null

# gnome-keyring keeps its keyrings under XDG_DATA_HOME and its sockets under XDG_RUNTIME_DIR:
# both point into $work, so the person's own keyring is never opened.
mkdir -m 700 "$work/home" "$work/run"
set +e
env -u DBUS_SESSION_BUS_ADDRESS \
  HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config" \
  XDG_RUNTIME_DIR="$work/run" CXONE_STORE_TEST_BUS=1 CXONE_STORE_TEST_PASS=1 CI="${CI:-}" \
  dbus-run-session -- bash -c '
    set -euo pipefail
    echo -n throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    owner() {
      dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
        awk "/uint32/ {print \$2}"
    }
    for _ in $(seq 50); do [ -n "$(owner)" ] && break; sleep 0.1; done
    pid=$(owner)
    [ -n "$pid" ] || { echo "backends.sh: gnome-keyring did not take the Secret Service name" >&2; exit 1; }
    rc=0
    "$1" -test.count=1 -test.v -test.run "SecretService|Pass|Keyctl" | tee "$2/out.txt" || rc=$?
    # The command line round trip (setup, list, check, export, token, exec, remove) on each.
    for b in secret-service pass; do
      echo "=== command round trip on $b" | tee -a "$2/out.txt"
      (cd "$2" && CXONE_TEST_BACKEND=$b "$2/cli.test" -test.count=1 -test.v -test.run "^TestProfileRoundTrip$") |
        sed "s/^--- PASS: TestProfileRoundTrip/--- PASS: TestProfileRoundTrip-$b/" | tee -a "$2/out.txt" || rc=$?
    done
    # A short run of the crash test (kill -9 at random moments) on the Secret Service.
    echo "=== crash test on secret-service" | tee -a "$2/out.txt"
    (cd "$2" && CXONE_TEST_BACKEND=secret-service CXONE_TEST_BINARY="$2/cxone-auth" CXONE_CRASH_RUNS="${CXONE_CRASH_RUNS:-24}" \
      "$2/cli.test" -test.count=1 -test.v -test.run "^TestCrashSafety$") |
      sed "s/^--- PASS: TestCrashSafety/--- PASS: TestCrashSafety-secret-service/" | tee -a "$2/out.txt" || rc=$?
    kill "$pid" 2>/dev/null || true   # the daemon we started; it would also leave with the bus
    exit $rc
  ' bash "$work/store.test" "$work" >"$work/session.log" 2>&1
st=$?
set -e
grep -v "Failed to set fd limit" "$work/session.log" || true

# The run must really have used every backend: a skip is a failure here.
for t in TestSecretServiceRoundTrip TestPassRoundTrip TestKeyctlRoundTrip \
  TestProfileRoundTrip-secret-service TestProfileRoundTrip-pass TestCrashSafety-secret-service; do
  if ! grep -q -- "--- PASS: $t" "$work/out.txt" 2>/dev/null; then
    echo "backends.sh: $t did not pass" >&2
    st=1
  fi
done
exit "$st"
