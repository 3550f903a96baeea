#!/usr/bin/env bash
# Writes the upgrade fixtures of this build's data format (tests/fixtures/format-N): a
# device's data directory and a relay's store, made by this build's own binaries, that every
# later build must open (tests/upgrade.rs). Run once per release that changes a format, and
# commit the result; never regenerate an existing one.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --bins --locked -q
bin=target/debug/allmende
relay_bin=target/debug/allmende-relay
format=$("$bin" --version | sed -n 's/.*data format \([0-9]*\).*/\1/p')
out=tests/fixtures/format-$format
if [ -e "$out" ]; then
  echo "$out exists: fixtures of a released format are never regenerated" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'kill "$relay_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$relay_bin" --listen 127.0.0.1:0 --data "$work/relay" > "$work/relay.out" 2>/dev/null &
relay_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/relay.out" 2>/dev/null && break; sleep 0.1; done
url="ws://$(sed -n 's/^listening on //p' "$work/relay.out")"
a=(--data "$work/peer")
"$bin" "${a[@]}" init --name "Altdorf" --kind village --admin-name "Greta" > /dev/null
idea=$("$bin" "${a[@]}" --json idea add --title "Streuobstwiese am Bach" --category nature | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$bin" "${a[@]}" comment "$idea" --text "Ich bringe Leitern mit." > /dev/null
project=$("$bin" "${a[@]}" --json project add --title "Obstbäume pflanzen" --category nature --from-idea "$idea" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$bin" "${a[@]}" project task-add "$project" --title "Sorten aussuchen" > /dev/null
"$bin" "${a[@]}" event add --title "Pflanztag" --start 2027-03-20T10:00:00+01:00 --end 2027-03-20T14:00:00+01:00 --place "Bachwiese" --category nature > /dev/null
"$bin" "${a[@]}" sync --relay "$url" > /dev/null
kill "$relay_pid"; wait "$relay_pid" 2>/dev/null || true
mkdir -p "$out/peer" "$out/relay"
for db in "$work/peer/allmende.db" "$work/relay/relay.db"; do
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$db"
done
cp "$work/peer/allmende.db" "$out/peer/"
cp "$work/relay/relay.db" "$out/relay/"
echo "wrote $out"
