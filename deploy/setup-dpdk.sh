#!/usr/bin/env bash
# Prepares a machine for wireflow-probe on DPDK-bound NICs:
#   setup-dpdk.sh --hugepages 1024 --bind 0000:03:00.0 [--bind ...]
#   setup-dpdk.sh --from-config /etc/wireflow/dpdk.conf   (lines: hugepages=N, bind=PCI)
#   setup-dpdk.sh --status
# Reserves 2 MiB hugepages, mounts hugetlbfs, loads vfio-pci and binds the
# NICs to it with dpdk-devbind.py (Debian package dpdk). Machines without
# hugepages or NICs can still run the probe with --no-huge, --pcap or --interface.
set -euo pipefail
pages=""
binds=()
status=0
while (($#)); do
  case "$1" in
    --hugepages) pages=$2; shift 2 ;;
    --bind) binds+=("$2"); shift 2 ;;
    --status) status=1; shift ;;
    --from-config)
      while IFS='=' read -r k v; do
        case "$k" in hugepages) pages=$v ;; bind) binds+=("$v") ;; esac
      done < <(grep -v '^\s*#' "$2")
      shift 2 ;;
    *) echo "setup-dpdk.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if ((status)); then
  grep -E 'HugePages_(Total|Free)' /proc/meminfo
  dpdk-devbind.py --status-dev net
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
