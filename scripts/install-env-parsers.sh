#!/usr/bin/env bash
# Installs the env-file readers that store's TestEnvFileReaders feeds the env export to: dash
# and python3-dotenv from Debian, and node's dotenv package from npm into a cache folder (never
# into the repository). Idempotent: it installs only what is missing. godotenv needs nothing
# here (it is a Go test dependency) and bash is always present.
#
# The test finds the npm folder through CXONE_ENV_PARSERS_DIR, whose default is the same as
# this script's: ${XDG_CACHE_HOME:-$HOME/.cache}/cxone-auth/env-parsers. CI runs this script
# and then the tests with CXONE_REQUIRE_PARSERS=1, so a reader that is missing fails the run.
set -euo pipefail

dir=${CXONE_ENV_PARSERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cxone-auth/env-parsers}
# Pinned so that the table in docs/export.md stays true: a new version is a deliberate change.
node_dotenv=18.0.10

need=()
for pkg in dash python3-dotenv; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

have=$(node -p "require('$dir/node_modules/dotenv/package.json').version" 2>/dev/null || true)
if [ "$have" != "$node_dotenv" ]; then
  mkdir -p "$dir"
  # --prefix keeps npm from installing into some package.json found further up.
  npm install --prefix "$dir" --no-audit --no-fund --no-save --silent "dotenv@$node_dotenv" >/dev/null
fi

echo "env-file readers ready: dash, python3-dotenv, node dotenv $node_dotenv in $dir"
