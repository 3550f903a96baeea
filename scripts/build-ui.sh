#!/usr/bin/env bash
# Builds the Yew interface to ui/dist with Debian's rustc-web (wasm32, -Zbuild-std),
# wasm-bindgen and wasm-opt. Installs what is missing, once.
# Usage: bash scripts/build-ui.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

WASM_BINDGEN_VERSION=0.2.130
ensure_apt rustc-web cargo-web rust-web-src rust-web-llvm lld-22
ensure_rust
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
ensure_node
ensure_npm_deps ui

section "ui (wasm32)"
(
  cd ui
  export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  unset RUSTUP_TOOLCHAIN
  /usr/bin/cargo build --release --locked
)
WASM=ui/target/wasm32-unknown-unknown/release/allmende-ui.wasm
rm -rf ui/dist && mkdir -p ui/dist
wasm-bindgen --target web --no-typescript --out-dir ui/dist --out-name allmende_ui "$WASM"
ui/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-reference-types --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals ui/dist/allmende_ui_bg.wasm -o ui/dist/allmende_ui_bg.wasm
cp ui/index.html ui/style.css icons/icon.svg ui/dist/
gzip -9 -c ui/dist/allmende_ui_bg.wasm | wc -c | awk '{printf "ui/dist: wasm %d bytes gzipped\n", $1}'
