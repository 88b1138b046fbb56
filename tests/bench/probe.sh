#!/bin/bash
# Probe benchmark (minutes; not part of the suite). Figures go to
# docs/benchmarks.md as ratios to a reference measured in the same run.
#
#   tests/bench/probe.sh [WORKDIR]        (default /tmp/wf-probe-bench)
#
# 1. In-memory replay, one worker core (net_pcap infinite_rx): the probe with
#    --no-dpi and with nDPI against dpdk-testpmd --forward-mode=rxonly on the
#    same capture: 1K flows; 1M flows (idle timeout 1 s: flows churn at the
#    rate the summary's flows_created shows, low at this loop speed); and 1M
#    flows in steady state with churn (flowgen.py --churn: 950K stable UDP
#    flows seen once per loop, 50K TCP connections opened and reset every
#    loop: the churn follows the replay speed, shown as new-flows/s); and
#    the same with 20K connections a loop (churn100k), which at ~5 Mpps is
#    the 100K new flows/s that issue #12 names (churn1m's 50K a loop gives
#    2.5 times that). flows1k8k: the same 1K flows in 8,000 packets, so the
#    replayed packets stay in the cache (net_pcap copies each stored packet
#    into a fresh mbuf; from a 500K-packet ring that copy misses the cache,
#    which a NIC's DMA into the cache does not): testpmd then runs at the
#    ~86-100 Mpps issue #12 measured for it, and the probe's rate is its own.
# 2. Whole process on a 2M-packet, 200K-flow capture file: wall time and peak
#    RSS of the probe (with and without nDPI) against softflowd, argus and
#    ndpiReader.
# Release build of its own (build-rel, no sanitizers). The machine is shared:
# the load (uptime) is printed beside the figures.
# ONLY="churn1m churn100k" measures only those in-memory rows (and the
# whole-process part unless SKIP_FILE=1).
# OTHER_PROBE=path/to/wireflow-probe (another build, e.g. main's) adds a row
# per capture with that binary, measured right after this build's, so a
# change is compared with its reference in the same minutes.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-/tmp/wf-probe-bench}
mkdir -p "$WORK"
# The bench's own tools (not the project's deps: deploy/install-deps.sh).
if ! command -v dpdk-testpmd >/dev/null || ! command -v softflowd >/dev/null || ! command -v argus >/dev/null \
   || ! command -v ndpiReader >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpdk dpdk-dev softflowd argus-server libndpi-bin time
fi
[ -d "$SRC/build-rel" ] || meson setup "$SRC/build-rel" -Dbuildtype=release -Db_lto=true >/dev/null
ninja -C "$SRC/build-rel" -j2 probe/wireflow-probe >/dev/null
PROBE=$SRC/build-rel/probe/wireflow-probe
GEN=$SRC/tests/bench/flowgen.py

cap() {  # name packets-or-"--churn K" flows
    local name=$1
    shift
    [ -s "$WORK/$name.pcap" ] || python3 "$GEN" "$WORK/$name.pcap" "$@"
}
cap flows1k 500000 1000
cap flows1k8k 8000 1000
cap flows1m 1000000 1000000
cap churn1m --churn 50000 1000000
cap churn100k --churn 20000 1000000
cap file2m 2000000 200000

load() { uptime | sed 's/.*load average: //'; }
MEM=2048

testpmd_mpps() {  # pcap seconds -> Rx-pps over the last stats interval, in Mpps
    # Interactive: "show port stats" reports Rx-pps since its previous call,
    # so the second one covers the last 5 s of the run whatever the load time.
    local log=$WORK/testpmd.log
    { echo start; sleep "$2"; echo "show port stats 0"; sleep 5; echo "show port stats 0"; echo stop; echo quit; } |
        dpdk-testpmd --no-huge --no-pci -m $MEM -l 0-1 --file-prefix "wfb$$" \
            --vdev "net_pcap0,rx_pcap=$1,infinite_rx=1" -- -i --forward-mode=rxonly \
            --total-num-mbufs=$(( $(stat -c %s "$1") / 60 + 70000 )) --mbuf-size=256 >"$log" 2>&1 || true
    grep -o 'Rx-pps: *[0-9]*' "$log" | tail -1 | awk '{printf "%.2f", $2/1e6} END {if (!NR) print "0"}'
}

