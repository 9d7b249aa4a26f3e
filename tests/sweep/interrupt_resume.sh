#!/usr/bin/env bash
# A real interruption: SIGINT to a running `moesim sweep` process, then the same
# command again; the result must equal an uninterrupted run, byte for byte.
# Usage: interrupt_resume.sh MOESIM_BINARY SOURCE_DIR
set -euo pipefail
moesim=$1
src=$2
source "$(dirname "$0")/resume_setup.sh"

"$moesim" sweep "$work/spec.json" --out "$work/cut" -j 2 --quiet > /dev/null 2> "$work/err" &
pid=$!
sleep 0.15
kill -INT "$pid" 2> /dev/null || true
status=0
wait "$pid" || status=$?
if [ "$status" -ne 130 ] && [ "$status" -ne 0 ]; then
  echo "interrupted sweep exited with $status, expected 130 (or 0 if it finished first)"; exit 1
fi
if [ "$status" -eq 130 ]; then
  grep -q "run the same command again" "$work/err" || { echo "no resume hint:"; cat "$work/err"; exit 1; }
fi
"$moesim" sweep "$work/spec.json" --out "$work/cut" -j 2 --quiet > /dev/null
cmp "$work/full/results.csv" "$work/cut/results.csv"
cmp "$work/full/results.jsonl" "$work/cut/results.jsonl"
lines=$(wc -l < "$work/cut/results.jsonl")
[ "$lines" -eq 4860 ] || { echo "expected 4860 rows, found $lines"; exit 1; }
echo "interrupted with status $status, resumed to identical results (4860 rows)"
