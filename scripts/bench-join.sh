#!/usr/bin/env bash
# The join of a generated town, two builds side by side on the same town and relay: a new
# device joins with an invite, alternately with BASE's and NEW's `allmende`, PAIRS times.
# Prints each join's time, peak RSS and CPU, and the ratio of the medians.
# Usage: BASE=dir NEW=dir scripts/bench-join.sh [ITEMS] [PAIRS]   (dirs holding release builds
# of `allmende`; the relay is NEW's; default 10000 items, 3 pairs)
set -euo pipefail
N=${1:-10000}
PAIRS=${2:-3}
: "${BASE:?a directory with the baseline build}" "${NEW:?a directory with the build to measure}"
W=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
"$NEW/allmende-relay" --listen 127.0.0.1:$PORT --data "$W/relay" > "$W/relay.log" 2>&1 &
RP=$!
trap 'kill $RP 2>/dev/null; rm -rf "$W"' EXIT
sleep 1
A=("$NEW/allmende" --data "$W/a" --lang en)
"${A[@]}" init --name Grossstadt --kind town --admin-name Anna > /dev/null
"${A[@]}" dev write-town --items "$N" > /dev/null
"${A[@]}" sync --relay ws://127.0.0.1:$PORT --timeout 60 > /dev/null
for i in $(seq 1 $((2 * PAIRS))); do
  "${A[@]}" invite --name "Ben$i" | tail -1 > "$W/token$i"
done
"${A[@]}" sync > /dev/null
join() {
  rm -rf "$W/b"
  /usr/bin/time -f "%e %M %U %S" -o "$W/t" "$1/allmende" --data "$W/b" --lang en \
    join "$(cat "$W/token$2")" --timeout 60 > "$W/out" 2>&1 || cat "$W/out"
  read -r secs kb user sys < "$W/t"
  echo "$secs" >> "$W/$3"
  printf '%-4s join: %6.2f s, %s KB peak RSS, cpu %s+%s s\n' "$3" "$secs" "$kb" "$user" "$sys"
}
for p in $(seq 1 "$PAIRS"); do
  join "$BASE" $((2 * p - 1)) base
  join "$NEW" $((2 * p)) new
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
b=$(median "$W/base"); n=$(median "$W/new")
echo "$N items: median join $b s (base) -> $n s (new), $(echo "scale=2; $n / $b" | bc)x"
