#!/usr/bin/env bash
# Builds the Debian packages wireflow-probe and wireflow-collector from the tree:
#   deploy/package.sh                       release build in build-deb/, packages in dist/
#   deploy/package.sh --build-dir DIR       package the binaries already built in DIR
#                                           (e.g. the test tree: nothing is compiled)
#   options: --out DIR (default dist/), --compress xz|gzip|none (default xz),
#            --lintian (run lintian on the result; needs the lintian package)
# Files are staged by hand below (the packages' file lists), binaries stripped,
# runtime dependencies found by dpkg-shlibdeps, man pages made from --help, and
# each package assembled with dpkg-deb. Maintainer scripts come from
# deploy/debian/*.in; /etc/wireflow/*.conf are conffiles (dpkg never
# overwrites an edited one). Debian 12 (bookworm) layout: units in /lib/systemd/system.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
build=""
out=$ROOT/dist
compress=xz
run_lintian=0
while (($#)); do
  case "$1" in
    --build-dir) build=$(realpath "$2"); shift 2 ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    --compress) compress=$2; shift 2 ;;
    --lintian) run_lintian=1; shift ;;
    -h|--help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "package.sh: $*" >&2; exit 1; }

if [ -z "$build" ]; then
  build=$ROOT/build-deb
  # Debian's hardening flags (fortify, stack protector, relro, bindnow), as
  # dpkg-buildpackage would set them.
  if [ ! -f "$build/build.ninja" ]; then
    export DEB_BUILD_MAINT_OPTIONS=hardening=+all
    CPPFLAGS=$(dpkg-buildflags --get CPPFLAGS) CXXFLAGS=$(dpkg-buildflags --get CXXFLAGS) \
      LDFLAGS=$(dpkg-buildflags --get LDFLAGS) meson setup "$build" --prefix=/usr -Dbuildtype=release -Db_lto=true >/dev/null
  fi
  ninja -C "$build" probe/wireflow-probe collector/wireflow-collector >/dev/null
fi
for b in probe/wireflow-probe collector/wireflow-collector; do
  [ -x "$build/$b" ] || die "$build/$b is missing: build it first (ninja -C $build $b)"
done
[ -f ui-static/vendor/uPlot.esm.js ] || bash deploy/build-ui.sh || die "deploy/build-ui.sh failed: the dashboard would have no charts"

version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" meson.build | head -n 1)
arch=$(dpkg --print-architecture)
# Reproducible: dates come from the last commit, not from the clock.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer="wireflow maintainers <wireflow@packages.invalid>"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/src/debian"

# Placeholders of deploy/debian/*.in, per package.
declare -A units state_dirs purge_dirs restart_units stop_units
units[wireflow-probe]="wireflow-probe@.service wireflow-hugepages.service"
units[wireflow-collector]="wireflow-collector.service"
state_dirs[wireflow-probe]=""
state_dirs[wireflow-collector]="/var/lib/wireflow/collector"
purge_dirs[wireflow-probe]="/var/lib/wireflow/probe-*"
purge_dirs[wireflow-collector]="/var/lib/wireflow/collector"
# Probes are not restarted by an upgrade: a restart splits every live flow,
# so the operator restarts them one at a time (user guide § 9.3).
restart_units[wireflow-probe]=""
restart_units[wireflow-collector]="wireflow-collector.service"
stop_units[wireflow-probe]="wireflow-probe@*.service wireflow-hugepages.service"
stop_units[wireflow-collector]="wireflow-collector.service"

declare -A summary description extra_depends recommends section
section[wireflow-probe]=net
section[wireflow-collector]=net
summary[wireflow-probe]="kernel-bypass network flow probe (DPDK, nDPI)"
description[wireflow-probe]=" wireflow-probe captures packets from DPDK-bound NICs, kernel interfaces
 (af_packet) or capture files, builds bidirectional flow records, tags them
 with nDPI and sends them in protobuf batches over ZeroMQ to
 wireflow-collector. Run one instance per monitored interface with the
 systemd unit wireflow-probe@NAME, which reads /etc/wireflow/probe-NAME.conf.
 wireflow-setup-dpdk reserves hugepages, binds NICs to vfio-pci and turns
 off receive/segmentation offloads on captured interfaces."
extra_depends[wireflow-probe]="adduser, ethtool"
recommends[wireflow-probe]="dpdk"
summary[wireflow-collector]="network flow collector with PostgreSQL store and web dashboard"
description[wireflow-collector]=" wireflow-collector receives flow batches from wireflow-probe over ZeroMQ,
 stores them in PostgreSQL, keeps live hosts and host pools, evaluates
 alerts and IP blacklists, and serves a REST API and a web dashboard, in the
 manner of ntopng. wireflow-collector-init-db creates its role, database and
 schema on a local PostgreSQL."
extra_depends[wireflow-collector]="adduser, postgresql-client-15 | postgresql-client"
# The runtime libraries (libmaxminddb0, libgeoip1) come from dpkg-shlibdeps;
# geoip-database is the legacy country data the collector reads when no
# MaxMind DB file is configured (--geoip-legacy-dir).
recommends[wireflow-collector]="postgresql-15 | postgresql, ieee-data, geoip-database"

cat > "$work/src/debian/control" <<EOF
Source: wireflow
Maintainer: $maintainer

Package: wireflow-probe
Architecture: any

Package: wireflow-collector
Architecture: any
EOF

