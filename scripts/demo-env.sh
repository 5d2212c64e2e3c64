# demo-env.sh: the set-up shared by demo.tape (its hidden part) and scripts/pictures.sh. Sourced,
# not run, from the repository's root:
#
#   source scripts/demo-env.sh [LATENCY]     # LATENCY: the emulator's delay per answer, e.g. 250ms
#
# It builds cxone-auth and the CXone emulator into a new temporary folder of its own (mktemp),
# starts the emulator on a loopback port it picks itself, and points this shell at both:
#   DEMO                the folder (bin/, work/, the emulator's output and log)
#   PATH                starts with $DEMO/bin, so `cxone-auth` is the binary just built
#   CXONE_ISSUER        the emulator, as it printed it
#   CXONE_CONFIG_DIR    $DEMO/config
#   CXONE_KEYRING_DIR   $DEMO/keyring (the encrypted-file keyring)
# and changes to $DEMO/work (an empty folder, so `export -o .env` writes there). The fake
# credentials the emulator accepts are in $DEMO/creds.env (mode 0600). No passphrase is set:
# whoever needs one types it into a masked prompt or sets it from a file, never on a command line.
#
# The last line it prints is "demo: ready" or, after the reason on stderr (the build's or the
# emulator's own errors), "demo: failed". demo_cleanup stops the emulator and removes the folder.
# Sourced into an interactive shell, so no `set -e` and no `exit`: every failure returns.

# demo_cleanup never fails, so that it also runs to the end under `set -e` (scripts/pictures.sh).
demo_cleanup() {
	if [ -n "${DEMO_EMULATOR_PID:-}" ]; then
		kill "$DEMO_EMULATOR_PID" 2>/dev/null || true
		wait "$DEMO_EMULATOR_PID" 2>/dev/null || true
	fi
	cd "${DEMO_ROOT:-/}" 2>/dev/null || cd /
	case "${DEMO:-}" in
	*/cxone-demo.*) rm -rf "$DEMO" || true ;;
	esac
	unset DEMO DEMO_EMULATOR_PID
	return 0
}

demo_setup() {
	local latency=${1:-0s} i
	DEMO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
	DEMO=$(mktemp -d "${TMPDIR:-/tmp}/cxone-demo.XXXXXX") || return 1
	mkdir -p "$DEMO/bin" "$DEMO/work" || return 1
	export DBUS_SESSION_BUS_ADDRESS=disabled:

	(cd "$DEMO_ROOT" && go build -o "$DEMO/bin/cxone-auth" . &&
		go build -o "$DEMO/bin/cxone-emulator" ./auth/cxonetest/cmd/cxone-emulator) ||
		{ echo "demo: the build failed (above)" >&2; return 1; }

	# Port 0: the emulator takes a free port and prints its address, so two demos never clash.
	"$DEMO/bin/cxone-emulator" -addr 127.0.0.1:0 -latency "$latency" -quiet \
		-env-file "$DEMO/creds.env" >"$DEMO/emulator.out" 2>"$DEMO/emulator.log" &
	DEMO_EMULATOR_PID=$!
	for i in $(seq 100); do
		grep -q '^CXONE_ISSUER=' "$DEMO/emulator.out" 2>/dev/null && break
		kill -0 "$DEMO_EMULATOR_PID" 2>/dev/null || break
		sleep 0.1
	done
	CXONE_ISSUER=$(sed -n 's/^CXONE_ISSUER=//p' "$DEMO/emulator.out")
	if [ -z "$CXONE_ISSUER" ]; then
		# Only the emulator's errors: it lists the credentials only once it is listening.
		echo "demo: the emulator did not start:" >&2
		cat "$DEMO/emulator.log" >&2
		return 1
	fi
	export CXONE_ISSUER CXONE_CONFIG_DIR="$DEMO/config" CXONE_KEYRING_DIR="$DEMO/keyring"
	export PATH="$DEMO/bin:$PATH"
	unset CXONE_KEYRING_PASSPHRASE CXONE_PROFILE CXONE_KEYRING_BACKEND CXONE_CLIENT_ID \
		CXONE_CLIENT_SECRET CXONE_ACCESS_KEY_ID CXONE_ACCESS_KEY_SECRET
	cd "$DEMO/work" || return 1
}

if demo_setup "$@"; then
	echo "demo: ready"
else
	echo "demo: failed"
	demo_cleanup
fi
