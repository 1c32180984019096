#!/usr/bin/env bash
# Redis for the store tests (src/store/*.test.ts, the example's store mode in e2e), from Debian's
# redis-server package with its stock limits. The tests run the binary themselves on 127.0.0.1 on
# a free port (src/test-support/redis.ts); the system service the package ships is never wanted,
# so it may not start. Needs root, as `apt-get` does.
set -euo pipefail
if dpkg-query -W -f='${Status}' redis-server 2>/dev/null | grep -q "install ok installed"; then
  echo "redis: redis-server already installed"
else
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  cleanup() { if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi; }
  trap cleanup EXIT
  apt-get update
  apt-get install -y --no-install-recommends redis-server
fi
# The packaged service on :6379, if an init system started it anyway: the tests use their own.
service redis-server stop >/dev/null 2>&1 || true
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
