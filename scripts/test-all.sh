#!/usr/bin/env bash
# Everything the tests need, then the whole suite, in one command (Debian/Ubuntu, as root,
# because the peers come from apt): Prosody, ejabberd, dnsmasq, redis-server, Chromium, pnpm, the workspace's
# dependencies; then lint, build and every test. `.ci/run` calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-peers.sh
command -v pnpm >/dev/null 2>&1 || npm install -g pnpm@10.34.9
pnpm install --frozen-lockfile
pnpm lint
pnpm build
pnpm test
