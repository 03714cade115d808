#!/usr/bin/env bash
# Installs what hub needs on Debian 12 with Node 20, then builds it.
#   scripts/install-deps.sh          what a hub needs to run (jupyterhub-singleuser for users' servers, PAM headers)
#   scripts/install-deps.sh --test   plus what the tests need (PostgreSQL, Chromium, configurable-http-proxy, tmux)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

# Debian 12's own nodejs is 18: hub needs Node 20.12 or newer (with npm), installed before this script runs.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 12) ? 0 : 1)' 2>/dev/null \
  || ! command -v npm >/dev/null; then
  echo "install-deps: hub needs Node.js 20.12 or newer with npm (found: $(node --version 2>/dev/null || echo 'no node'))." >&2
  echo "install-deps: install Node 20 first (e.g. NodeSource's nodejs package, which includes npm), then run this again." >&2
  exit 1
fi

# util-linux: setpriv (servers run as their user); passwd: useradd for create_system_users;
# curl: the README's call of the API over the control socket (not in a minimal Debian 12)
pkgs=(jupyterhub python3-ipykernel libpam0g-dev build-essential python3 util-linux passwd curl)
# procps: pkill/pgrep in tests; systemd: systemd-analyze verifies contrib/hub.service; sqlite3: another process
# locking the hub's database; e2fsprogs: chattr for a read-only database file
[ "$want_tests" = 1 ] && pkgs+=(postgresql chromium node-configurable-http-proxy tmux openssl procps systemd sqlite3 e2fsprogs)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "install-deps: these Debian packages are missing: ${missing[*]}; run this script as root (or install sudo)." >&2
      exit 1
    fi
    SUDO=(sudo)
  fi
  echo "install-deps: apt-get install ${missing[*]} (a few minutes on a fresh machine)"
  "${SUDO[@]}" apt-get update -qq
  # Through env: sudo resets the environment, so a plain DEBIAN_FRONTEND=... before it would not reach apt-get.
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# PostgreSQL's Debian package starts a cluster where systemd runs; the tests start their own server instead.

# package.json allowScripts approves sqlite3's install script (npm 11.16 warns about unapproved ones, npm 12 skips
# them): it fetches or builds sqlite3's native binding.
npm ci --no-audit --no-fund
npm run build
