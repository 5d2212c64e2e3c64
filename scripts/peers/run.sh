#!/bin/sh
# Real public clients against the CXone emulator (docs/emulator.md, "Real peers"):
#
#   sdk     NICE's own @nice-devone/auth-sdk from npm, in Node: discovery and the fields it
#           reads, its authorize URL, JWKS verification of the id_token (and of a tampered one,
#           which must fail), tenant discovery, its refresh request, an API call.
#   python  requests-oauthlib's password grant as nicepy does it (raw Basic halves), tenant
#           discovery and the API with Accept */* on /InContactAPI/.
#
# Each peer runs against the emulator command as it ships (lenient, with a client secret
# holding '/', '+' and '==') and must pass; then against `-strict`, where it must FAIL at the
# first request only a lenient server takes (python: the raw Basic halves, which a strict
# server decodes into another secret; sdk: the SDK's own refresh request): so a passing peer
# is known to exercise the leniency, not to slip past it.
#
# Needs: go; for sdk: node (tested with 20, written for 18 and later) and npm with access to
# the npm registry (the SDK and the one module it needs but does not declare, yup, are
# installed with --ignore-scripts into a cache folder, CXONE_PEERS_CACHE, default
# ~/.cache/cxone-auth-peers); for python: python3 with requests-oauthlib (Debian:
# apt-get install python3-requests-oauthlib), or PEERS_PYTHON.
# A peer whose tools are missing is skipped with a note, unless CXONE_REQUIRE_PEERS=1, which
# makes that a failure. PEERS=sdk or PEERS=python runs one.
#
# Exit: 0 every peer that ran passed (and failed against -strict); 1 otherwise.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
peers=${PEERS:-sdk,python}
require=${CXONE_REQUIRE_PEERS:-0}
sdk_version=25.1.2
yup_version=1.7.1
cache=${CXONE_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cxone-auth-peers}
secret='ab/cd+ef/GH+ij=='

work=$(mktemp -d)
emu_pid=
cleanup() {
	if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

failed=0
note() { printf 'peers: %s\n' "$*"; }
missing() {
	if [ "$require" = 1 ]; then
		note "FAIL $1: $2 (CXONE_REQUIRE_PEERS=1)"
		failed=1
	else
		note "skip $1: $2"
	fi
}

(cd "$root" && go build -o "$work/cxone-emulator" ./auth/cxonetest/cmd/cxone-emulator)

# start_emulator [flags]: serves on a free port, writes $work/emu.env.
start_emulator() {
	rm -f "$work/emu.env" "$work/emu.out"
	"$work/cxone-emulator" -quiet -client-secret "$secret" -env-file "$work/emu.env" "$@" >"$work/emu.out" 2>"$work/emu.err" &
	emu_pid=$!
	i=0
	while [ ! -s "$work/emu.out" ] || [ ! -s "$work/emu.env" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			note "the emulator did not start: $(cat "$work/emu.err")"
			exit 1
		fi
		sleep 0.05
	done
}
stop_emulator() {
	kill "$emu_pid" 2>/dev/null || true
	wait "$emu_pid" 2>/dev/null || true
	emu_pid=
}

# run_peer NAME STEP STRICT_ENV COMMAND...: the peer must pass against the lenient emulator,
# and against -strict, with the variable assignment STRICT_ENV ("-": none), fail at STEP (the
# first request only a lenient server takes).
run_peer() {
	name=$1
	step=$2
	strict_env=$3
	shift 3
	start_emulator
	if (set -a && . "$work/emu.env" && set +a && "$@"); then
		note "ok   $name (lenient emulator)"
	else
		note "FAIL $name against the lenient emulator"
		failed=1
	fi
	stop_emulator
	start_emulator -strict
	if (set -a && . "$work/emu.env" && set +a && if [ "$strict_env" != - ]; then export "${strict_env?}"; fi && "$@") >"$work/strict.log" 2>&1; then
		note "FAIL $name passed against -strict too: it does not exercise the leniency"
		failed=1
	elif ! grep -q "FAIL $step:" "$work/strict.log"; then
		note "FAIL $name against -strict did not stop at $step: $(tail -1 "$work/strict.log")"
		failed=1
	else
		note "ok   $name is refused by -strict: $(grep -m1 FAIL "$work/strict.log")"
	fi
	stop_emulator
}

case ",$peers," in *,sdk,*)
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		missing sdk "node and npm are not installed"
	else
		dir="$cache/auth-sdk-$sdk_version"
		if [ ! -f "$dir/node_modules/@nice-devone/auth-sdk/package.json" ] || [ ! -f "$dir/node_modules/yup/package.json" ]; then
			mkdir -p "$dir"
			printf '{"name":"cxone-auth-peers","version":"1.0.0","private":true}\n' >"$dir/package.json"
			if ! (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
				"@nice-devone/auth-sdk@$sdk_version" "yup@$yup_version" >"$work/npm.log" 2>&1); then
				note "npm install failed: $(tail -3 "$work/npm.log")"
				dir=
			fi
		fi
		if [ -z "$dir" ]; then
			missing sdk "NICE's SDK could not be installed from npm"
		else
			cp "$here/nice-sdk.mjs" "$here/sdk-loader.mjs" "$dir/"
			# Against -strict, form-encoded Basic gets the SDK past the password grant to its own
			# refresh request (a form labelled JSON, the refresh grant), which -strict refuses.
			run_peer sdk refresh CXONE_PEER_BASIC=form node --no-warnings --experimental-loader "$dir/sdk-loader.mjs" "$dir/nice-sdk.mjs"
		fi
	fi
	;;
esac

case ",$peers," in *,python,*)
	py=
	for c in ${PEERS_PYTHON:-} python3 /usr/bin/python3; do
		if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import requests_oauthlib' >/dev/null 2>&1; then
			py=$c
			break
		fi
	done
	if [ -z "$py" ]; then
		missing python "no python3 with requests-oauthlib (apt-get install python3-requests-oauthlib)"
	else
		run_peer python "password grant" - "$py" "$here/nicepy_flow.py"
	fi
	;;
esac

exit $failed
