#!/usr/bin/env bash
# Installs what hub needs on Debian 12 with Node 20, then builds it.
#   scripts/install-deps.sh          what a hub needs to run (jupyterhub-singleuser for users' servers, PAM headers)
#   scripts/install-deps.sh --test   plus what the tests need (PostgreSQL, Chromium, configurable-http-proxy, tmux)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

# util-linux: setpriv (servers run as their user); passwd: useradd for create_system_users
pkgs=(jupyterhub python3-ipykernel libpam0g-dev build-essential python3 util-linux passwd)
# procps: pkill/pgrep in tests; systemd: systemd-analyze verifies contrib/hub.service; sqlite3: another process
# locking the hub's database; e2fsprogs: chattr for a read-only database file
[ "$want_tests" = 1 ] && pkgs+=(postgresql chromium node-configurable-http-proxy tmux openssl procps systemd sqlite3 e2fsprogs)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" != 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# PostgreSQL's Debian package starts a cluster where systemd runs; the tests start their own server instead.

# npm 11 runs install scripts only for approved packages (package.json allowScripts): sqlite3 builds from source.
npm ci --no-audit --no-fund
npm run build
