#!/usr/bin/env bash
# Completes the wizard as a person would: the real binary in an 80x24 tmux pane, against the
# local CXone emulator, driven only by what the screen shows. It types a wrong client secret
# first, follows the wizard back to fix it, saves to the encrypted-file keyring with a
# passphrase typed twice, then checks the stored profile from the command line. A second run
# quits with Ctrl+C midway and must leave nothing behind. Secrets must never be on screen.
#
#   bash scripts/tmux-wizard.sh        # prints "ok: ..." per step and PASS at the end
set -euo pipefail
cd "$(dirname "$0")/.."

command -v tmux >/dev/null || { echo "tmux-wizard: tmux is not installed" >&2; exit 1; }
export DBUS_SESSION_BUS_ADDRESS=disabled:

work=$(mktemp -d /tmp/cxone-tmux.XXXXXX)
sock="cxone-wizard-$$"
emu_pid=""
cleanup() {
  tmux -L "$sock" kill-server >/dev/null 2>&1 || true
  [ -n "$emu_pid" ] && kill "$emu_pid" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/cxone-auth" .
go build -o "$work/cxone-emulator" ./auth/cxonetest/cmd/cxone-emulator

"$work/cxone-emulator" -quiet -env-file "$work/creds.env" >"$work/emu.out" 2>"$work/emu.err" &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/emu.out" ] && break; sleep 0.05; done
issuer=$(sed -n 's/^CXONE_ISSUER=//p' "$work/emu.out")
[ -n "$issuer" ] || { echo "tmux-wizard: the emulator did not start" >&2; cat "$work/emu.err" >&2; exit 1; }
val() { sed -n "s/^$1=//p" "$work/creds.env"; }
client_id=$(val CXONE_CLIENT_ID)
client_secret=$(val CXONE_CLIENT_SECRET)
key_id=$(val CXONE_ACCESS_KEY_ID)
key_secret=$(val CXONE_ACCESS_KEY_SECRET)
wrong_secret="WRONGSECRET0123456789ABCDEF"
passphrase="tmux test passphrase"

screen() { tmux -L "$sock" capture-pane -p -t w 2>/dev/null || true; }
fail() {
  echo "tmux-wizard: FAIL: $*" >&2
  echo "----- screen -----" >&2
  screen >&2
  echo "------------------" >&2
  exit 1
}
# Every screen seen is checked: no secret in clear, no line wider than the pane.
inspect() {
  local s=$1
  for secret in "$client_secret" "$key_secret" "$wrong_secret" "$passphrase"; do
    case "$s" in *"$secret"*) fail "a secret is on the screen in clear";; esac
  done
  local widest
  widest=$(printf '%s\n' "$s" | LC_ALL=C.UTF-8 wc -L)   # display columns, not bytes
  [ "$widest" -le 80 ] || fail "a line is $widest columns wide on an 80-column pane"
}
# wait_for TEXT [SECONDS]: polls the screen until TEXT shows.
wait_for() {
  local text=$1 limit=${2:-10} s
  local deadline=$(( $(date +%s) + limit ))
  while :; do
    s=$(screen)
    inspect "$s"
    case "$s" in *"$text"*) return 0;; esac
    [ "$(date +%s)" -lt "$deadline" ] || fail "waited ${limit}s for \"$text\""
    sleep 0.1
  done
}
keys() { tmux -L "$sock" send-keys -t w "$@"; }
typed() { tmux -L "$sock" send-keys -t w -l "$1"; }
ok() { echo "ok: $*"; }

# start_wizard DIR: a fresh config and keyring folder, no passphrase in the environment.
start_wizard() {
  local dir=$1
  mkdir -p "$dir"
  tmux -L "$sock" kill-server >/dev/null 2>&1 || true
  tmux -L "$sock" -f /dev/null new-session -d -s w -x 80 -y 24 \
    "env -u CXONE_KEYRING_PASSPHRASE TERM=xterm-256color DBUS_SESSION_BUS_ADDRESS=disabled: \
      CXONE_ISSUER='$issuer' CXONE_CONFIG_DIR='$dir/config' CXONE_KEYRING_DIR='$dir/keyring' \
      '$work/cxone-auth' setup; echo \"EXIT=\$?\" > '$dir/exit'; sleep 600"
  local size
  size=$(tmux -L "$sock" display-message -p -t w '#{pane_width}x#{pane_height}')
  [ "$size" = "80x24" ] || fail "the pane is $size, want 80x24"
}
wait_exit() {
  local f=$1/exit
  for _ in $(seq 100); do [ -s "$f" ] && break; sleep 0.1; done
  [ -s "$f" ] || fail "the wizard did not exit"
  sed -n 's/^EXIT=//p' "$f"
}

