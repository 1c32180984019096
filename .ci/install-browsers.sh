#!/usr/bin/env bash
# The real browsers of the e2e suite, from Debian packages (no browser downloads exist here):
# Chromium (Playwright), Firefox ESR (puppeteer-core over WebDriver BiDi), WebKitGTK (WebKitWebDriver
# under Xvfb). Needs root, as `apt-get` does.
set -euo pipefail
packages=(chromium firefox-esr webkit2gtk-driver xvfb)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "browsers: ${packages[*]} already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
