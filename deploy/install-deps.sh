#!/usr/bin/env bash
# Installs every Debian 12 package wireflow needs to build, test and run.
# Idempotent: packages already present are left alone and nothing is printed.
set -euo pipefail

PKGS=(
  build-essential pkg-config meson ninja-build
  libdpdk-dev dpdk
  libzmq3-dev cppzmq-dev
  libprotobuf-dev protobuf-compiler
  libboost1.81-dev libboost-json1.81-dev
  libpqxx-dev postgresql-15 postgresql-client-15
  catch2
  libndpi-dev libndpi-bin
  libsodium-dev
  libpcap-dev
  libcurl4-openssl-dev
  libssl-dev openssl wrk
  tshark
  ieee-data   # the IEEE OUI registries: MAC vendors of unassigned devices and hosts
  libmaxminddb-dev libgeoip-dev   # geolocation (collector/geo): MaxMind DB files; Debian's legacy GeoIP files
  geoip-database                  # the legacy country data: the collector's default
  mmdb-bin geoip-bin              # mmdblookup, geoiplookup: independent readers the geo tests check against
  iproute2 procps tcpreplay nftables ethtool
  lintian
  python3 python3-zmq python3-protobuf python3-psycopg2
  chromium
  clang libclang-rt-14-dev   # tests/fuzz: clang 14, libFuzzer and the sanitizer runtimes
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm drive the browser tests; the machine's own Node.js is used
# when present (Debian's npm conflicts with NodeSource's nodejs).
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
