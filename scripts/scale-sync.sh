#!/usr/bin/env bash
# A town of N ideas through a real relay with release builds: first upload, a new device
# joining with an invite, a nothing-new sync on each side. Prints time, peak RSS (KB) and
# bytes per step. Usage: [BIN=dir] scripts/scale-sync.sh [N] [ideas|town]   (default 10000 ideas;
# "town" writes a generated town of N items: ideas, events, posts, organisations, projects,
# N/5 members and 2N comments, `allmende dev write-town`)
set -euo pipefail
N=${1:-10000}
KIND=${2:-ideas}
root=$(cd "$(dirname "$0")/.." && pwd)
# BIN=dir runs binaries built elsewhere (an earlier commit, as a same-run baseline).
if [ -n "${BIN:-}" ]; then
  B="$BIN"
else
  cargo build --release -q -p allmende-cli -p allmende-relay --bins --manifest-path "$root/Cargo.toml"
  B="$root/target/release"
fi
W=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
"$B/allmende-relay" --listen 127.0.0.1:$PORT --data "$W/relay" > "$W/relay.log" 2>&1 &
RP=$!
trap 'kill $RP 2>/dev/null; rm -rf "$W"' EXIT
sleep 1
A=("$B/allmende" --data "$W/a" --lang en)
BEN=("$B/allmende" --data "$W/b" --lang en)
"${A[@]}" init --name Grossstadt --kind town --admin-name Anna > /dev/null
if [ "$KIND" = town ]; then
  "${A[@]}" dev write-town --items "$N" > /dev/null
else
  "${A[@]}" dev write-ideas --count "$N" > /dev/null
fi
step() {
  local s e
  s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$W/rss" "$@" > "$W/out" 2>&1 || cat "$W/out"
  e=$(date +%s.%N)
  printf '%.2f s, %s KB peak RSS, %s\n' "$(echo "$e - $s" | bc)" "$(cat "$W/rss")" \
    "$(grep -o '[0-9]* B sent, [0-9]* B received' "$W/out" | head -1)"
}
echo "$KIND: $N"
echo "upload:            $(step "${A[@]}" sync --relay ws://127.0.0.1:$PORT --timeout 60)"
TOKEN=$("${A[@]}" invite --name Ben | tail -1)
"${A[@]}" sync > /dev/null
echo "join:              $(step "${BEN[@]}" join "$TOKEN" --timeout 60)"
echo "documents joined:  $(sqlite3 "$W/b/allmende.db" 'SELECT count(*) FROM docs' 2>/dev/null || echo '?') of $(sqlite3 "$W/a/allmende.db" 'SELECT count(*) FROM docs' 2>/dev/null || echo '?')"
echo "nothing new (Ben): $(step "${BEN[@]}" sync --timeout 60)"
echo "after Ben joined (Anna): $(step "${A[@]}" sync --timeout 60)"
"${BEN[@]}" idea add --title "Repair-Café" --category energy > /dev/null
"${BEN[@]}" sync > /dev/null
echo "one new idea (Anna):     $(step "${A[@]}" sync --timeout 60)"
echo "nothing new (Anna): $(step "${A[@]}" sync --timeout 60)"
