#!/usr/bin/env bash
# lint.sh: the static guardrails of cxone-auth, strict, each one line to re-run by hand.
#
#   bash scripts/lint.sh          # everything (about a minute with the tools installed)
#   bash scripts/lint.sh STEP...  # only those steps: fmt vet staticcheck cross deadcode
#                                 #   darwin-keychain workflows goreleaser
#
# The tools are installed with `go install` at the versions pinned below, into GOPATH/bin
# (never through go.mod); an installed tool of another version is replaced. A fresh machine
# compiles them once: about 25 s for staticcheck, deadcode and actionlint together, about 5 min
# for goreleaser (which .ci/run installs in the background, see it).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-mod=readonly
bin=$(go env GOPATH)/bin
export PATH="$bin:$PATH"

STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE=golang.org/x/tools/cmd/deadcode@v0.53.0
ACTIONLINT=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
GORELEASER=github.com/goreleaser/goreleaser/v2@v2.15.1

# tool PKG@VERSION: installs it unless GOPATH/bin already has that version; prints its path.
tool() {
  local pkg=${1%@*} ver=${1#*@} name
  name=$(basename "$pkg")
  [ "$name" = v2 ] && name=$(basename "$(dirname "$pkg")")
  if [ ! -x "$bin/$name" ] || [ "$(go version -m "$bin/$name" 2>/dev/null | awk '$1 == "mod" {print $3}')" != "$ver" ]; then
    echo "installing $1" >&2
    go install "$1" >&2
  fi
  echo "$bin/$name"
}

# Packages whose only users are tests (emulators, drivers): the dead-code check skips them.
helper_re='/(cxonetest|stepstest|wizardtest|uitest)$'

step_fmt() {
  local out
  out=$(gofmt -l $(git ls-files '*.go'))
  [ -z "$out" ] || { echo "gofmt would change: $out"; return 1; }
  go mod tidy -diff
}

step_vet() { go vet ./...; }

step_staticcheck() {
  local sc
  sc=$(tool "$STATICCHECK")
  for goos in linux darwin windows; do
    GOOS=$goos "$sc" ./...
  done
}

# The code of the other release systems, vetted and with every test compiled (and linked),
# so a test that only builds on Linux shows here and not on a Mac.
step_cross() {
  for goos in darwin windows; do
    GOOS=$goos go vet ./...
    GOOS=$goos go test -c -o /dev/null ./... | { grep -v 'no test files' || true; }
  done
}

# Functions the product never reaches (test entry points belong in _test files or the helper
# packages above; OS-only helpers in build-tagged files), on each release system.
# scripts/deadcode.allow lists the few that are reached only through an interface the
# analysis cannot see, each with its reason.
step_deadcode() {
  local dc pkgs filter found=0 out
  dc=$(tool "$DEADCODE")
  pkgs=$(go list ./... | grep -Ev "$helper_re" | sed 's/[.]/[.]/g' | paste -sd'|')
  filter="^($pkgs)\$"
  allow=$(grep -v '^#' scripts/deadcode.allow | awk 'NF {print $1}' | sed 's/[.]/[.]/g' | paste -sd'|')
  for goos in linux darwin windows; do
    out=$(GOOS=$goos "$dc" -filter "$filter" . | grep -Ev ": unreachable func: ($allow)\$" || true)
    if [ -n "$out" ]; then
      echo "unreachable code on $goos:"; echo "$out"; found=1
    fi
  done
  return "$found"
}

# The release's macOS binaries must contain the keyring library's Keychain (cgo), which a
# Linux machine cannot link; it can check that cgo brings the package in and that a build
# without cgo does not pretend to have it (store/backend.go's builtFor table is tested too).
step_darwin_keychain() {
  GOOS=darwin GOARCH=arm64 CGO_ENABLED=1 go list -deps . | grep -qx 'github.com/99designs/go-keychain' ||
    { echo "darwin with cgo does not import github.com/99designs/go-keychain"; return 1; }
  if GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go list -deps . | grep -qx 'github.com/99designs/go-keychain'; then
    echo "darwin without cgo imports go-keychain: the build constraint changed"; return 1
  fi
  CGO_ENABLED=1 go test ./store -count=1 -run '^(TestBuiltForMatchesTheLibrary|TestBackendsPerBuild|TestKeychainMissingSaysHowToGetIt)$' >/dev/null
  CGO_ENABLED=0 go test ./store -count=1 -run '^(TestBuiltForMatchesTheLibrary|TestBackendsPerBuild|TestKeychainMissingSaysHowToGetIt)$' >/dev/null
  echo "darwin+cgo links github.com/99designs/go-keychain; darwin without cgo does not"
}

step_workflows() { "$(tool "$ACTIONLINT")" .github/workflows/*.yml; }

# goreleaser takes minutes to compile on a fresh machine: checked only when it is installed
# (or CXONE_LINT_GORELEASER=1 asks for the install).
step_goreleaser() {
  if [ -x "$bin/goreleaser" ] || [ "${CXONE_LINT_GORELEASER:-}" = 1 ]; then
    "$(tool "$GORELEASER")" check
  else
    echo "skipped: goreleaser is not installed (CXONE_LINT_GORELEASER=1 installs $GORELEASER)"
  fi
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(fmt vet staticcheck cross deadcode darwin-keychain workflows goreleaser)
for s in "${steps[@]}"; do
  t0=$(date +%s)
  echo "--- lint: $s"
  "step_${s//-/_}"
  echo "--- lint: $s ok ($(( $(date +%s) - t0 ))s)"
done
