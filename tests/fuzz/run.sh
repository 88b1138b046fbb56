#!/usr/bin/env bash
# Runs fuzz targets and reports executions and crashes per target.
#
#   tests/fuzz/run.sh TARGET|all SECONDS
#
# TARGET is fuzz_dissect, fuzz_packet_path, fuzz_batch_decoder, fuzz_http,
# fuzz_blacklist or fuzz_config (the "fuzz_" may be left out). The build is
# $WIREFLOW_FUZZ_BUILD (default build-fuzz, set up as in tests/fuzz/README.md).
# Each target starts from its generated seeds (BUILD/tests/fuzz/seeds/TARGET)
# and the kept ones (tests/fuzz/corpus/TARGET); what it finds new goes to
# OUT/work/TARGET, so a later run goes on from there. A crash stops the
# target and is kept as OUT/crashes/TARGET/crash-*; reproduce it with
# `BUILD/tests/fuzz/TARGET FILE`. OUT is $WIREFLOW_FUZZ_OUT, default
# BUILD/tests/fuzz (the meson tests use their own, BUILD/tests/fuzz/short).
# WIREFLOW_FUZZ_RUNS=N stops each target after N executions instead.
# WIREFLOW_FUZZ_TIMEOUT=S: seconds one input may take before it counts as a
# hang (default 10; libFuzzer measures wall time, so a run on a machine busy
# with builds wants more, or a starved process is reported as a hang).
# One line per target: "TARGET: N executions, N crashes, N s, N exec/s".
# Exit status 1 when any target crashed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${WIREFLOW_FUZZ_BUILD:-$root/build-fuzz}
all=(fuzz_dissect fuzz_packet_path fuzz_batch_decoder fuzz_http fuzz_blacklist fuzz_config)

if [ $# -ne 2 ]; then sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
if [ "$1" = all ]; then targets=("${all[@]}"); else targets=("fuzz_${1#fuzz_}"); fi
seconds=$2

failed=0
for t in "${targets[@]}"; do
  exe=$build/tests/fuzz/$t
  if [ ! -x "$exe" ]; then echo "$t: not built ($exe); see tests/fuzz/README.md"; failed=1; continue; fi
  seeds=$build/tests/fuzz/seeds
  out=${WIREFLOW_FUZZ_OUT:-$build/tests/fuzz}
  mkdir -p "$out/work/$t" "$out/crashes/$t" "$out/logs"
  dirs=("$out/work/$t" "$seeds/$t")
  [ -d "$here/corpus/$t" ] && dirs+=("$here/corpus/$t")
  dict=()
  [ -f "$seeds/$t.dict" ] && dict=("-dict=$seeds/$t.dict")
  # Inputs no longer than the parser needs: libFuzzer's cost per run grows
  # with the input, and headers, requests and config lines are short.
  case $t in
    fuzz_dissect|fuzz_config) max_len=4096 ;;
    fuzz_batch_decoder) max_len=65536 ;;
    *) max_len=16384 ;;
  esac
  runs=()
  [ -n "${WIREFLOW_FUZZ_RUNS:-}" ] && runs=("-runs=$WIREFLOW_FUZZ_RUNS")
  log=$out/logs/$t.log
  before=$(ls "$out/crashes/$t" | wc -l)
  # -timeout: an input running for seconds is a finding (a hang); the RSS
  # limit catches unbounded allocation. nDPI and protobuf print nothing we need.
  "$exe" -max_total_time="$seconds" "${runs[@]}" -max_len=$max_len -timeout="${WIREFLOW_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$t/" "${dict[@]}" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  crashes=$(( $(ls "$out/crashes/$t" | wc -l) - before ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  [ -n "$took" ] || took=$seconds
  rate=$(( ${execs:-0} / (took > 0 ? took : 1) ))
  echo "$t: ${execs:-0} executions, $crashes crashes, ${took} s, $rate exec/s"
  if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    grep -A40 -m1 -E "^==[0-9]+==|FUZZ_CHECK|runtime error|deadly signal|uncaught|Timeout|out-of-memory" "$log" | head -60
    echo "  log: $log; inputs: $out/crashes/$t/"
  fi
done
exit $failed
