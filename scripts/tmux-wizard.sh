#!/usr/bin/env bash
# Drives the real binary in tmux panes as a person would, against the local CXone emulator,
# reading only what the screen shows:
#   1. the wizard in 80x24: a wrong client secret first, fixed by going back, saved to the
#      encrypted-file keyring with a passphrase typed twice; the record left on the normal
#      screen is checked, then the stored profile from the command line;
#   2. Ctrl+C midway must leave nothing behind;
#   3. a resize of the window followed by quitting must leave no wizard line on the normal
#      screen or in its scrollback;
#   4. `setup` again edits the same profile: the passphrase asked once, every value kept by
#      enter alone, one check, "Updated";
#   5. `setup --rotate` replaces the access key with the emulator's second key (-extra-key)
#      and names the old one to deactivate;
#   6. `cxone-auth` opens the profiles screen at 80x24 and at 40x10 with a valid, a rejected
#      and an unreachable profile;
#   7. the screen's keys: / filters, the details of the rejected profile show the error, d and
#      j/k, R, resizes down to 20x5; a new profile given a stored profile's name is warned of in
#      the save step, with the keyring used last pre-selected; the actions taken are left on
#      the normal screen when it closes;
#   8. the edit flow shows a stored secret's length and last 2 characters, never its start.
# Secrets must never be on screen, and no line may be wider than its pane.
#
#   bash scripts/tmux-wizard.sh        # prints "ok: ..." per step and PASS at the end
set -euo pipefail
cd "$(dirname "$0")/.."

command -v tmux >/dev/null || { echo "tmux-wizard: tmux is not installed" >&2; exit 1; }
export DBUS_SESSION_BUS_ADDRESS=disabled:

work=$(mktemp -d /tmp/cxone-tmux.XXXXXX)
sock="cxone-wizard-$$"
emu_pids=()
cleanup() {
  tmux -L "$sock" kill-server >/dev/null 2>&1 || true
  for p in "${emu_pids[@]}"; do kill "$p" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/cxone-auth" .
go build -o "$work/cxone-emulator" ./auth/cxonetest/cmd/cxone-emulator

# emulator NAME [FLAGS...]: starts an emulator, writes its issuer to $work/NAME.issuer.
emulator() {
  local name=$1; shift
  "$work/cxone-emulator" -quiet -env-file "$work/$name.env" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  emu_pids+=($!)
  echo $! >"$work/$name.pid"
  for _ in $(seq 100); do [ -s "$work/$name.out" ] && break; sleep 0.05; done
  sed -n 's/^CXONE_ISSUER=//p' "$work/$name.out" >"$work/$name.issuer"
  [ -s "$work/$name.issuer" ] || { echo "tmux-wizard: the emulator $name did not start" >&2; cat "$work/$name.err" >&2; exit 1; }
}
stop_emulator() { kill "$(cat "$work/$1.pid")"; wait "$(cat "$work/$1.pid")" 2>/dev/null || true; }

emulator main -extra-key
issuer=$(cat "$work/main.issuer")
val() { sed -n "s/^$1=//p" "$work/main.env"; }
client_id=$(val CXONE_CLIENT_ID)
client_secret=$(val CXONE_CLIENT_SECRET)
key_id=$(val CXONE_ACCESS_KEY_ID)
key_secret=$(val CXONE_ACCESS_KEY_SECRET)
new_key_id=$(val CXONE_EXTRA_ACCESS_KEY_ID)
new_key_secret=$(val CXONE_EXTRA_ACCESS_KEY_SECRET)
[ -n "$new_key_secret" ] || { echo "tmux-wizard: the emulator wrote no extra key" >&2; exit 1; }
wrong_secret="WRONGSECRET0123456789ABCDEF"
passphrase="tmux test passphrase"

# One tmux server for the whole script, kept alive by a session that does nothing; every run
# is a session of its own with the size it needs. (Killing the server and starting a new one
# at once raced: "server exited unexpectedly".)
tmux -L "$sock" -f /dev/null new-session -d -s keep -x 80 -y 24 "sleep 3600"
cur=""
run=0

screen() { tmux -L "$sock" capture-pane -p -t "$cur" 2>/dev/null || true; }
history() { tmux -L "$sock" capture-pane -p -S - -t "$cur" 2>/dev/null || true; }
joined() { tmux -L "$sock" capture-pane -p -J -t "$cur" 2>/dev/null || true; }  # wrapped lines joined
fail() {
  echo "tmux-wizard: FAIL: $*" >&2
  echo "----- screen -----" >&2
  screen >&2
  echo "------------------" >&2
  exit 1
}
# Every screen seen is checked: no secret in clear, no line wider than the pane.
inspect() {
  local s=$1 width
  for secret in "$client_secret" "$key_secret" "$new_key_secret" "$wrong_secret" "$passphrase"; do
    case "$s" in *"$secret"*) fail "a secret is on the screen in clear";; esac
  done
  width=$(tmux -L "$sock" display-message -p -t "$cur" '#{pane_width}')
  local widest
  widest=$(printf '%s\n' "$s" | LC_ALL=C.UTF-8 wc -L)   # display columns, not bytes
  [ "$widest" -le "$width" ] || fail "a line is $widest columns wide on a $width-column pane"
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
# shows TEXT...: the screen shows every TEXT now.
shows() {
  local s; s=$(screen)
  for t in "$@"; do case "$s" in *"$t"*) ;; *) fail "the screen lacks \"$t\"";; esac; done
}
keys() { tmux -L "$sock" send-keys -t "$cur" "$@"; }
typed() { tmux -L "$sock" send-keys -t "$cur" -l "$1"; }
ok() { echo "ok: $*"; }

