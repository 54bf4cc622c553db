#!/usr/bin/env bash
# Build Agent Chat UI, the standard LangGraph chat front-end, for the browser test.
#
# The UI is npm's create-agent-chat-app template (Vite), at the version
# package.json pins. The template's own package.json asks for ranges and even
# `latest`, which the registry moves under a lock (npm ci then refuses), so it
# is replaced by agent-chat-ui.package.json: the same file with every spec set
# to the version agent-chat-ui.package-lock.json holds. Everything comes from
# the npm registry, no browser is downloaded (the test drives Debian's
# chromium). The result, tests/browser/.build/agent-chat-ui/dist, is rebuilt
# only when one of those files changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/.build/agent-chat-ui"
stamp="$build/.built-from"
wanted="$(cat "$here/package-lock.json" "$here/agent-chat-ui.package.json" \
  "$here/agent-chat-ui.package-lock.json" | sha256sum)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -f "$build/dist/index.html" ]; then
  exit 0
fi
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
rm -rf "$build"
mkdir -p "$build"
cp -r node_modules/create-agent-chat-app/templates/vite/. "$build/"
cp agent-chat-ui.package.json "$build/package.json"
cp agent-chat-ui.package-lock.json "$build/package-lock.json"
cd "$build"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install tsc -b
npx --no-install vite build --logLevel error
echo "$wanted" > "$stamp"
