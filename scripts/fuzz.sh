#!/usr/bin/env bash
# Runs every fuzz target for a bounded time over the corpus kept in fuzz/corpus (which the
# run extends), and prints executions per second and in all. A crash fails the run; its
# input is in fuzz/artifacts/TARGET/ and belongs in fuzz/corpus/TARGET/ once fixed (every
# crash becomes a regression test: each run replays the whole corpus first).
# Usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
seconds="${1:-30}"

ensure_rust
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "skipped: cargo fuzz needs a nightly toolchain (rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
cd fuzz
cargo +nightly fuzz build
printf '| target | executions | per second | corpus |\n|---|---|---|---|\n' > last-run.md
for target in $(cargo +nightly fuzz list); do
  mkdir -p "corpus/$target"
  log="$(mktemp)"
  if ! cargo +nightly fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $target failed: see fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
  speed="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
  files="$(ls "corpus/$target" | wc -l)"
  printf '| %s | %s | %s | %s inputs |\n' "$target" "$runs" "$speed" "$files" | tee -a last-run.md
  rm -f "$log"
done
