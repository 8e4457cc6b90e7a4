#!/usr/bin/env bash
# Build the C++ core with AddressSanitizer + UndefinedBehaviorSanitizer (CMake option ACCELSIM_SANITIZE)
# and run under it:
#   1. the C++ unit tests (ctest), with LeakSanitizer on: a leak, an out-of-bounds access or any
#      undefined behaviour fails the run;
#   2. a Python smoke test (tools/sanitize_smoke.py) and the quick fuzz properties
#      (tests/engine/test_fuzz.py, or $SANITIZE_PYTEST), importing the sanitized _core with libasan preloaded. Leak detection is
#      off there: CPython itself does not free everything at exit; leaks of the core are covered by (1)
#      and by the RSS check in tools/sanitize_smoke.py.
# Any sanitizer report ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer") fails the
# script even if the process exited 0.  Usage: tools/sanitize.sh [build-dir]   (PYTHON= to pick python; the default
# is the checkout's .venv when there is one -- it has the test extras, pytest-xdist among them -- else python3)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BUILD="${1:-$ROOT/build-sanitize}"
if [ -z "${PYTHON:-}" ] && [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; fi
PY="${PYTHON:-python3}"
LOG="$BUILD/sanitize.log"

if ! "$PY" -c "import pybind11" 2>/dev/null; then "$PY" -m pip install -q "pybind11>=2.12"; fi
if ! command -v cmake >/dev/null; then "$PY" -m pip install -q cmake; fi
GEN=()
if command -v ninja >/dev/null; then GEN=(-G Ninja); fi

cmake -S . -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -fno-builtin" \
  -DACCELSIM_SANITIZE=ON -DACCELSIM_BUILD_TESTS=ON -DACCELSIM_BUILD_PYTHON=ON \
  -DPython_EXECUTABLE="$(command -v "$PY")" \
  -Dpybind11_DIR="$("$PY" -c 'import pybind11; print(pybind11.get_cmake_dir())')" >/dev/null
cmake --build "$BUILD" -j 2
: >"$LOG"

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
echo "== C++ unit tests under ASan + UBSan + LSan"
(cd "$BUILD" && ctest --output-on-failure) 2>&1 | tee -a "$LOG"

echo "== Python smoke test with the sanitized core"
PKG="$BUILD/pkg"
rm -rf "$PKG" && mkdir -p "$PKG"
cp -r "$ROOT/python/accelsim" "$PKG/"
rm -f "$PKG"/accelsim/_core*.so
cp "$BUILD"/_core*.so "$PKG/accelsim/"
# libasan first; libstdc++ preloaded too, or ASan's __cxa_throw interceptor finds no real __cxa_throw
# (python itself does not link libstdc++) and the first C++ exception aborts the process
LIBASAN="$(${CXX:-g++} -print-file-name=libasan.so) $(readlink -f "$(${CXX:-g++} -print-file-name=libstdc++.so)")"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:detect_stack_use_after_return=1"
# pytest's own cache/plugins are not what we test; hypothesis keeps its database out of the tree; -n 0: in
# this process (pyproject's -n auto would hand the tests to workers whose sanitizer reports miss the log)
(cd "$BUILD" && LD_PRELOAD="$LIBASAN" PYTHONPATH="$PKG:$ROOT/tests" "$PY" "$ROOT/tools/sanitize_smoke.py") 2>&1 | tee -a "$LOG"
# the quick fuzz profile (every input-boundary case kind, a share of them simulating); more files with
# SANITIZE_PYTEST="tests/engine/test_fuzz.py tests/engine/test_hardening.py ..."
(cd "$ROOT" && LD_PRELOAD="$LIBASAN" PYTHONPATH="$PKG" "$PY" -m pytest -q -n 0 -p no:cacheprovider \
  ${SANITIZE_PYTEST:-tests/engine/test_fuzz.py}) 2>&1 | tee -a "$LOG"

if grep -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer" "$LOG"; then
  echo "sanitize.sh: sanitizer reports found (see $LOG)" >&2
  exit 1
fi
echo "sanitize.sh: clean (zero sanitizer reports)"
