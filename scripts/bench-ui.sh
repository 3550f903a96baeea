#!/usr/bin/env bash
# UI benchmarks (launch to first interactive home; bundle size; scroll frame time) in headless
# Chromium. Prints a Markdown table; with --write, updates BENCHMARKS.md.
# Usage: bash scripts/bench-ui.sh [--write]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/build-ui.sh >/dev/null
ensure_npm_deps tests/js
cargo build --release --locked --bin allmende
BIN=target/release/allmende
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT
"$BIN" --data "$TMP/demo" demo >/dev/null
"$BIN" --data "$TMP/big" init --name Großstadt --kind town >/dev/null
"$BIN" --data "$TMP/big" dev write-ideas --count 10000 >/dev/null
export ALLMENDE_UI="$PWD/ui/dist"
"$BIN" --data "$TMP/demo" serve --listen 127.0.0.1:0 >"$TMP/demo.out" &
"$BIN" --data "$TMP/big" serve --listen 127.0.0.1:0 >"$TMP/big.out" &
for f in demo big; do until grep -q listening "$TMP/$f.out" 2>/dev/null; do sleep 0.1; done; done
DEMO=$(sed 's/listening on //' "$TMP/demo.out")/
BIG=$(sed 's/listening on //' "$TMP/big.out")/
RESULT=$(cd tests/js && node ui-bench.mjs "$DEMO" "$BIG")
WASM=$(stat -c %s ui/dist/allmende_ui_bg.wasm)
GZ=$(gzip -9 -c ui/dist/allmende_ui_bg.wasm | wc -c)
JS=$(gzip -9 -c ui/dist/allmende_ui.js | wc -c)
TABLE=$(python3 - "$RESULT" "$WASM" "$GZ" "$JS" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); wasm, gz, js = map(int, sys.argv[2:5])
print("| measure | Allmende | baseline (same run) | ratio |")
print("|---|---|---|---|")
print(f"| launch → interactive home, demo community | {r['demo']} ms | {r['base']} ms (static file from the same server) | {r['demo']/max(r['base'],1):.1f}× |")
print(f"| launch → interactive home, 10,000 items | {r['big']} ms | {r['base']} ms | {r['big']/max(r['base'],1):.1f}× |")
print(f"| wasm bundle | {gz/1024:.0f} KiB gzipped ({wasm/1024:.0f} KiB raw) + {js/1024:.0f} KiB JS gzipped | goal < 1 MiB gzipped (issue 16) | {(gz+js)/1048576:.2f} of the goal |")
print(f"| scrolling the ideas board ({r['cards']} entries), frame time | median {r['list']['median']:.1f} ms, p95 {r['list']['p95']:.1f} ms | median {r['baseline']['median']:.1f} ms, p95 {r['baseline']['p95']:.1f} ms (static list of 1,000) | {r['list']['p95']/max(r['baseline']['p95'],0.1):.2f}× (p95) |")
PY
)
echo "$TABLE"
if [ "${1:-}" = "--write" ]; then
  python3 - "$TABLE" <<'PY'
import sys, re
table = sys.argv[1] + "\n"
text = open("BENCHMARKS.md").read()
b, e = "<!-- ui:begin -->", "<!-- ui:end -->"
if b in text and e in text:
    text = text[:text.index(b)] + b + "\n" + table + text[text.index(e):]
else:
    text += f"\n{b}\n{table}{e}\n"
open("BENCHMARKS.md", "w").write(text)
PY
fi
