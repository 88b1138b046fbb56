#!/usr/bin/env bash
# wireflow demo: everything on one machine, nothing set up by hand.
#
#   deploy/demo.sh                   replay a generated sample capture in a loop, at its original pace
#   deploy/demo.sh --interface IF    capture live from a kernel interface (af_packet)
#
# Starts a private PostgreSQL cluster under var/pg (tests/support/pgcluster.py,
# as the tests do; unix socket only, data kept between demos), the collector
# with the dashboard on http://127.0.0.1:3005, and the probe.
# Ctrl-C stops everything. Run as root (DPDK, network namespaces); PostgreSQL
# itself runs as the unprivileged postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VAR=$ROOT/var
BUILD=${WIREFLOW_BUILD:-build}
IFACE=""
HTTP=127.0.0.1:3005
while (($#)); do
  case "$1" in
    --interface) IFACE=$2; shift 2 ;;
    --http) HTTP=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (DPDK and the replay namespace need it)" >&2; exit 1; }

bash deploy/install-deps.sh
bash deploy/build-ui.sh
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Dbuildtype=release -Db_lto=true >/dev/null
fi
ninja -C "$BUILD" probe/wireflow-probe collector/wireflow-collector >/dev/null

mkdir -p "$VAR"
PIDS=()
NETNS=""
cleanup() {
  trap - INT TERM EXIT
  echo; echo "demo: stopping"
  # Newest first, each waited for: the probe flushes its flows and waits for
  # the collector's acknowledgements before the collector goes away.
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do
    kill -TERM "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
  if [ -n "$NETNS" ]; then ip link del wfdemo0 2>/dev/null || true; ip netns del "$NETNS" 2>/dev/null || true; fi
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

# ---- PostgreSQL: a private cluster, unix socket in var/pg ---------------------
# pgcluster.py stops it on SIGTERM (first started, so last stopped).
chmod 755 "$VAR"
rm -f "$VAR/pg.info"
/usr/bin/python3 tests/support/pgcluster.py serve "$VAR/pg.info" --dir "$VAR/pg" --socket-only &
PIDS+=($!)
for _ in $(seq 1 600); do [ -s "$VAR/pg.info" ] && break; sleep 0.1; done
[ -s "$VAR/pg.info" ] || { echo "demo: PostgreSQL did not start (see $VAR/pg/log)" >&2; exit 1; }
PGDSN=$(cat "$VAR/pg.info")
psql "$PGDSN dbname=postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='wireflow'" | grep -q 1 ||
  psql "$PGDSN dbname=postgres" -qc "CREATE DATABASE wireflow"
DB="$PGDSN dbname=wireflow"

# ---- collector ----------------------------------------------------------------
mkdir -p "$VAR/collector"
PORT=5556
"$BUILD/collector/wireflow-collector" --listen "tcp://127.0.0.1:$PORT" --db "$DB" \
  --data-dir "$VAR/collector" -w "$HTTP" --local-networks 192.168.0.0/16,fd00::/8 \
  >"$VAR/collector.log" 2>&1 &
PIDS+=($!)
echo "demo: collector started (log: var/collector.log), dashboard on http://$HTTP (admin/admin)"

# ---- traffic -------------------------------------------------------------------
if [ -z "$IFACE" ]; then
  # Replay at the original pace: tcpreplay into a veth pair whose far end
  # lives in a private network namespace; the probe captures the near end
  # through af_packet, exactly as it would a SPAN port.
  SAMPLE=$VAR/sample.pcap
  [ -f "$SAMPLE" ] || /usr/bin/python3 tests/support/pcapgen.py sample "$SAMPLE"
  NETNS=wfdemo
  ip netns del "$NETNS" 2>/dev/null || true
  ip link del wfdemo0 2>/dev/null || true
  ip netns add "$NETNS"
  ip link add wfdemo0 type veth peer name wfdemo1 netns "$NETNS"
  ip link set wfdemo0 up
  ip -n "$NETNS" link set wfdemo1 up
  IFACE=wfdemo0
  (sleep 2; exec ip netns exec "$NETNS" tcpreplay --loop=0 --quiet -i wfdemo1 "$SAMPLE") >"$VAR/replay.log" 2>&1 &
  PIDS+=($!)
  echo "demo: replaying $SAMPLE in a loop at its original pace"
fi

"$BUILD/probe/wireflow-probe" --interface "$IFACE" --no-huge --memory 512 --probe-id demo \
  --collector "tcp://127.0.0.1:$PORT" --spool-dir "$VAR/probe-spool" --stats-interval 5 \
  >"$VAR/probe.log" 2>&1 &
PIDS+=($!)
echo "demo: probe capturing $IFACE (log: var/probe.log). Ctrl-C stops everything."
wait -n "${PIDS[@]}" || true
echo "demo: a process exited; see the logs in var/"