# --- run 1: wrong client secret, fixed by going back; saved; checked --------------------------
run1="$work/run1"
start_wizard "$run1"
wait_for "Step 1 of 8"
wait_for "Welcome"
wait_for "$issuer"          # the custom issuer from CXONE_ISSUER is pre-selected
ok "welcome shows the emulator's issuer"
keys Enter Enter Enter      # environment, issuer URL, profile name
wait_for "Step 2 of 8"
wait_for "I already have my Client ID"
ok "register application"
keys Enter
wait_for "Step 3 of 8"
wait_for "Client Secret"
typed "$client_id"; keys Tab; typed "$wrong_secret"
wait_for "••••"
ok "client credentials (secret masked)"
keys Enter
wait_for "Step 4 of 8"
wait_for "SHOWN ONLY ONCE"
keys Enter                  # not confirmed yet: the step must not move on
sleep 0.3
case "$(screen)" in *"Step 4 of 8"*) ;; *) fail "create access key moved on without the confirmation";; esac
keys Space Enter
wait_for "Step 5 of 8"
ok "create access key asks for the confirmation"
typed "$key_id"; keys Tab; typed "$key_secret"
keys Enter
wait_for "Step 6 of 8"
wait_for "rejected the client credentials" 15
ok "check reports the wrong client secret"
keys Enter                  # the first choice: fix the client credentials
wait_for "Step 3 of 8"
wait_for "$client_id"       # Back keeps what was typed
ok "back at client credentials with the Client ID kept"
keys C-u; typed "$client_secret"; keys Enter
wait_for "Step 4 of 8"
keys Enter                  # confirmed before
wait_for "Step 5 of 8"
keys Enter                  # the access key was kept
wait_for "Step 6 of 8"
wait_for "The credentials work." 15
ok "check passes with the fixed secret"
keys Enter
wait_for "Step 7 of 8"
wait_for "Encrypted file"
keys Enter
wait_for "Repeat the passphrase"
typed "$passphrase"; keys Enter; typed "$passphrase"; keys Enter
wait_for "Step 8 of 8" 15
wait_for "Saved profile"
ok "saved to the encrypted file with the passphrase typed twice"
keys Enter
code=$(wait_exit "$run1")
[ "$code" = "0" ] || fail "the wizard exited $code, want 0"
ok "wizard exit status 0"

cli() {
  env CXONE_ISSUER="$issuer" CXONE_CONFIG_DIR="$run1/config" CXONE_KEYRING_DIR="$run1/keyring" \
    CXONE_KEYRING_PASSPHRASE="$passphrase" "$work/cxone-auth" "$@"
}
cli check >"$work/check.out" 2>&1 || { cat "$work/check.out" >&2; fail "check of the saved profile failed"; }
grep -q "credentials are valid" "$work/check.out" || fail "check did not report valid credentials"
cli list >"$work/list.out" 2>&1 || fail "list failed"
grep -q "default" "$work/list.out" || fail "list does not show the profile"
for secret in "$client_secret" "$key_secret" "$passphrase"; do
  if grep -rqF -- "$secret" "$run1/config" "$work/check.out" "$work/list.out"; then
    fail "a secret is in the config, check or list output"
  fi
done
ok "check, list and the config of the saved profile (no secrets)"

# --- run 2: Ctrl+C midway writes nothing ------------------------------------------------------
run2="$work/run2"
start_wizard "$run2"
wait_for "Step 1 of 8"
keys Enter Enter Enter
wait_for "Step 2 of 8"
keys Enter
wait_for "Step 3 of 8"
typed "$client_id"
keys C-c
wait_for "Quit without saving?"
keys y
code=$(wait_exit "$run2")
[ "$code" = "130" ] || fail "Ctrl+C exit status $code, want 130"
left=$(find "$run2/config" "$run2/keyring" -mindepth 1 2>/dev/null | head -5 || true)
[ -z "$left" ] || fail "cancelling left files behind: $left"
ok "Ctrl+C midway: exit 130, nothing written"

echo PASS
