#!/usr/bin/env bash
# kill -9 at any moment loses nothing (issue 19): a `moesim sweep` process
# killed while it evaluates, again and again, and a folder left as a kill
# during the final rewrite leaves it (the journal whole, half-written
# temporaries, the final files missing), each resumed by the same command to
# results byte-identical to an uninterrupted run.
# Usage: kill_resume.sh MOESIM_BINARY SOURCE_DIR
set -euo pipefail
moesim=$1
src=$2
source "$(dirname "$0")/resume_setup.sh"

same() {
  cmp "$work/full/results.csv" "$1/results.csv"
  cmp "$work/full/results.jsonl" "$1/results.jsonl"
  cmp "$work/full/summary.md" "$1/summary.md"
  if ls "$1" | grep -q moesim-tmp; then echo "temporaries left in $1"; exit 1; fi
}

# 1. Killed while evaluating, three times at different moments, then finished.
for wait_s in 0.1 0.3 0.05; do
  "$moesim" sweep "$work/spec.json" --out "$work/cut" -j 2 --quiet > /dev/null 2>&1 &
  pid=$!
  sleep "$wait_s"
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
done
"$moesim" sweep "$work/spec.json" --out "$work/cut" -j 2 --quiet > /dev/null
same "$work/cut"

# 2. As a kill during the final rewrite leaves it: the journal whole (here
# in completion order, as before any rewrite), a half-written sorted copy and
# sort run beside it, results.csv and summary.md not yet renamed into place.
cp -r "$work/full" "$work/rewrite"
shuf --random-source=<(yes) "$work/full/results.jsonl" > "$work/rewrite/results.jsonl"
head -c 100000 "$work/full/results.jsonl" > "$work/rewrite/results.jsonl.moesim-tmp"
head -c 5000 /dev/urandom > "$work/rewrite/sort-run-0.moesim-tmp"
rm "$work/rewrite/results.csv" "$work/rewrite/summary.md"
"$moesim" sweep "$work/spec.json" --out "$work/rewrite" -j 2 --quiet > /dev/null
same "$work/rewrite"

# 3. Killed after the sorted journal was renamed, before the CSV was: the
# rerun finds every point done and writes the rest.
cp -r "$work/full" "$work/late"
rm "$work/late/results.csv"
"$moesim" sweep "$work/spec.json" --out "$work/late" -j 2 --quiet > /dev/null
same "$work/late"
echo "killed and resumed (evaluation x3, final rewrite, after the rename): identical results"