probe_mpps() {  # pcap seconds max_flows idle extra-args... -> "Mpps flows_created/s"
    local pcap=$1 secs=$2 flows=$3 idle=$4
    shift 4
    "$PROBE" --no-huge --memory $MEM --pcap "$pcap" --pcap-loop --duration "$secs" --collector none \
        --max-flows "$flows" --idle-timeout "$idle" --active-timeout 3600 --summary-json "$WORK/summary.json" \
        "$@" >/dev/null 2>"$WORK/probe.err"
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); t=s["rx_seconds"] or 1
print("%.2f %.0f" % (s["rx_packets"]/t/1e6, s["flows_created"]/t))' "$WORK/summary.json"
}

echo "== in-memory replay, one worker (load before: $(load))"
printf '%-10s %-9s %-12s %-12s %-12s %-8s %-8s %s\n' capture testpmd probe-nodpi probe-dpi 'new-flows/s' nodpi/ref dpi/ref load
for row in "flows1k 15 1048576 30" "flows1k8k 15 1048576 30" "flows1m 25 1048576 1" "churn1m 25 1048576 30" "churn100k 25 1048576 30"; do
    set -- $row
    case " ${ONLY:-$1} " in *" $1 "*) ;; *) continue ;; esac
    ref=$(testpmd_mpps "$WORK/$1.pcap" "$2")
    read -r nodpi churn < <(probe_mpps "$WORK/$1.pcap" "$(($2 + 5))" "$3" "$4" --no-dpi || echo 0 0)
    read -r dpi _ < <(probe_mpps "$WORK/$1.pcap" "$(($2 + 5))" "$3" "$4" || echo 0 0)
    printf '%-10s %-9s %-12s %-12s %-12s %-8s %-8s %s\n' "$1" "$ref" "$nodpi" "$dpi" "$churn" \
        "$(python3 -c "print('%.2f' % ($nodpi/$ref))" 2>/dev/null || echo n/a)" \
        "$(python3 -c "print('%.2f' % ($dpi/$ref))" 2>/dev/null || echo n/a)" "$(load)"
    if [ -n "${OTHER_PROBE:-}" ]; then
        read -r onodpi ochurn < <(PROBE=$OTHER_PROBE probe_mpps "$WORK/$1.pcap" "$(($2 + 5))" "$3" "$4" --no-dpi || echo 0 0)
        read -r odpi _ < <(PROBE=$OTHER_PROBE probe_mpps "$WORK/$1.pcap" "$(($2 + 5))" "$3" "$4" || echo 0 0)
        printf '%-10s %-9s %-12s %-12s %-12s %-8s %-8s %s\n' "  other" "$ref" "$onodpi" "$odpi" "$ochurn" \
            "$(python3 -c "print('%.2f' % ($onodpi/$ref))" 2>/dev/null || echo n/a)" \
            "$(python3 -c "print('%.2f' % ($odpi/$ref))" 2>/dev/null || echo n/a)" "$(load)"
    fi
done

[ "${SKIP_FILE:-0}" = 1 ] && exit 0
echo
echo "== whole process on $WORK/file2m.pcap (2M packets, 200K flows; load before: $(load))"
measure() {  # label command... -> wall seconds and peak RSS (MiB)
    local label=$1
    shift
    /usr/bin/time -f '%e %M' -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/tool.err" || true
    read -r wall rss <"$WORK/time.out" || { wall=0; rss=0; }
    printf '%-22s %8s s %8.0f MiB   load %s\n' "$label" "$wall" "$((rss / 1024))" "$(load)"
}
rm -f "$WORK/out.argus"
measure softflowd softflowd -d -r "$WORK/file2m.pcap" -n 127.0.0.1:9995
measure argus argus -r "$WORK/file2m.pcap" -w "$WORK/out.argus"
measure ndpiReader ndpiReader -q -i "$WORK/file2m.pcap"
measure 'probe --no-dpi' "$PROBE" --no-huge --memory 512 --pcap "$WORK/file2m.pcap" --collector none --no-dpi
measure 'probe (nDPI)' "$PROBE" --no-huge --memory 512 --pcap "$WORK/file2m.pcap" --collector none
