#!/usr/bin/env bash
# moesim set-up: installs the Debian packages the project needs (only those
# missing), configures and builds, then runs the main job or the test suite.
#
#   tools/setup.sh run     build, then run the DeepSeek-V3 2048 x H800 headline scenario
#   tools/setup.sh test    build, then run the whole test suite (ctest)
#   tools/setup.sh build   build only
#   tools/setup.sh asan-test  build with AddressSanitizer and UndefinedBehaviorSanitizer
#                          (BUILD_DIR default build-asan; no CUDA, no benchmarks), then
#                          run the whole test suite under them
#
# Environment: BUILD_DIR (default: build), JOBS (default: nproc),
# MOESIM_CMAKE_ARGS (extra CMake arguments, e.g. -DMOESIM_BUILD_GUI=OFF).
# Needs root or sudo only when packages are missing (Debian 12 bookworm).
set -euo pipefail

mode=${1:-run}
case "$mode" in run|test|build|asan-test) ;; *) echo "usage: $0 run|test|build|asan-test" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build_dir=${BUILD_DIR:-build}
[ "$mode" = asan-test ] && build_dir=${BUILD_DIR:-build-asan}
jobs=${JOBS:-$(nproc)}

# Packages: toolchain, libraries and test tools. The CUDA toolkit is not a
# Debian package here: where /usr/local/cuda is absent, kernels/ and real/ are
# skipped with a message at configure time.
packages=(
  build-essential cmake ninja-build pkg-config git
  nlohmann-json3-dev libeigen3-dev libsimgrid-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libxkbcommon-dev
  xvfb xauth libgl1-mesa-dri fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "moesim setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "moesim setup: missing packages (${missing[*]}) and no root or sudo to install them" >&2
      exit 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# CMake finds nvcc in /usr/local/cuda even when it is not on PATH.
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ "$mode" = asan-test ]; then
  # Sanitized: every error stops the test that hit it. Leak checking is off
  # (Qt and SimGrid keep process-lifetime allocations); CUDA code is not
  # sanitized here and the benchmarks are not tests.
  # (GCC 12 sees maybe-uninitialized values in libstdc++'s <regex> once
  # instrumented: a known false positive, kept a warning here.)
  sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
  sanitize+=" -Wno-error=maybe-uninitialized"
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMOESIM_WERROR=ON -DMOESIM_BUILD_CUDA=OFF -DMOESIM_BUILD_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" ${MOESIM_CMAKE_ARGS:-}
else
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DMOESIM_WERROR=ON \
    ${MOESIM_CMAKE_ARGS:-}
fi
cmake --build "$build_dir" -j "$jobs"

case "$mode" in
  run)
    "$build_dir/cli/moesim" run scenarios/deepseek-v3-pretrain-2048xH800.json
    ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
    ;;
  asan-test)
    export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # Sanitized code runs a few times slower: the per-test limit grows to match.
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 1500
    ;;
  build) ;;
esac
