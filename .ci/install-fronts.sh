#!/usr/bin/env bash
# The front servers of the e2e/fronts suite, from Debian packages with their stock limits: nginx,
# Apache, HAProxy, Caddy, and openssl for the HTTP/2 (TLS) certificate. The suite runs each binary
# itself on a loopback port with a config of its own (e2e/fronts/servers.ts); the system services
# the packages ship are never wanted, so none may start on :80/:443. Needs root, as `apt-get` does.
set -euo pipefail
packages=(nginx apache2 haproxy caddy openssl)
services=(nginx apache2 apache-htcacheclean haproxy caddy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

stop_services() {
  # Stop and disable whatever the packages' maintainer scripts may have started: through the init
  # system where one runs, then by the packages' own pid files, then by PID of any of these
  # binaries still listening on :80/:443 (Caddy keeps no pid file).
  for s in "${services[@]}"; do
    [ -e "/lib/systemd/system/$s.service" ] || [ -e "/etc/init.d/$s" ] || continue
    service "$s" stop >/dev/null 2>&1 || true
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      systemctl disable --now "$s" >/dev/null 2>&1 || true
    else
      systemctl disable "$s" >/dev/null 2>&1 || true
    fi
    command -v update-rc.d >/dev/null && update-rc.d "$s" disable >/dev/null 2>&1 || true
  done
  for pidfile in /run/nginx.pid /run/apache2/apache2.pid /run/haproxy.pid /run/caddy.pid; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      echo "fronts: stopping pid $pid of $pidfile"
      kill "$pid" || true
    fi
  done
  if command -v ss >/dev/null; then
    for pid in $(ss -Hltnp 'sport = :80 or sport = :443' 2>/dev/null |
      grep -oE '"(nginx|apache2|haproxy|caddy)",pid=[0-9]+' | grep -oE '[0-9]+$' | sort -u); do
      echo "fronts: stopping pid $pid listening on :80/:443"
      kill "$pid" || true
    done
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "fronts: ${packages[*]} already installed"
  stop_services
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Forbid the maintainer scripts to start the services; remove the policy only if it is ours.
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
apt-get install -y --no-install-recommends "${missing[@]}"
stop_services
