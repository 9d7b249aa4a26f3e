#!/usr/bin/env bash
# Coverage-guided fuzzing of moesim's input parsers (issue 19): builds the five
# libFuzzer targets with clang in BUILD_DIR (default build-fuzz) and runs each
# for RUNS executions (default 2,600,000: over 10M in all), or for SECONDS each
# when that is set, new inputs kept in
# a scratch folder (the checked-in seed corpora are not modified). Prints each
# fuzzer's executions, wall time and rate; exits non-zero on any crash, with
# libFuzzer's reproducer kept in BUILD_DIR/fuzz-artifacts/.
#   tools/fuzz.sh            all five
#   tools/fuzz.sh sweep_spec one of: scenario hf_config calibration_profile sweep_spec kineto_trace
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build_dir=${BUILD_DIR:-build-fuzz}
runs=${RUNS:-2600000}
limit=(-runs="$runs")
[ -n "${SECONDS_EACH:-}" ] && limit=(-max_total_time="$SECONDS_EACH")
command -v clang++ >/dev/null || { echo "tools/fuzz.sh needs clang++ (apt-get install clang)" >&2; exit 1; }
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
    -DMOESIM_LIBFUZZER=ON -DMOESIM_BUILD_GUI=OFF -DMOESIM_BUILD_CUDA=OFF -DMOESIM_BUILD_BENCH=OFF \
    > /dev/null
fi
targets=(${1:-scenario hf_config calibration_profile sweep_spec kineto_trace})
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target "${targets[@]/%/_fuzzer}"
declare -A seeds=([scenario]=corpus [hf_config]=corpus-hf [calibration_profile]=corpus-profile
                  [sweep_spec]=corpus-sweep [kineto_trace]=corpus-trace)
scratch=$(mktemp -d)
mkdir -p "$build_dir/fuzz-artifacts"  # crash reproducers, kept
trap 'rm -rf "$scratch"' EXIT
total=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  start=$(date +%s.%N)
  log="$scratch/$t.log"
  if ! "$build_dir/tests/fuzz/${t}_fuzzer" "${limit[@]}" -rss_limit_mb=2048 -timeout=10 \
       -artifact_prefix="$build_dir/fuzz-artifacts/" "$scratch/$t" "tests/fuzz/${seeds[$t]}" > "$log" 2>&1; then
    tail -40 "$log"; echo "fuzzer $t failed (log above)" >&2; exit 1
  fi
  took=$(echo "$(date +%s.%N) - $start" | bc)
  done_runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' | tail -1)
  total=$((total + done_runs))
  printf '%-20s %10d execs  %7.1f s  %8.0f execs/s  corpus %s inputs\n' "$t" "$done_runs" "$took" \
    "$(echo "$done_runs / $took" | bc -l)" "$(ls "$scratch/$t" | wc -l)"
done
echo "total: $total executions, no crash"
