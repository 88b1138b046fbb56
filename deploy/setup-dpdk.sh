#!/usr/bin/env bash
# Prepares a machine for wireflow-probe (installed as /usr/sbin/wireflow-setup-dpdk).
#   setup-dpdk.sh --hugepages 1024 --bind 0000:03:00.0 [--bind ...]   DPDK NICs (--port)
#   setup-dpdk.sh --interface eth1 [--interface ...]                  kernel interfaces (--interface)
#   setup-dpdk.sh --from-config /etc/wireflow/dpdk.conf   (lines: hugepages=N, bind=PCI, interface=IF)
#   setup-dpdk.sh --status
# --hugepages reserves 2 MiB hugepages and mounts hugetlbfs; --bind loads
# vfio-pci and binds the NIC to it with dpdk-devbind.py (Debian package dpdk).
# --interface turns GRO, GSO, TSO and LRO off with ethtool: with them on, the
# kernel hands af_packet merged super-packets (up to 64 KiB) instead of the
# frames on the wire, which skews packet counts and sizes. Machines without
# hugepages or NICs can still run the probe with --no-huge, --pcap or --interface.
set -euo pipefail
usage() { sed -n '2,12s/^# \{0,1\}//p' "$0"; }
pages=""
binds=()
ifaces=()
status=0
while (($#)); do
  case "$1" in
    --hugepages) pages=$2; shift 2 ;;
    --bind) binds+=("$2"); shift 2 ;;
    --interface) ifaces+=("$2"); shift 2 ;;
    --status) status=1; shift ;;
    --from-config)
      while IFS='=' read -r k v; do
        k=${k//[[:space:]]/}; v=${v%%#*}; v=${v//[[:space:]]/}   # "interface=eth1   # comment"
        case "$k" in hugepages) pages=$v ;; bind) binds+=("$v") ;; interface) ifaces+=("$v") ;; esac
      done < <(grep -v '^\s*#' "$2")
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup-dpdk.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
offloads=(gro gso tso lro)
if ((status)); then
  grep -E 'HugePages_(Total|Free)' /proc/meminfo
  if command -v dpdk-devbind.py >/dev/null; then dpdk-devbind.py --status-dev net; fi
  for i in "${ifaces[@]}"; do
    echo "$i:"; ethtool -k "$i" | grep -E '^(generic-receive|generic-segmentation|tcp-segmentation|large-receive)-offload:'
  done
  exit 0
fi
if [ -n "$pages" ]; then
  echo "$pages" > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
  mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
  got=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)
  [ "$got" -ge "$pages" ] || echo "setup-dpdk.sh: asked for $pages hugepages, got $got (memory fragmented? reserve at boot with hugepages=$pages on the kernel command line)" >&2
fi
if ((${#binds[@]})); then
  modprobe vfio-pci
  for dev in "${binds[@]}"; do
    dpdk-devbind.py --bind=vfio-pci "$dev"
  done
fi
for i in "${ifaces[@]}"; do
  [ -e "/sys/class/net/$i" ] || { echo "setup-dpdk.sh: no interface $i" >&2; exit 1; }
  # One feature at a time: a driver that cannot change one (shown "[fixed]")
  # must not keep the others on. Only a feature left on is an error.
  for f in "${offloads[@]}"; do ethtool -K "$i" "$f" off 2>/dev/null || true; done
  still_on=$(ethtool -k "$i" | grep -E '^(generic-receive|generic-segmentation|tcp-segmentation|large-receive)-offload: on' || true)
  if [ -n "$still_on" ]; then
    echo "setup-dpdk.sh: $i: could not turn off: $still_on" >&2
    exit 1
  fi
  echo "setup-dpdk.sh: $i: GRO, GSO, TSO and LRO off"
done