# start DIR W H ARGS...: runs cxone-auth ARGS in a new WxH session with DIR's config and
# keyring folders and no passphrase in the environment; its exit status goes to DIR/exit.
start() {
  local dir=$1 w=$2 h=$3; shift 3
  mkdir -p "$dir"
  rm -f "$dir/exit"
  run=$((run + 1))
  cur="run$run"
  tmux -L "$sock" new-session -d -s "$cur" -x "$w" -y "$h" \
    "env -u CXONE_KEYRING_PASSPHRASE TERM=xterm-256color DBUS_SESSION_BUS_ADDRESS=disabled: \
      CXONE_ISSUER='$issuer' CXONE_CONFIG_DIR='$dir/config' CXONE_KEYRING_DIR='$dir/keyring' \
      '$work/cxone-auth' $*; echo \"EXIT=\$?\" > '$dir/exit'; sleep 600"
  local size
  size=$(tmux -L "$sock" display-message -p -t "$cur" '#{pane_width}x#{pane_height}')
  [ "$size" = "${w}x${h}" ] || fail "the pane is $size, want ${w}x${h}"
}
wait_exit() {
  local f=$1/exit
  for _ in $(seq 150); do [ -s "$f" ] && break; sleep 0.1; done
  [ -s "$f" ] || fail "the program did not exit"
  sed -n 's/^EXIT=//p' "$f"
}

# --- run 1: wrong client secret, fixed by going back; saved; the record; checked ---------------
run1="$work/run1"
start "$run1" 80 24 setup
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
wait_for 'Saved profile "default".'
shows "Profile" "User" "Tenant" "Business unit" "Keyring        Encrypted file" "Next:" "cxone-auth check"
case "$(screen)" in *"Step 8 of 8"*) fail "the wizard's screen is left on the normal screen";; esac
ok "the record is left on the normal screen"

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
start "$run2" 80 24 setup
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

# --- run 3: a resize, then quitting, leaves no wizard line behind -------------------------------
run3="$work/run3"
start "$run3" 80 24 setup
wait_for "Step 1 of 8"
tmux -L "$sock" resize-window -t "$cur" -x 100 -y 30
wait_for "Step 1 of 8"
keys Enter Enter Enter
wait_for "Step 2 of 8"
for _ in 1 2 3; do
  case "$(screen)" in *"> Not yet"*) break;; esac
  keys Down; sleep 0.2
done
wait_for "> Not yet"
keys Enter                  # stop here to register first: exit 0 with the link
code=$(wait_exit "$run3")
[ "$code" = "0" ] || fail "'Not yet' exit status $code, want 0"
wait_for "Register a back-end application first"
if history | grep -qE "Step [0-9] of 8|Sign in to the CXone developer portal|I already have my Client ID"; then
  fail "wizard lines were left on the normal screen or in its scrollback after a resize"
fi
ok "a resize then quitting leaves only the registration link on the normal screen"

