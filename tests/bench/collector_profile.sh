#!/bin/bash
# Where the collector's write path spends its time (issue #11): a release
# collector and a throw-away PostgreSQL 15 (tests/support/pgcluster.py, fsync
# off) under tests/bench/loadgen (collector_load) with N probes, and a
# `perf record -g` of this run's processes of the middle of the run, so the collector's
# threads (the database thread is named wf-db-writer), the PostgreSQL backend
# that stores the batches and the load generator all appear, and nothing else. Writes the split
# by process and the top symbols of the writer thread and of postgres to
# WORKDIR/profile.txt. Needs root (or perf_event_paranoid <= 0) and linux-perf.
#
#   tests/bench/collector_profile.sh [WORKDIR]
#   tests/bench/collector_profile.sh --report WORKDIR     (the report again)
#   env: PROBES=4 DURATION=40 PERF_S=20 BATCH=1000 BUILD=build-rel PORT=22300
set -euo pipefail

# The report of a recorded run: tests/bench/collector_profile.sh --report WORKDIR
top() {  # perf report lines without comments and blank lines
    grep -v '^#' | grep -v '^$' | head -"$1" || true
}
report() {
    local w=$1
    echo "collector_profile.sh: $(date -u '+%F %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
    cat "$w/params.txt" 2>/dev/null || true
    grep -E "records/s|exactly|queryable" "$w/load.txt" || true
    echo; echo "== samples by process (comm) and object =="
    perf report -i "$w/perf.data" --no-children --sort comm,dso --stdio -g none 2>/dev/null | top 25
    echo; echo "== collector database thread (wf-db-writer), self time by symbol =="
    perf report -i "$w/perf.data" --no-children --comm wf-db-writer --sort dso,sym --stdio -g none 2>/dev/null | top 40
    echo; echo "== other collector threads (ingest, HTTP, scheduler), self time by symbol =="
    perf report -i "$w/perf.data" --no-children --comm wireflow-collec --sort dso,sym --stdio -g none 2>/dev/null | top 25
    echo; echo "== postgres, self time by symbol =="
    perf report -i "$w/perf.data" --no-children --comm postgres --sort sym --stdio -g none 2>/dev/null | top 40
    echo; echo "== postgres, by caller chain (children), top entries =="
    perf report -i "$w/perf.data" --children --comm postgres --sort sym --stdio -g none 2>/dev/null | top 40
}
if [ "${1:-}" = "--report" ]; then
    report "$2"
    exit 0
fi

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build-rel}
WORK=${1:-$(mktemp -d /tmp/collector-profile.XXXXXX)}
PROBES=${PROBES:-4}
DURATION=${DURATION:-40}
PERF_S=${PERF_S:-20}
BATCH=${BATCH:-1000}
PORT=${PORT:-22300}
mkdir -p "$WORK"

if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" "$SRC" --buildtype=release >"$WORK/setup.log"
fi
ninja -C "$BUILD" collector/wireflow-collector tests/bench/collector_load >"$WORK/ninja.log"

PG_PID= COL_PID= LOAD_PID=
cleanup() {
    [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null && wait "$LOAD_PID" 2>/dev/null || true
    [ -n "$COL_PID" ] && kill "$COL_PID" 2>/dev/null && wait "$COL_PID" 2>/dev/null || true
    [ -n "$PG_PID" ] && kill "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null || true
}
trap cleanup EXIT

python3 "$SRC/tests/support/pgcluster.py" serve "$WORK/pg.info" >"$WORK/pg.log" 2>&1 &
PG_PID=$!
for _ in $(seq 600); do [ -s "$WORK/pg.info" ] && break; sleep 0.1; done
SERVER=$(cat "$WORK/pg.info")
db=profile_$$
psql "$SERVER dbname=postgres" -q -c "CREATE DATABASE $db"
DSN="$SERVER dbname=$db"
"$BUILD/collector/wireflow-collector" --init-db --db="$DSN" >"$WORK/init.log" 2>&1
"$BUILD/collector/wireflow-collector" --listen="tcp://127.0.0.1:$PORT" --db="$DSN" --data-dir="$WORK/collector" \
    --http="127.0.0.1:$((PORT + 1))" --disable-login >"$WORK/collector.log" 2>&1 &
COL_PID=$!
for _ in $(seq 300); do grep -q "listening on" "$WORK/collector.log" && break; sleep 0.1; done
"$BUILD/tests/bench/collector_load" --endpoint "tcp://127.0.0.1:$PORT" --probes "$PROBES" --duration "$DURATION" \
    --batch-records "$BATCH" --db "$DSN" --metrics "127.0.0.1:$((PORT + 1))" --json "$WORK/load.json" \
    >"$WORK/load.txt" 2>&1 &
LOAD_PID=$!
# Skip the start (connections, first partitions), then sample the steady state.
sleep $(( (DURATION - PERF_S) / 2 ))
# Only this run's processes: the machine may be shared (other builds, other
# clusters), so not -a. The cluster's processes are its pg_stat_activity
# rows (backends, the collector's connections, background workers).
PIDS="$COL_PID,$LOAD_PID,$(psql "$DSN" -X -A -t -c "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE pid <> pg_backend_pid()")"
echo "$PROBES probes, batches of $BATCH, perf record -g -F 999 of the collector, the load generator and the" \
     "cluster's processes for ${PERF_S}s of a ${DURATION}s run" >"$WORK/params.txt"
perf record -g -F 999 -p "$PIDS" -o "$WORK/perf.data" -- sleep "$PERF_S" 2>"$WORK/perf-record.log"
wait "$LOAD_PID" || true
LOAD_PID=
kill "$COL_PID"; wait "$COL_PID" || true; COL_PID=

report "$WORK" >"$WORK/profile.txt"
cat "$WORK/profile.txt"
psql "$SERVER dbname=postgres" -q -c "DROP DATABASE $db" || true
echo "perf data: $WORK/perf.data (perf report -i ...)"
