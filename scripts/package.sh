#!/usr/bin/env bash
# Builds the packages people and town IT install, into target/packages/:
#   allmende_VERSION_amd64.deb        the desktop app (Tauri's bundler: the program, its
#                                     desktop entry and icons, dependencies on WebKitGTK)
#   allmende-relay_VERSION_amd64.deb  the relay as a systemd service (packaging/relay/)
#   Allmende_VERSION_amd64.AppImage   only with --appimage: Tauri's bundler downloads linuxdeploy
#                                     and the AppImage runtime from GitHub, which this project's
#                                     build machine cannot reach (the release workflow does it)
# Usage: bash scripts/package.sh [--debug] [--appimage]
#   --debug  packages the debug builds the tests made already (minutes less; what CI installs);
#            without it, optimised release builds (what people download).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

profile=release
appimage=no
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug ;;
    --appimage) appimage=yes ;;
    *) echo "unknown option: $arg (use --debug, --appimage)" >&2; exit 2 ;;
  esac
done
ensure_rust
ensure_node
ensure_apt dpkg-dev file
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
# One version everywhere: the workspace's, the app crate's and the bundle's.
for other in "$(sed -n 's/^version = "\(.*\)"/\1/p' src-tauri/Cargo.toml | head -1)" \
  "$(sed -n 's/^  "version": "\(.*\)",/\1/p' src-tauri/tauri.conf.json)"; do
  if [ "$other" != "$version" ]; then
    echo "version mismatch: Cargo.toml says $version, src-tauri has $other" >&2
    exit 1
  fi
done
out="target/packages"
mkdir -p "$out"

section "desktop app ($profile): .deb"
[ -f ui/dist/index.html ] || bash scripts/build-ui.sh
# The app's build dependencies (WebKitGTK and friends) come with build-app.sh's list.
ensure_app_build_deps
ensure_npm_deps src-tauri
bundles=deb
[ "$appimage" = yes ] && bundles=deb,appimage
if [ "$profile" = release ]; then
  # Tauri's own build: the release binary with the interface served from inside it
  # (tauri/custom-protocol); its symbol table stripped (11 MB of 50), then the bundles.
  (cd src-tauri && npx --no-install tauri build --no-bundle)
  strip target/release/allmende-app
  (cd src-tauri && npx --no-install tauri bundle --bundles "$bundles")
else
  # The debug binary the tests built and ran (build-app.sh); `tauri bundle` packages that
  # very binary instead of building a second one in Tauri's production mode.
  cargo build --workspace --bins --locked
  (cd src-tauri && npx --no-install tauri bundle --debug --bundles "$bundles")
fi
cp "target/$profile/bundle/deb/Allmende_${version}_amd64.deb" "$out/allmende_${version}_amd64.deb"
if [ "$appimage" = yes ]; then
  cp "target/$profile/bundle/appimage/Allmende_${version}_amd64.AppImage" "$out/"
fi

section "relay ($profile): .deb"
if [ "$profile" = release ]; then
  cargo build -p allmende-relay --bin allmende-relay --locked --release
else
  # The build the tests made (scripts/test.sh): `-p allmende-relay` alone unifies the
  # dependencies' features differently and would build them all again (3 minutes in CI).
  cargo build --workspace --bins --locked
fi
bash packaging/relay/build-deb.sh "target/$profile/allmende-relay" "$version" "$out"

section "packages"
ls -l "$out"/*.deb "$out"/*.AppImage 2>/dev/null || true