# --- run 4: setup edits the profile, every value kept --------------------------------------------
start "$run1" 80 24 setup
wait_for "Passphrase for the keyring"
typed "$passphrase"; keys Enter
wait_for "Step 1 of 6"
wait_for "Editing profile default"
keys Enter Enter            # environment (custom), its issuer URL
wait_for "Step 2 of 6"
wait_for "enter keeps"
keys Enter Enter            # Client ID, Client Secret: kept
wait_for "Step 3 of 6"
wait_for "enter keeps"
keys Enter Enter            # Access Key ID, Access Key Secret: kept
wait_for "Step 4 of 6"
wait_for "The credentials work." 15
keys Enter                  # saved back where it is stored: no keyring menu, no passphrase
wait_for "Step 6 of 6" 15
wait_for 'Updated profile "default".'
keys Enter
code=$(wait_exit "$run1")
[ "$code" = "0" ] || fail "the edit exited $code, want 0"
wait_for 'Updated profile "default".'
ok "setup on an existing profile: passphrase asked once, every value kept, exit 0, Updated"

# --- run 5: setup --rotate with the emulator's second key ---------------------------------------
start "$run1" 80 24 setup --rotate
wait_for "Passphrase for the keyring"
typed "$passphrase"; keys Enter
wait_for "Step 1 of 5"
wait_for "SHOWN ONLY ONCE"
keys Space Enter
wait_for "Step 2 of 5"
wait_for "Replacing Access Key ID"
typed "$new_key_id"; keys Tab; typed "$new_key_secret"; keys Enter
wait_for "Step 3 of 5"
wait_for "The credentials work." 15
keys Enter
wait_for "Step 5 of 5" 15
wait_for "Deactivate the old Access Key ID"
keys Enter
code=$(wait_exit "$run1")
[ "$code" = "0" ] || fail "the rotation exited $code, want 0"
wait_for 'Updated profile "default".'
joined | grep -qF "Deactivate the old Access Key ID $key_id in CXone (My Profile → Access Keys)" \
  || fail "the record does not name the old Access Key ID to deactivate"
cli export | grep -qx "CXONE_ACCESS_KEY_ID=$new_key_id" || fail "the rotation did not store the new key"
ok "setup --rotate: the new key checked and stored, the old one named for deactivation"

# --- run 6: the profiles screen, with a rejected and an unreachable profile ----------------------
emulator lab
cli setup --profile lab --issuer "$(cat "$work/lab.issuer")" --env-file "$work/main.env" >/dev/null 2>&1 || fail "setup lab"
stop_emulator lab            # lab's issuer no longer answers
emulator staging
staging_addr=$(sed 's|^http://||' "$work/staging.issuer")
cli setup --profile staging --issuer "$(cat "$work/staging.issuer")" --env-file "$work/main.env" >/dev/null 2>&1 || fail "setup staging"
stop_emulator staging        # and comes back refusing every token
emulator staging2 -addr "$staging_addr" -fault token=status:401
ok "stored three profiles: default (valid), lab (unreachable), staging (rejected)"

for size in 80x24 40x10; do
  start "$run1" "${size%x*}" "${size#*x}"
  wait_for "Passphrase for the keyring"
  typed "$passphrase"; keys Enter
  wait_for "PROFILE" 10
  wait_for "✓ valid" 15
  wait_for "✗ rejected" 15
  wait_for "! unreachable" 15
  shows "default" "lab" "staging"
  case "$(screen)" in *"checking"*) fail "a row is still checking";; esac
  if [ "$size" = 80x24 ]; then shows "TENANT" "BUSINESS UN" "USER" "default"; else shows "default*"; fi
  screen >"$work/profiles-$size.txt"
  ok "the profiles screen at $size shows the three rows and their statuses"
  keys q
  code=$(wait_exit "$run1")
  [ "$code" = "0" ] || fail "q on the profiles screen exited $code, want 0"
done

