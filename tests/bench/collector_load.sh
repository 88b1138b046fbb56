#!/bin/bash
# Collector ingest under load (issue #11): a release collector and a throw-away
# PostgreSQL 15 (tests/support/pgcluster.py: fsync off), fed by
# tests/bench/loadgen (collector_load: N simulated probes, as fast as acks
# allow), for 1, 4 and 16 probes. After each load, the reference in the same
# run: the same rows COPYed out of flows in binary and COPYed, timed, into an
# unindexed, unpartitioned table of the same columns in the same database.
# Minutes, not part of the suite.
#
#   tests/bench/collector_load.sh [WORKDIR]
#   env: PROBES="1 4 16" DURATION=60 WINDOW=8 BATCH=1000 BUILD=build-rel PORT_BASE=22100
#        COLLECTOR_ARGS="" (more collector options, e.g. --flow-merge-rows=0)
#        REFERENCE=1 (0: no raw COPY reference, for long runs whose rows would not fit twice on disk)
#        SEED="" (a command run with the database's DSN once the collector listens, before the load,
#                 e.g. tests/bench/seed_segments.py: a merge of today's segments during the load)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build-rel}
WORK=${1:-$(mktemp -d /tmp/collector-load.XXXXXX)}
PROBES=${PROBES:-"1 4 16"}
DURATION=${DURATION:-60}
WINDOW=${WINDOW:-8}
BATCH=${BATCH:-1000}
PORT_BASE=${PORT_BASE:-22100}
COLLECTOR_ARGS=${COLLECTOR_ARGS:-}
REFERENCE=${REFERENCE:-1}
SEED=${SEED:-}
mkdir -p "$WORK"

if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" "$SRC" --buildtype=release >"$WORK/setup.log"
fi
ninja -C "$BUILD" collector/wireflow-collector tests/bench/collector_load >"$WORK/ninja.log"
COLLECTOR=$BUILD/collector/wireflow-collector
LOAD=$BUILD/tests/bench/collector_load

PG_PID= COL_PID=
cleanup() {
    [ -n "$COL_PID" ] && kill "$COL_PID" 2>/dev/null && wait "$COL_PID" 2>/dev/null || true
    [ -n "$PG_PID" ] && kill "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null || true
}
trap cleanup EXIT

python3 "$SRC/tests/support/pgcluster.py" serve "$WORK/pg.info" >"$WORK/pg.log" 2>&1 &
PG_PID=$!
for _ in $(seq 600); do [ -s "$WORK/pg.info" ] && break; sleep 0.1; done
SERVER=$(cat "$WORK/pg.info")

echo "collector_load.sh: $(date -u '+%F %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores," \
     "${DURATION}s per run, batches of $BATCH, window $WINDOW, work dir $WORK"
printf '%-7s %-12s %-12s %-7s %-26s %-26s %-14s %s\n' probes collector raw-COPY ratio \
       'ack ms p50/p90/p99/max' 'visible ms p50/p90/p99/max' 'spool max B' 'exactly once'
status=0
for n in $PROBES; do
    db=load_${n}_$$
    psql "$SERVER dbname=postgres" -q -c "CREATE DATABASE $db"
    DSN="$SERVER dbname=$db"
    port=$((PORT_BASE + n)) http=$((PORT_BASE + 50 + n))
    "$COLLECTOR" --init-db --db="$DSN" >"$WORK/init_$n.log" 2>&1
    "$COLLECTOR" --listen="tcp://127.0.0.1:$port" --db="$DSN" --data-dir="$WORK/collector_$n" \
        --http="127.0.0.1:$http" --disable-login $COLLECTOR_ARGS >"$WORK/collector_$n.log" 2>&1 &
    COL_PID=$!
    for _ in $(seq 300); do grep -q "listening on" "$WORK/collector_$n.log" && break; sleep 0.1; done
    if [ -n "$SEED" ]; then $SEED "$DSN" >"$WORK/seed_$n.log" 2>&1; fi
    rc=0
    "$LOAD" --endpoint "tcp://127.0.0.1:$port" --probes "$n" --duration "$DURATION" --window "$WINDOW" \
        --batch-records "$BATCH" --db "$DSN" --metrics "127.0.0.1:$http" --json "$WORK/load_$n.json" \
        >"$WORK/load_$n.txt" 2>&1 || rc=$?
    [ "$rc" = 0 ] || status=1
    kill "$COL_PID"; wait "$COL_PID" || true; COL_PID=

    # Reference: the rows the collector stored, binary COPY out, then timed binary COPY in.
    t0=0 t1=0 rows=0
    if [ "$REFERENCE" = 1 ]; then
        bin=$WORK/flows_$n.bin
        psql "$DSN" -X -q -v ON_ERROR_STOP=1 \
            -c "CREATE TABLE raw_copy (LIKE flows INCLUDING DEFAULTS)" \
            -c "\\copy (SELECT * FROM flows) TO '$bin' WITH (FORMAT binary)"
        t0=$(date +%s.%N)
        psql "$DSN" -X -q -v ON_ERROR_STOP=1 -c "\\copy raw_copy FROM '$bin' WITH (FORMAT binary)"
        t1=$(date +%s.%N)
        rows=$(psql "$DSN" -X -A -t -c "SELECT count(*) FROM raw_copy")
        rm -f "$bin"
    fi
    python3 - "$WORK/load_$n.json" "$rows" "$t0" "$t1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows, t0, t1 = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
raw = rows / (t1 - t0) if t1 > t0 else 0
a, v = r["ack_ms"], r["visible_ms"]
fmt = lambda p: f"{p['p50']:.0f}/{p['p90']:.0f}/{p['p99']:.0f}/{p['max']:.0f}"
ratio = f"{r['records_per_s'] / raw:.2f}" if raw else "-"
print(f"{r['probes']:<7} {r['records_per_s']:<12,.0f} {raw:<12,.0f} {ratio:<7} "
      f"{fmt(a):<26} {fmt(v):<26} {r['spool_max_bytes']:<14} "
      f"{'yes' if r['ok'] else 'NO'} ({r['db_rows']:,} rows, {r['records_made']:,} made, {r['resent']} re-sent)")
PY
    sealed=$(grep -c ': sealed ' "$WORK/collector_$n.log" || true)
    merged=$(grep -c ': merged ' "$WORK/collector_$n.log" || true)
    echo "        $sealed segments sealed, $merged merges during the run (collector_$n.log)"
    psql "$SERVER dbname=postgres" -q -c "DROP DATABASE $db"
done
echo "details: $WORK/load_N.txt, collector logs $WORK/collector_N.log"
exit $status
