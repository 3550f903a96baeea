#!/usr/bin/env bash
# Builds the relay's Debian package from a built binary: the program, its systemd unit, the
# commented configuration (a conffile: an upgrade keeps the operator's edits) and the
# maintainer scripts next to this file.
# Usage: bash packaging/relay/build-deb.sh BINARY VERSION OUT_DIR
set -euo pipefail
binary="$1"
version="$2"
out="$3"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/allmende-relay"
install -D -m 0755 "$binary" "$root/usr/bin/allmende-relay"
strip --strip-debug "$root/usr/bin/allmende-relay"
install -D -m 0644 "$repo/sync-relay/allmende-relay.service" "$root/lib/systemd/system/allmende-relay.service"
install -D -m 0644 "$repo/sync-relay/relay.example.toml" "$root/etc/allmende-relay/relay.toml"
install -D -m 0644 "$repo/sync-relay/relay.example.toml" "$root/usr/share/doc/allmende-relay/relay.example.toml"
# The licence's full text goes into the copyright file (the AGPL is not among Debian's
# common-licenses): one space before each line, " ." for an empty one.
install -d "$root/usr/share/doc/allmende-relay"
{
  cat "$here/copyright"
  sed -e 's/^$/./' -e 's/^/ /' "$repo/LICENSE"
} > "$root/usr/share/doc/allmende-relay/copyright"
chmod 0644 "$root/usr/share/doc/allmende-relay/copyright"
install -d "$root/DEBIAN"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$root/DEBIAN/$script"
done
echo /etc/allmende-relay/relay.toml > "$root/DEBIAN/conffiles"

# The shared libraries the binary needs, as package dependencies (dpkg-shlibdeps wants a
# debian/control to read; a one-line one will do).
mkdir -p "$stage/debian"
printf 'Source: allmende-relay\n\nPackage: allmende-relay\nArchitecture: any\n' > "$stage/debian/control"
depends="$(cd "$stage" && dpkg-shlibdeps -O "$root/usr/bin/allmende-relay" | sed -n 's/^shlibs:Depends=//p')"
if [ -z "$depends" ]; then
  echo "dpkg-shlibdeps found no dependencies for the relay binary" >&2
  exit 1
fi
size_kb="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@DEPENDS@/$depends/" -e "s/@SIZE@/$size_kb/" \
  "$here/control" > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
  > "$root/DEBIAN/md5sums"

mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/allmende-relay_${version}_amd64.deb" >/dev/null
echo "built $out/allmende-relay_${version}_amd64.deb (depends: $depends)"
