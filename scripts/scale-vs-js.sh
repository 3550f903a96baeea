#!/usr/bin/env bash
# A town of N ideas, first uploaded and then joined by a fresh device: Allmende (release
# `allmende` through `allmende-relay`) against, in the same run, the official JavaScript
# automerge-repo client with its Node filesystem storage through the official sync server,
# syncing the very same documents (exported from Allmende's store after its upload).
# Prints a Markdown table: time, peak RSS of the client process, bytes it received.
# Usage: [BIN=dir] scripts/scale-vs-js.sh [N]   (default 1000; needs tests/js's npm packages)
set -euo pipefail
N=${1:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
ensure_node
ensure_apt sqlite3 bc time
ensure_npm_deps "$root/tests/js"
if [ -n "${BIN:-}" ]; then
  B="$BIN"
else
  cargo build --release -q -p allmende-cli -p allmende-relay --bins --manifest-path "$root/Cargo.toml"
  B="$root/target/release"
fi
W=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
JSPORT=$((PORT + 1))
"$B/allmende-relay" --listen 127.0.0.1:$PORT --data "$W/relay" > "$W/relay.log" 2>&1 &
RP=$!
(cd "$root/tests/js" && exec node interop.mjs server "$JSPORT" "$W/jsserver") > "$W/js.log" 2>&1 &
JP=$!
trap 'kill $RP $JP 2>/dev/null; rm -rf "$W"' EXIT
until grep -q listening "$W/js.log" 2>/dev/null; do sleep 0.1; done
A=("$B/allmende" --data "$W/a" --lang en)
BEN=("$B/allmende" --data "$W/b" --lang en)
"${A[@]}" init --name Grossstadt --kind town --admin-name Anna > /dev/null
"${A[@]}" dev write-ideas --count "$N" > /dev/null

# "seconds rss_kb bytes" of one Allmende command.
ours() {
  local s e
  s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$W/rss" "$@" > "$W/out" 2>&1 || { cat "$W/out" >&2; exit 1; }
  e=$(date +%s.%N)
  printf '%s %s %s\n' "$(echo "$e - $s" | bc)" "$(cat "$W/rss")" \
    "$(grep -o '[0-9]* B received' "$W/out" | head -1 | cut -d' ' -f1)"
}
# "seconds rss_kb bytes documents" of one JS client run.
theirs() {
  (cd "$root/tests/js" && node scale-baseline.mjs "$@") | python3 -c \
    'import json,sys; r=json.loads(sys.stdin.read()); print(r["seconds"], r["rss_kb"], r["bytes"], r["documents"], r.get("retried", 0))'
}

read -r up_s up_rss _ <<< "$(ours "${A[@]}" sync --relay ws://127.0.0.1:$PORT --timeout 60)"
TOKEN=$("${A[@]}" invite --name Ben | tail -1)
"${A[@]}" sync > /dev/null
read -r join_s join_rss join_bytes <<< "$(ours "${BEN[@]}" join "$TOKEN" --timeout 60)"
docs_a=$(sqlite3 "$W/a/allmende.db" 'SELECT count(*) FROM docs')
docs_b=$(sqlite3 "$W/b/allmende.db" 'SELECT count(*) FROM docs')

# The same documents for the JavaScript client: each one's stored chunks, concatenated.
mkdir -p "$W/docs"
python3 - "$W/a/allmende.db" "$W/docs" <<'PY'
import sqlite3, sys, os
db, out = sys.argv[1], sys.argv[2]
docs = {}
for doc, data in sqlite3.connect(db).execute("SELECT doc, data FROM chunks ORDER BY doc, seq"):
    docs.setdefault(doc, bytearray()).extend(data)
for doc, data in docs.items():
    open(os.path.join(out, doc), "wb").write(data)
PY
ls "$W/docs" > "$W/ids"
read -r jup_s jup_rss _ _ _ <<< "$(theirs upload "ws://127.0.0.1:$JSPORT" "$W/jsa" "$W/docs" "$W/jsserver")"
read -r jjoin_s jjoin_rss jjoin_bytes jjoin_docs jjoin_retried <<< "$(theirs join "ws://127.0.0.1:$JSPORT" "$W/jsb" "$W/ids")"

ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
echo "| $N ideas ($docs_a documents) | Allmende | JS client + JS sync server (same documents, same run) | ratio |"
echo "|---|---|---|---|"
printf '| first upload: time | %.2f s | %.2f s | %s× |\n' "$up_s" "$jup_s" "$(ratio "$up_s" "$jup_s")"
printf '| first upload: client peak RSS | %d MB | %d MB | %s× |\n' "$((up_rss / 1024))" "$((jup_rss / 1024))" "$(ratio "$up_rss" "$jup_rss")"
printf '| join: time (%s and %s documents arrived; the JS client asked %s times again) | %.2f s | %.2f s | %s× |\n' "$docs_b" "$jjoin_docs" "$jjoin_retried" "$join_s" "$jjoin_s" "$(ratio "$join_s" "$jjoin_s")"
printf '| join: client peak RSS | %d MB | %d MB | %s× |\n' "$((join_rss / 1024))" "$((jjoin_rss / 1024))" "$(ratio "$join_rss" "$jjoin_rss")"
printf '| join: bytes received | %.1f MB | %.1f MB | %s× |\n' "$(echo "$join_bytes / 1000000" | bc -l)" "$(echo "$jjoin_bytes / 1000000" | bc -l)" "$(ratio "$join_bytes" "$jjoin_bytes")"