# man page from a program's --help output (the reference users see anyway).
make_man() {  # NAME SECTION SUMMARY HELP_TEXT DEST
  local upper
  upper=$(echo "$1" | tr '[:lower:]' '[:upper:]')
  {
    printf '.TH %s %s "%s" "wireflow %s" "wireflow"\n' "$upper" "$2" \
      "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" "$version"
    printf '.SH NAME\n%s \\- %s\n.SH DESCRIPTION\n.nf\n' "$1" "$3"
    printf '%s\n' "$4" | sed -e 's/\\/\\e/g' -e 's/^[.'\'']/\\\&&/'
    printf '.fi\n.SH SEE ALSO\nThe user guide, /usr/share/doc/wireflow-collector/user-guide.md.gz\n'
  } | gzip -9n > "$5"
}

stage() {  # PACKAGE: fills $work/PACKAGE with the package's files
  local p=$1 d=$work/$1
  install -d "$d/DEBIAN" "$d/usr/bin" "$d/usr/sbin" "$d/etc/wireflow" "$d/lib/systemd/system" \
    "$d/usr/share/man/man8" "$d/usr/share/doc/$p"
  case $p in
    wireflow-probe)
      install -m 755 "$build/probe/wireflow-probe" "$d/usr/bin/"
      install -m 755 deploy/setup-dpdk.sh "$d/usr/sbin/wireflow-setup-dpdk"
      install -m 644 deploy/etc/probe.conf deploy/etc/dpdk.conf "$d/etc/wireflow/"
      install -m 644 deploy/systemd/wireflow-probe@.service deploy/systemd/wireflow-hugepages.service "$d/lib/systemd/system/"
      make_man wireflow-probe 8 "${summary[$p]}" "$("$build/probe/wireflow-probe" --help)" "$d/usr/share/man/man8/wireflow-probe.8.gz"
      make_man wireflow-setup-dpdk 8 "prepare NICs and hugepages for wireflow-probe" "$(bash deploy/setup-dpdk.sh --help)" \
        "$d/usr/share/man/man8/wireflow-setup-dpdk.8.gz"
      ;;
    wireflow-collector)
      install -m 755 "$build/collector/wireflow-collector" "$d/usr/bin/"
      install -m 755 deploy/wireflow-collector-init-db "$d/usr/sbin/"
      install -m 644 deploy/etc/collector.conf "$d/etc/wireflow/"
      install -m 644 deploy/systemd/wireflow-collector.service "$d/lib/systemd/system/"
      install -D -m 644 deploy/firewall/ufw-wireflow "$d/etc/ufw/applications.d/wireflow"
      install -D -m 644 deploy/firewall/wireflow.nft "$d/usr/share/doc/$p/examples/wireflow.nft"
      install -d "$d/usr/share/wireflow/ui-static"
      # The dashboard as served: no npm metadata, no node_modules.
      cp -r ui-static/index.html ui-static/css ui-static/js ui-static/vendor "$d/usr/share/wireflow/ui-static/"
      find "$d/usr/share/wireflow" -type d -exec chmod 755 {} + -o -type f -exec chmod 644 {} +
      gzip -9n < docs/user-guide.md > "$d/usr/share/doc/$p/user-guide.md.gz"
      make_man wireflow-collector 8 "${summary[$p]}" "$("$build/collector/wireflow-collector" --help)" \
        "$d/usr/share/man/man8/wireflow-collector.8.gz"
      make_man wireflow-collector-init-db 8 "create the collector's PostgreSQL role, database and schema" \
        "$(sed -n '2,13s/^# \{0,1\}//p' deploy/wireflow-collector-init-db)" "$d/usr/share/man/man8/wireflow-collector-init-db.8.gz"
      ;;
  esac
  rmdir --ignore-fail-on-non-empty "$d/usr/sbin"
  # Debug symbols and the sanitizers' notes stay in the build tree.
  for f in "$d"/usr/bin/*; do
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
  done
  sed "s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/; s/@VERSION@/$version/; s/@MAINTAINER@/$maintainer/" \
    deploy/debian/changelog.in | gzip -9n > "$d/usr/share/doc/$p/changelog.gz"
  install -m 644 deploy/debian/copyright "$d/usr/share/doc/$p/copyright"

  for script in postinst prerm postrm; do
    sed -e "s|@PACKAGE@|$p|" -e "s|@UNITS@|${units[$p]}|" -e "s|@STATE_DIRS@|${state_dirs[$p]}|" \
      -e "s|@PURGE_DIRS@|${purge_dirs[$p]}|" -e "s|@RESTART_UNITS@|${restart_units[$p]}|" \
      -e "s|@STOP_UNITS@|${stop_units[$p]}|" "deploy/debian/$script.in" > "$d/DEBIAN/$script"
    chmod 755 "$d/DEBIAN/$script"
  done
  (cd "$d" && find etc -type f | sort | sed 's|^|/|') > "$d/DEBIAN/conffiles"

  local shlibs bins=()
  for f in "$d"/usr/bin/*; do bins+=("-e$f"); done
  shlibs=$(cd "$work/src" && dpkg-shlibdeps -O "${bins[@]}" | sed -n 's/^shlibs:Depends=//p')
  [ -n "$shlibs" ] || die "dpkg-shlibdeps found no dependencies for $p"
  cat > "$d/DEBIAN/control" <<EOF
Package: $p
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$d" | cut -f1)
Depends: $shlibs, ${extra_depends[$p]}
Recommends: ${recommends[$p]}
Section: ${section[$p]}
Priority: optional
Description: ${summary[$p]}
${description[$p]}
EOF
  (cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$d/DEBIAN/md5sums"
  find "$d" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

for p in wireflow-probe wireflow-collector; do
  stage "$p"
  deb="$out/${p}_${version}_${arch}.deb"
  dpkg-deb --root-owner-group -Z"$compress" --build "$work/$p" "$deb" >/dev/null
  echo "$deb"
done
if ((run_lintian)); then
  lintian --info "$out"/wireflow-probe_"${version}"_"$arch".deb "$out"/wireflow-collector_"${version}"_"$arch".deb
fi
