#!/usr/bin/env bash
# Install Debian's headless-capable Chromium (and a CJK font so Chinese renders as glyphs, not
# boxes) for the report's browser tests; does nothing when both are already there.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# Without a CJK font Chromium draws 蒲县 as tofu boxes in the screenshots.
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)

if [ ${#need[@]} -eq 0 ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "chromium.sh: needs root to apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq "${need[@]}"
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
