#!/usr/bin/env bash
# Builds the Tauri desktop app (debug) with the UI, and installs what its tests need:
# Tauri's Linux packages, Xvfb, WebKitWebDriver, tauri-driver and a notification daemon (dunst).
# Usage: bash scripts/build-app.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_rust
ensure_apt libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev \
  libsoup-3.0-dev libjavascriptcoregtk-4.1-dev build-essential pkg-config libssl-dev file \
  xvfb xauth webkit2gtk-driver dbus-x11 at-spi2-core dunst
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked
fi
[ -f ui/dist/index.html ] || bash scripts/build-ui.sh
section "app (Tauri)"
cargo build --manifest-path src-tauri/Cargo.toml --locked
