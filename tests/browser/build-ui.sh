#!/usr/bin/env bash
# Build Agent Chat UI, the standard LangGraph chat front-end, for the browser test.
#
# The UI is npm's create-agent-chat-app template (Vite), at the version
# package.json pins, with its own dependencies locked in
# agent-chat-ui.package-lock.json: everything comes from the npm registry, no
# browser is downloaded (the test drives Debian's chromium). The result,
# tests/browser/.build/agent-chat-ui/dist, is rebuilt only when a lock changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$here/.build/agent-chat-ui"
stamp="$build/.built-from"
wanted="$(cat "$here/package-lock.json" "$here/agent-chat-ui.package-lock.json" | sha256sum)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -f "$build/dist/index.html" ]; then
  exit 0
fi
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
rm -rf "$build"
mkdir -p "$build"
cp -r node_modules/create-agent-chat-app/templates/vite/. "$build/"
cp agent-chat-ui.package-lock.json "$build/package-lock.json"
cd "$build"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install tsc -b
npx --no-install vite build --logLevel error
echo "$wanted" > "$stamp"
