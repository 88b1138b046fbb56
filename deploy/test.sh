#!/usr/bin/env bash
# Builds wireflow and runs every test: unit (Catch2), integration (real
# binaries, a throw-away PostgreSQL cluster, ZeroMQ on loopback) and browser.
# Ends with one line: "N passed, N failed[, N skipped]". A whole run also
# builds the fuzz targets with clang (build-fuzz/) and runs each briefly.
#
# The test tree is built with AddressSanitizer and UndefinedBehaviorSanitizer
# and warnings as errors, so every test is also a sanitizer run. -O1 is what
# the sanitizers recommend, and compiles much faster than -O2 on a 2-core CI box.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${WIREFLOW_TEST_BUILD:-build-test}

summary() { echo "$1 passed, $2 failed${3:+, $3 skipped}"; }

bash deploy/install-deps.sh || { echo "install-deps failed"; summary 0 1; exit 1; }

# The build's own logs stay inside the build folder (ignored by git).
mkdir -p "$BUILD"
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Doptimization=1 -Ddebug=true >"$BUILD/test-setup.log" 2>&1 || { cat "$BUILD/test-setup.log"; summary 0 1; exit 1; }
fi
if ! ninja -C "$BUILD" >"$BUILD/test-ninja.log" 2>&1; then
  # The free space too: a full disk fails the build with only the compiler's word for it.
  tail -60 "$BUILD/test-ninja.log"; df -h . "${TMPDIR:-/tmp}" 2>/dev/null; summary 0 1; exit 1
fi

bash deploy/build-ui.sh || echo "build-ui failed: the dashboard misses its vendor files"
if [ -f tests/browser/package.json ] && [ ! -d tests/browser/node_modules ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: browser tests will fail"
fi

# One PostgreSQL cluster for the whole run; each test makes its own database.
PGINFO=$(mktemp)
/usr/bin/python3 tests/support/pgcluster.py serve "$PGINFO" &
PGPID=$!
trap 'kill $PGPID 2>/dev/null; wait $PGPID 2>/dev/null; rm -f "$PGINFO"' EXIT
for _ in $(seq 1 300); do [ -s "$PGINFO" ] && break; sleep 0.1; done
if [ -s "$PGINFO" ]; then export WIREFLOW_TEST_PG="$(cat "$PGINFO")"; else echo "warning: test PostgreSQL did not start"; fi

export WIREFLOW_CORPUS=${WIREFLOW_CORPUS:-$ROOT/../shared/corpus}
meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@"
rc=$?

# The fuzz targets (tests/fuzz): a clang build of their own, each target run
# for a few seconds from its seeds; counted below like the other tests. Only
# in a whole run (no test names given).
FUZZ_BUILD=${WIREFLOW_FUZZ_BUILD:-build-fuzz}
fuzz_logs=()
if [ $# -eq 0 ]; then
  fuzz_logs=("$FUZZ_BUILD/meson-logs/testlog.json")
  rm -f "$FUZZ_BUILD/meson-logs/testlog.json"
  mkdir -p "$FUZZ_BUILD"
  if { [ -f "$FUZZ_BUILD/build.ninja" ] || CC=clang CXX=clang++ meson setup "$FUZZ_BUILD" -Dfuzz=true \
         -Db_sanitize=address,undefined -Db_lundef=false -Doptimization=1 -Ddebug=true >"$FUZZ_BUILD/test-setup.log" 2>&1; } &&
     ninja -C "$FUZZ_BUILD" fuzz >"$FUZZ_BUILD/test-ninja.log" 2>&1; then
    meson test -C "$FUZZ_BUILD" --no-rebuild --suite fuzz --print-errorlogs --num-processes 2 || rc=1
  else
    echo "fuzz build failed (logs: $FUZZ_BUILD/test-setup.log, $FUZZ_BUILD/test-ninja.log)"
    tail -30 "$FUZZ_BUILD/test-ninja.log" 2>/dev/null; rc=1
  fi
fi

/usr/bin/python3 - "$BUILD/meson-logs/testlog.json" "${fuzz_logs[@]}" <<'PY'
import json, sys
p = f = s = 0
for log in sys.argv[1:]:
    try:
        for line in open(log):
            r = json.loads(line)["result"]
            if r in ("OK", "EXPECTEDFAIL"): p += 1
            elif r == "SKIP": s += 1
            else: f += 1
    except FileNotFoundError:
        f += 1
print(f"{p} passed, {f} failed" + (f", {s} skipped" if s else ""))
PY
exit $rc
