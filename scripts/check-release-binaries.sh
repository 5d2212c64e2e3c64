#!/usr/bin/env bash
# check-release-binaries.sh DIR: every cxone-auth binary under DIR (GoReleaser's dist/, or any
# folder of go-built binaries) is checked from the build information Go stamps into it:
# a darwin binary must be built with cgo and link github.com/99designs/go-keychain (the
# keyring library's Keychain backend, `//go:build darwin && cgo`); every other binary must be
# static (CGO_ENABLED=0). Exits 1 naming each binary that is not. Needs only `go`.
set -euo pipefail
dir=${1:?usage: check-release-binaries.sh DIR}
found=0 bad=0
while IFS= read -r -d '' bin; do
  found=$((found + 1))
  info=$(go version -m "$bin")
  goos=$(sed -n 's/^[[:space:]]*build[[:space:]]*GOOS=//p' <<<"$info")
  goarch=$(sed -n 's/^[[:space:]]*build[[:space:]]*GOARCH=//p' <<<"$info")
  cgo=$(sed -n 's/^[[:space:]]*build[[:space:]]*CGO_ENABLED=//p' <<<"$info")
  keychain=no
  grep -q $'^[[:space:]]*dep[[:space:]]*github.com/99designs/go-keychain[[:space:]]' <<<"$info" && keychain=yes
  if [ "$goos" = darwin ]; then
    want_cgo=1 want_keychain=yes
  else
    want_cgo=0 want_keychain=no
  fi
  if [ "$cgo" != "$want_cgo" ] || [ "$keychain" != "$want_keychain" ]; then
    echo "FAIL $bin: $goos/$goarch CGO_ENABLED=$cgo keychain=$keychain (want CGO_ENABLED=$want_cgo keychain=$want_keychain)"
    bad=$((bad + 1))
  else
    echo "ok   $bin: $goos/$goarch CGO_ENABLED=$cgo keychain=$keychain"
  fi
done < <(find "$dir" -type f \( -name cxone-auth -o -name cxone-auth.exe \) -print0)
if [ "$found" -eq 0 ]; then
  echo "no cxone-auth binary under $dir"
  exit 1
fi
[ "$bad" -eq 0 ]
