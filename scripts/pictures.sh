#!/usr/bin/env bash
# pictures.sh: regenerates the README's pictures from the program's own screens.
#
#   bash scripts/pictures.sh           # the still pictures (docs/*.png) and the demo (docs/demo.gif)
#   bash scripts/pictures.sh --stills  # only the still pictures
#   bash scripts/pictures.sh --gif     # only docs/demo.gif (vhs demo.tape)
#
# The stills are the real binary in an 80x24 tmux pane, in colour, against the local CXone
# emulator (scripts/demo-env.sh builds both into a temporary folder): the once-only warning of
# the create-key step, the live check rejecting a wrong Client Secret and passing, `check --all`
# over three profiles (one with a deactivated access key), and the profiles screen that
# `cxone-auth` opens when profiles exist. Each screen is captured as ANSI text
# (tmux capture-pane -e), checked for secrets, and only then rendered to PNG by freeze.
# Until `cxone-auth` opens the profiles screen, docs/profiles.png is skipped with a message and
# the GIF is recorded without the tape's profiles-screen part; both come back on their own.
#
# Tools: tmux, freeze (with rsvg-convert and a monospace font), and for the GIF vhs, ttyd,
# chromium and ffmpeg, as vhs-setup.sh installs them (docs/pictures.md lists them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$PATH:$(go env GOPATH)/bin"

stills=1 gif=1
case "${1:-}" in
"") ;;
--stills) gif=0 ;;
--gif) stills=0 ;;
*) echo "usage: bash scripts/pictures.sh [--stills|--gif]" >&2; exit 2 ;;
esac

missing=()
for t in tmux freeze rsvg-convert; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ "$gif" = 1 ]; then
	for t in vhs ttyd chromium ffmpeg ffprobe; do command -v "$t" >/dev/null || missing+=("$t"); done
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "pictures: missing ${missing[*]}: docs/pictures.md lists the tools and how to install them" >&2
	exit 1
fi

log() { printf 'pictures: %s\n' "$*"; }
die() { printf 'pictures: FAIL: %s\n' "$*" >&2; exit 1; }

# --- the programs and the emulator -----------------------------------------------------------
# shellcheck source=demo-env.sh
source scripts/demo-env.sh 0s
[ -n "${DEMO:-}" ] || die "the set-up failed (run: source scripts/demo-env.sh)"
sock="cxone-pictures-$$-0"
pane_n=0
emu2_pid=""
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1 || true
	[ -z "$emu2_pid" ] || kill "$emu2_pid" >/dev/null 2>&1 || true
	demo_cleanup
}
trap cleanup EXIT

val() { sed -n "s/^$1=//p" "$DEMO/creds.env"; }
client_id=$(val CXONE_CLIENT_ID)
client_secret=$(val CXONE_CLIENT_SECRET)
key_id=$(val CXONE_ACCESS_KEY_ID)
key_secret=$(val CXONE_ACCESS_KEY_SECRET)
wrong_secret="WRONG0SECRET0123456789ABCDEF"
passphrase="pictures-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
secrets=("$client_secret" "$key_secret" "$wrong_secret" "$passphrase")

