#!/usr/bin/env bash
# Runs every check and test of the project, fast suites first. Installs what is missing.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_rust
section "format"
cargo fmt --all -- --check
cargo fmt --manifest-path ui/Cargo.toml -- --check
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
section "the interface and the app's system packages (the app's build embeds ui/dist)"
# The desktop app is a member of the workspace, so `--workspace` below lints, builds and
# tests it with everything else in one target/; it needs GTK/WebKit and the built interface.
ensure_app_build_deps
bash scripts/build-ui.sh
section "lint"
# No import cycle between the modules of any crate (cargo forbids them between crates).
ensure_apt python3
python3 scripts/module-cycles.py
cargo clippy --workspace --all-targets --locked -- -D warnings
# The fuzz targets' own workspace, on the same target directory (shared dependencies).
CARGO_TARGET_DIR=target cargo clippy --manifest-path fuzz/Cargo.toml --all-targets --locked -- -D warnings
# The interface's own workspace, linted and unit-tested on the host (its pure parts: the
# address, translations); the wasm build itself is scripts/build-ui.sh.
cargo clippy --manifest-path ui/Cargo.toml --target-dir target/ui-host --all-targets --locked -- -D warnings
cargo test --manifest-path ui/Cargo.toml --target-dir target/ui-host --locked
section "build"
cargo build --workspace --bins --locked
section "unit, property and system tests"
cargo test --workspace --locked
section "interoperability with the official JavaScript automerge-repo"
ensure_node
ensure_npm_deps tests/js
cargo test --workspace --test tests --locked -- --ignored interop::
section "peer to peer on a local network: two network namespaces (needs root)"
# tc (iproute2) and nftables make a slow, lossy link for the sync-over-a-bad-network test.
ensure_apt iproute2
ensure_apt nftables
if ip netns add allmende-probe 2>/dev/null && ip netns del allmende-probe; then
  cargo test --workspace --test tests --locked -- --ignored --nocapture lan::
else
  echo "skipped: this machine does not allow network namespaces (ip netns)"
fi
section "fuzzing: every decoder a stranger reaches, 15 s per target (cargo fuzz, nightly)"
bash scripts/fuzz.sh 15
section "browser: the UI in headless Chromium (builds the UI first)"
ensure_apt chromium
cargo test --workspace --test tests --locked -- --ignored --nocapture browser::
section "desktop: the Tauri window under Xvfb (smoke and WebDriver)"
bash scripts/build-app.sh
cargo test --workspace --test tests --locked -- --ignored --nocapture --test-threads 1 tauri_app::
section "packages: the .deb files installed with apt into a clean Debian 12 (needs root)"
bash scripts/package.sh --debug
ensure_apt debootstrap systemd
if [ "$(id -u)" -eq 0 ] && unshare --mount --fork true 2>/dev/null; then
  cargo test --workspace --test tests --locked -- --ignored --nocapture --test-threads 1 packages::
else
  echo "skipped: installing into a clean root needs root and mount namespaces (unshare)"
fi
section "done"
echo "all tests passed"
