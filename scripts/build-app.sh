#!/usr/bin/env bash
# Builds the Tauri desktop app (debug) with the UI, and installs what its tests need:
# Tauri's Linux packages, Xvfb, WebKitWebDriver, tauri-driver and a notification daemon (dunst).
# The app is a member of the root workspace (not a default one), built into the one target/.
# Usage: bash scripts/build-app.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_rust
ensure_app_build_deps
ensure_apt xvfb xauth webkit2gtk-driver dbus-x11 at-spi2-core dunst
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked
fi
[ -f ui/dist/index.html ] || bash scripts/build-ui.sh
section "app (Tauri)"
# With --workspace, as scripts/test.sh builds: the same features, so the same builds of the
# shared dependencies, and nothing is compiled twice.
cargo build --workspace --bins --locked
