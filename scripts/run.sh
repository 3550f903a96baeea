#!/usr/bin/env bash
# The main job on embedded defaults: builds Allmende and opens the demo community
# "Grünhausen" (created once in the data directory, then reused).
# Usage: bash scripts/run.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_rust
ensure_apt build-essential pkg-config
DATA="${1:-${ALLMENDE_DATA:-$HOME/.local/share/allmende}}"
cargo build --release --locked --bin allmende
BIN=target/release/allmende
"$BIN" --data "$DATA" demo
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${ALLMENDE_NO_APP:-}" = "" ]; then
  # A desktop is there: open the app on the same data.
  bash scripts/build-app.sh
  ALLMENDE_DATA="$DATA" exec target/debug/allmende-app
fi
echo
echo "Try:  $BIN --data $DATA idea list"
echo "      $BIN --data $DATA project list --running"
echo "      $BIN --data $DATA search baeume"
echo "      $BIN --data $DATA export --format ics"
echo "Browsers: bash scripts/build-ui.sh && $BIN --data $DATA serve --listen 0.0.0.0:8080"
