# Shared helpers for the project's scripts (sourced, not run).

# A stage's heading, with the minutes since the script started (where CI time goes).
section() { printf '\n== %s == (%dm%02ds)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }

# The Rust toolchain: rustup's stable with rustfmt and clippy.
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
      export PATH="$HOME/.cargo/bin:$PATH"
    else
      echo "cargo is missing: install Rust from https://rustup.rs first" >&2
      exit 1
    fi
  fi
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      rustup component add "$component"
    fi
  done
}

# Debian packages, installed only when missing.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# Node.js and npm (Debian's, unless one is installed already).
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ensure_apt nodejs npm
  fi
}

# npm packages of a folder, installed at the locked versions once (skipped when up to date).
# `npm install` rather than `npm ci`: npm 11 leaves cbor-extract's optional platform packages
# out of the lock file and then refuses `npm ci` on it.
ensure_npm_deps() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.allmende-lock"; then
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.allmende-lock)
  fi
}

# What building the desktop app (a workspace member) needs: Tauri's Linux packages.
ensure_app_build_deps() {
  ensure_apt libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev \
    libsoup-3.0-dev libjavascriptcoregtk-4.1-dev build-essential pkg-config libssl-dev file
}