# --- the pane -------------------------------------------------------------------------------
# One tmux server per program run, started with exactly the environment that run should have
# (a new server copies the starting environment; nothing secret goes on a command line).
pane_start() { # pane_start CMD...: a fresh 80x24 pane running CMD in $DEMO/work
	# A new socket each time: a new server on the socket of one just killed can meet it still
	# shutting down ("server exited unexpectedly").
	tmux -L "$sock" kill-server >/dev/null 2>&1 || true
	pane_n=$((pane_n + 1))
	sock="cxone-pictures-$$-$pane_n"
	tmux -L "$sock" -f /dev/null new-session -d -s p -x 80 -y 24 -c "$DEMO/work" \
		"env TERM=xterm-256color COLORTERM=truecolor $*; echo \"[exit \$?]\"; sleep 600"
	local size
	size=$(tmux -L "$sock" display-message -p -t p '#{pane_width}x#{pane_height}')
	[ "$size" = 80x24 ] || die "the pane is $size, want 80x24"
}
plain() { tmux -L "$sock" capture-pane -p -t p 2>/dev/null || true; }
keys() { tmux -L "$sock" send-keys -t p "$@"; }
typed() { # typed VALUE: as keystrokes, through a tmux buffer rather than a command line
	printf '%s' "$1" | tmux -L "$sock" load-buffer -b typed -
	tmux -L "$sock" paste-buffer -b typed -d -t p
}
screen_fail() {
	echo "----- screen -----" >&2
	plain >&2
	echo "------------------" >&2
	die "$*"
}
# no_secret TEXT: no secret, nor any 12 characters of one, in TEXT (raw and without escapes).
no_secret() {
	local text=$1 bare s i
	bare=$(printf '%s' "$text" | sed 's/\x1b\[[0-9;:?]*[a-zA-Z]//g')
	for s in "${secrets[@]}"; do
		for ((i = 0; i + 12 <= ${#s}; i++)); do
			case "$text$bare" in *"${s:i:12}"*) return 1 ;; esac
		done
	done
}
wait_for() { # wait_for TEXT [SECONDS]
	local text=$1 limit=${2:-15} s
	local deadline=$(($(date +%s) + limit))
	while :; do
		s=$(plain)
		no_secret "$s" || screen_fail "a secret is on the screen"
		case "$s" in *"$text"*) return 0 ;; esac
		[ "$(date +%s)" -lt "$deadline" ] || screen_fail "waited ${limit}s for \"$text\""
		sleep 0.1
	done
}
# settle [SECONDS]: waits until the screen has not changed for a second (spinners done).
settle() {
	local limit=${1:-20} last="" now same=0
	local deadline=$(($(date +%s) + limit))
	while [ "$same" -lt 10 ]; do
		now=$(tmux -L "$sock" capture-pane -e -p -t p)
		if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0 last=$now; fi
		[ "$(date +%s)" -lt "$deadline" ] || screen_fail "the screen kept changing for ${limit}s"
		sleep 0.1
	done
}

shots="$DEMO/shots"
mkdir -p "$shots"
# shot NAME: captures the pane with its colours, refuses it if a secret shows, keeps it.
shot() {
	local f="$shots/$1.ansi"
	tmux -L "$sock" capture-pane -e -p -t p >"$f"
	no_secret "$(cat "$f")" || screen_fail "a secret is in the picture $1"
	log "captured $1"
}

# --- the wizard: create-key, check-rejected, check-ok ----------------------------------------
run_wizard() {
	pane_start env -u CXONE_KEYRING_PASSPHRASE cxone-auth setup
	wait_for "Step 1 of 8"
	keys Enter Enter Enter
	wait_for "Step 2 of 8"
	keys Enter
	wait_for "Step 3 of 8"
	typed "$client_id"
	keys Tab
	wait_for "Client Secret (hidden"
	typed "$wrong_secret"
	wait_for "••••••••••"
	keys Enter
	wait_for "SHOWN ONLY ONCE"
	settle
	[ "$stills" = 1 ] && shot create-key
	keys Space Enter
	wait_for "Step 5 of 8"
	typed "$key_id"
	keys Tab
	wait_for "Access Key Secret (hidden"
	typed "$key_secret"
	wait_for "••••••••••••••••••••"
	keys Enter
	wait_for "rejected the client credentials"
	settle
	[ "$stills" = 1 ] && shot check-rejected
	keys Enter
	wait_for "Step 3 of 8"
	wait_for "Client Secret (hidden"
	keys C-u
	typed "$client_secret"
	keys Enter
	wait_for "Step 4 of 8"
	keys Enter
	wait_for "Step 5 of 8"
	keys Enter
	wait_for "The credentials work."
	settle
	[ "$stills" = 1 ] && shot check-ok
	keys Enter
	wait_for "Step 7 of 8"
	keys Enter
	wait_for "Repeat the passphrase"
	typed "$passphrase"
	keys Enter
	typed "$passphrase"
	keys Enter
	wait_for "Step 8 of 8"
	keys Enter
	wait_for "[exit 0]"
}

# --- more profiles: staging (valid) and old-key (its access key deactivated) -----------------
# old-key is saved against a second emulator, which then restarts on the same port refusing
# every token with a 401 and no error code: what CXone answers for a deactivated access key.
add_profiles() {
	export CXONE_KEYRING_PASSPHRASE="$passphrase"
	cxone-auth setup --env-file "$DEMO/creds.env" --profile staging >/dev/null 2>"$DEMO/setup.err" ||
		{ cat "$DEMO/setup.err" >&2; die "setup --profile staging failed"; }
	"$DEMO/bin/cxone-emulator" -addr 127.0.0.1:0 -quiet >"$DEMO/emu2.out" 2>"$DEMO/emu2.log" &
	emu2_pid=$!
	local issuer2="" i
	for i in $(seq 100); do
		issuer2=$(sed -n 's/^CXONE_ISSUER=//p' "$DEMO/emu2.out")
		[ -n "$issuer2" ] && break
		sleep 0.1
	done
	[ -n "$issuer2" ] || { cat "$DEMO/emu2.log" >&2; die "the second emulator did not start"; }
	cxone-auth setup --env-file "$DEMO/creds.env" --issuer "$issuer2" --profile old-key \
		>/dev/null 2>"$DEMO/setup.err" || { cat "$DEMO/setup.err" >&2; die "setup --profile old-key failed"; }
	kill "$emu2_pid"
	wait "$emu2_pid" 2>/dev/null || true
	"$DEMO/bin/cxone-emulator" -addr "${issuer2#http://}" -quiet -fault token=status:401 \
		>"$DEMO/emu2.out" 2>"$DEMO/emu2.log" &
	emu2_pid=$!
	for i in $(seq 100); do
		grep -q '^CXONE_ISSUER=' "$DEMO/emu2.out" && break
		sleep 0.1
	done
	grep -q '^CXONE_ISSUER=' "$DEMO/emu2.out" || { cat "$DEMO/emu2.log" >&2; die "the second emulator did not restart"; }
	unset CXONE_KEYRING_PASSPHRASE
}

# --- check --all ------------------------------------------------------------------------------
run_check_all() {
	CXONE_KEYRING_PASSPHRASE="$passphrase" pane_start cxone-auth check --all
	wait_for "[exit "
	settle
	# The command line as a prompt would show it, then the program's output up to the pane's
	# own exit marker.
	{
		printf '\033[38;2;90;86;224m$\033[0m cxone-auth check --all\n'
		tmux -L "$sock" capture-pane -e -p -t p | sed '/\[exit [0-9]*\]/,$d'
	} >"$shots/check-all.ansi"
	no_secret "$(cat "$shots/check-all.ansi")" || screen_fail "a secret is in the picture check-all"
	log "captured check-all"
}

# --- the profiles screen ----------------------------------------------------------------------
# profiles_screen: 0 when `cxone-auth` with profiles opens the profiles screen (captured when
# taking stills), 1 while it still opens the wizard.
profiles_screen() {
	CXONE_KEYRING_PASSPHRASE="$passphrase" pane_start cxone-auth
	local deadline=$(($(date +%s) + 15)) s
	until [[ $(plain) == *[a-z]* ]]; do
		[ "$(date +%s)" -lt "$deadline" ] || screen_fail "cxone-auth showed nothing for 15s"
		sleep 0.1
	done
	settle 30
	s=$(plain)
	no_secret "$s" || screen_fail "a secret is on the profiles screen"
	case "$s" in *"Step 1 of 8"*) keys C-c; return 1 ;; esac
	[ "$stills" = 1 ] && shot profiles
	keys q
	return 0
}