# --- run 7: the profiles screen's keys, at 80x24 and then narrow ---------------------------------
start "$run1" 80 24
wait_for "Passphrase for the keyring"
typed "$passphrase"; keys Enter
wait_for "✗ rejected" 15
wait_for "! unreachable" 15
shows "/ filter" "r new access key" "R check all"
keys /; typed "stag"
wait_for "Filter: stag"
s=$(screen)
printf '%s\n' "$s" | grep -qE '^ (>| ) (default|lab)[ *]' && fail "the filter shows rows that do not match"
keys Enter                  # keep the filter: the keys act on staging
wait_for "esc clears"
keys Enter                  # staging's details: the advice and the error itself
wait_for "Profile staging"
shows "rejected" "Error:" "or r to replace it"
ok "/ filters the rows; the details of the rejected profile show the advice and the error"
keys Escape                 # the details
wait_for "esc clears"
keys Escape                 # the filter
wait_for "default*"
shows "> staging"
case "$(screen)" in *"Filter:"*) fail "esc did not clear the filter";; esac
shows "lab" "staging"
keys d                      # staging is the default now
wait_for 'Profile "staging" is now the default.'
keys k k                    # j/k move: up to the first row (default)
keys d
wait_for 'Profile "default" is now the default.'
keys R                      # every profile checked again
wait_for "✗ rejected" 15
tmux -L "$sock" resize-window -t "$cur" -x 40 -y 10
wait_for "default*"
tmux -L "$sock" resize-window -t "$cur" -x 20 -y 5
sleep 0.3; inspect "$(screen)"
tmux -L "$sock" resize-window -t "$cur" -x 80 -y 24
wait_for "TENANT"
ok "d, j/k and R on the screen; resized to 40x10 and 20x5"

# A new profile set up from the screen with a stored profile's name: the save step warns and
# offers the keyring config.json remembers.
keys n
wait_for "Step 1 of 8"
keys Enter Enter            # environment (custom), its issuer URL
keys C-u; typed "lab"
wait_for "exists: saving replaces"
keys Enter
wait_for "Step 2 of 8"
keys Enter
wait_for "Step 3 of 8"
typed "$client_id"; keys Tab; typed "$client_secret"; keys Enter
wait_for "Step 4 of 8"
keys Space Enter
wait_for "Step 5 of 8"
typed "$new_key_id"; keys Tab; typed "$new_key_secret"; keys Enter
wait_for "The credentials work." 15
keys Enter
wait_for "Step 7 of 8"
wait_for 'Profile "lab" is already stored'
shows "used last"
screen >"$work/save-replacing.txt"
tmux -L "$sock" resize-window -t "$cur" -x 40 -y 12
wait_for "already stored"   # pinned with the step's instruction: a short window keeps it
screen >"$work/save-replacing-40x12.txt"
tmux -L "$sock" resize-window -t "$cur" -x 80 -y 24
wait_for "used last"
ok "the save step warns that lab is replaced and pre-selects the keyring used last"
keys Enter
wait_for "Step 8 of 8" 15
keys Enter
wait_for "PROFILE"
keys q
code=$(wait_exit "$run1")
[ "$code" = "0" ] || fail "q on the profiles screen exited $code, want 0"
wait_for 'Saved profile "lab".'
j=$(joined)
for line in '✓ Profile "staging" is now the default.' '✓ Profile "default" is now the default.' '✓ Saved profile "lab".'; do
  case "$j" in *"$line"*) ;; *) fail "the normal screen lacks \"$line\"";; esac
done
case "$j" in *"PROFILE"*|*"TENANT"*) fail "the profiles screen was left on the normal screen";; esac
ok "the actions taken on the screen are left on the normal screen when it closes"

# --- run 8: the edit flow shows no more than the last 2 characters of a stored secret ----------
start "$run1" 80 24 setup --profile lab
wait_for "Passphrase for the keyring"
typed "$passphrase"; keys Enter
wait_for "Step 1 of 6"
keys Enter Enter
wait_for "Step 2 of 6"
wait_for "characters · ends …${client_secret: -2}"
case "$(screen)" in *"${client_secret:0:4}…${client_secret: -4}"*|*"${client_secret:8:6}"*) fail "the edit shows part of the stored client secret";; esac
keys Enter Enter
wait_for "Step 3 of 6"
wait_for "characters · ends …${new_key_secret: -2}"
case "$(screen)" in *"${new_key_secret:8:6}"*) fail "the edit shows part of the stored key secret";; esac
screen >"$work/edit-accesskey.txt"
ok "the edit flow describes the stored secrets (length, last 2) instead of showing them"
keys C-c
code=$(wait_exit "$run1")

echo PASS
