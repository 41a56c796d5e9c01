#!/usr/bin/env bash
# Set-up and demo in one command on a machine with only Node.js (>= 20.19):
# installs pnpm if it is missing, the workspace's dependencies, then runs `pnpm demo`.
# No root needed: the demo binds 127.0.0.4:5269, 127.0.0.5:5269 and 127.0.0.1:8484/8485.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9
if command -v pnpm >/dev/null 2>&1; then
  pnpm=(pnpm)
else
  # npx fetches pnpm into npm's cache: no global install, so no root needed.
  pnpm=(npx --yes "pnpm@$PNPM_VERSION")
fi
"${pnpm[@]}" install --frozen-lockfile
"${pnpm[@]}" demo "$@"