# --- render -----------------------------------------------------------------------------------
# freeze lays the ANSI text out as SVG; rsvg-convert rasterises it at twice the size (freeze's
# own PNG output is four times the size, and its built-in rasteriser crashes with Go 1.26).
render() { # render NAME: $shots/NAME.ansi -> docs/NAME.png
	local out="$root/docs/$1.png"
	freeze "$shots/$1.ansi" --language ansi --output "$shots/$1.svg" \
		--window --padding 20,24 --margin 0 --border.radius 8 \
		--font.family "JetBrains Mono" --font.size 14 --line-height 1.25 \
		--background "#171717" >/dev/null
	rsvg-convert --zoom 2 --output "$out" "$shots/$1.svg"
	[ -s "$out" ] || die "no picture for $1"
	log "wrote docs/$1.png"
}

run_wizard
add_profiles
profiles=1
if ! profiles_screen; then
	profiles=0
	log "SKIPPED docs/profiles.png: cxone-auth still opens the wizard when profiles exist (no profiles screen yet)"
fi
if [ "$stills" = 1 ]; then
	run_check_all
	names=(create-key check-rejected check-ok check-all)
	[ "$profiles" = 1 ] && names+=(profiles)
	for n in "${names[@]}"; do render "$n"; done
fi

# --- the GIF ----------------------------------------------------------------------------------
if [ "$gif" = 1 ]; then
	[ "$(id -u)" = 0 ] && export VHS_NO_SANDBOX=true # chromium refuses root without it
	cd "$root"
	if [ "$profiles" = 1 ]; then
		log "recording docs/demo.gif (vhs demo.tape)"
		vhs demo.tape >"$DEMO/vhs.log" 2>&1 || { tail -30 "$DEMO/vhs.log" >&2; die "vhs failed"; }
	else
		log "recording docs/demo.gif without the tape's profiles-screen part (no profiles screen yet)"
		sed '/^# profiles-screen: begin/,/^# profiles-screen: end/d' demo.tape >"$DEMO/demo.tape"
		vhs "$DEMO/demo.tape" >"$DEMO/vhs.log" 2>&1 || { tail -30 "$DEMO/vhs.log" >&2; die "vhs failed"; }
	fi
	width=$(ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 docs/demo.gif)
	duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 docs/demo.gif)
	[ "$width" -ge 1000 ] || die "docs/demo.gif is $width px wide, want at least 1000"
	log "wrote docs/demo.gif ($width px wide, ${duration%.*} s)"
	awk -v d="$duration" 'BEGIN { exit !(d < 60) }' || die "docs/demo.gif lasts ${duration}s, want under 60"
fi
log "done"
