#!/usr/bin/env bash
# Installs the real servers the tests run against (Debian/Ubuntu, as root): Prosody with
# lua-unbound (its DNS-free name resolution for *.test) and ejabberd as XMPP peers, dnsmasq
# as the real DNS server that SRV tests query, redis-server as the cluster's shared state,
# and Chromium for the status page's browser test (playwright-core drives the system binary).
# The packaged system services are kept from starting: they would take ports
# 5222/5269/6379 on every address, and the tests run their own instances on 127.0.0.x.
set -euo pipefail

packages=(prosody lua-unbound ejabberd openssl dnsmasq-base redis-server chromium)
missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-peers: ${packages[*]} already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-peers: run as root to apt-get install ${missing[*]}" >&2
  exit 1
fi

policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
