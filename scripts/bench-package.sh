#!/usr/bin/env bash
# Package benchmarks: the size of each package, and the time from starting the installed
# desktop app to the demo's home screen (smoke mode, under Xvfb) in a clean Debian 12 root,
# against the same binary started from the build tree on this machine in the same run.
# Builds release packages first (scripts/package.sh). Needs root, debootstrap, unshare.
# Usage: bash scripts/bench-package.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
runs="${1:-5}"
bash scripts/package.sh >/dev/null
ensure_apt debootstrap xvfb xauth bc
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
app_deb="target/packages/allmende_${version}_amd64.deb"
relay_deb="target/packages/allmende-relay_${version}_amd64.deb"
cargo build --release --locked --bin allmende >/dev/null

work="$(mktemp -d -p target)"
trap 'rm -rf "$work"' EXIT
tarball=target/clean-root/bookworm-minbase.tar
if [ ! -f "$tarball" ]; then
  mkdir -p target/clean-root "$work/boot"
  debootstrap --variant=minbase bookworm "$work/boot" http://deb.debian.org/debian >/dev/null
  tar -C "$work/boot" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
fi
root="$work/root"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$app_deb" "$root/tmp/"
in_root() {
  unshare --mount --propagation private --fork --kill-child sh -c \
    "mount -t proc proc '$root/proc'; mount -t sysfs sys '$root/sys'; mount --rbind /dev '$root/dev'; exec chroot '$root' /bin/sh -c \"\$0\"" "$1"
}
in_root "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$app_deb") xvfb xauth" >/dev/null
target/release/allmende --data "$root/root/allmende" demo >/dev/null

# Seconds from start until the window reported the home screen (the app exits right then).
time_run() {
  local start end
  start=$(date +%s.%N)
  "$@" | grep -q "SMOKE Grünhausen"
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.2f", m}'; }
installed=$(for _ in $(seq "$runs"); do
  time_run in_root "ALLMENDE_DATA=/root/allmende ALLMENDE_SMOKE=1 ALLMENDE_NO_LAN=1 xvfb-run -a allmende-app"
done | median)
tree=$(for _ in $(seq "$runs"); do
  time_run env ALLMENDE_DATA="$root/root/allmende" ALLMENDE_SMOKE=1 ALLMENDE_NO_LAN=1 \
    xvfb-run -a target/release/allmende-app
done | median)
installed_kb=$(dpkg-deb -f "$app_deb" Installed-Size)
relay_kb=$(dpkg-deb -f "$relay_deb" Installed-Size)
echo "| measure | value | baseline (same run) | ratio |"
echo "|---|---|---|---|"
echo "| desktop app .deb (download) | $(( $(stat -c %s "$app_deb") / 1024 )) KiB | | |"
echo "| desktop app installed (without WebKitGTK) | ${installed_kb} KiB | | |"
echo "| relay .deb (download) | $(( $(stat -c %s "$relay_deb") / 1024 )) KiB | | |"
echo "| relay installed | ${relay_kb} KiB | | |"
echo "| start to the demo's home screen, median of $runs (s) | $installed (installed, clean Debian 12 root) | $tree (build tree, this machine) | $(echo "$installed / $tree" | bc -l | xargs printf '%.2f') |"
