#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Idempotent set-up for a Debian 12 machine: installs every package the build,
# the run and the tests need, and fetches the four DPDK driver SDK headers that
# Debian's libdpdk-dev does not ship, from the source package of exactly the
# installed DPDK version, into build-deps/dpdk-sdk (ignored by git).
#
# scripts/setup.sh --max-ports N (32 < N <= 1024) also builds that same DPDK
# source package with RTE_MAX_ETHPORTS = N (meson -Dmax_ethports=N), only the
# libraries and drivers vhostu and its tests use, and installs it under
# build-deps/dpdk-N. Build vhostu against it (doc/user-guide.md, "More than 32
# interfaces"):
#     PKG_CONFIG_PATH=$PWD/build-deps/dpdk-N/lib/<multiarch>/pkgconfig meson setup build-N .
#     ninja -C build-N
# dpdk-testpmd and the peers keep using the system's DPDK. DPDK_JOBS (default 2)
# and DPDK_BUILDTYPE (default release; plain builds much faster, unoptimised, for a
# quick test on a busy machine) change how DPDK is built.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
sdk="$top/build-deps/dpdk-sdk"
sdk_headers="lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h
drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/dev_driver.h"

packages="meson ninja-build pkg-config gcc libc6-dev libdpdk-dev dpdk-dev dpdk
libbsd-dev libcunit1-dev python3 python3-pyelftools dpkg-dev xz-utils iproute2
qemu-system-x86 linux-image-amd64 busybox-static cpio procps psmisc
clang llvm libclang-rt-14-dev shellcheck pyflakes3"

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing_packages() {
	local p
	for p in $packages; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			echo "$p"
	done
}

install_packages() {
	local need
	need=$(missing_packages | tr '\n' ' ')
	[ -z "${need// /}" ] && return 0
	say "installing: $need"
	as_root apt-get update -q
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need
}

# The system's own driver SDK headers win when DPDK was built with enable_driver_sdk.
system_has_sdk() {
	[ -f /usr/include/dpdk/ethdev_driver.h ] && [ -f /usr/include/dpdk/bus_vdev_driver.h ]
}

# deb-src entries for the machine's own deb entries: the same URIs, suites,
# components and options (a local mirror serves the sources too), from
# /etc/apt/sources.list, sources.list.d/*.list (one-line format) and
# sources.list.d/*.sources (deb822). Entries that already have a deb-src
# twin, disabled ones and our own files are left out.
src_list=/etc/apt/sources.list.d/vhostu-deb-src.list
src_sources=/etc/apt/sources.list.d/vhostu-deb-src.sources

deb_src_lines() {
	local f files=()
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && [ "$f" != "$src_list" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "${files[@]}" | sort -u |
		while read -r line; do
			# unless the machine has that deb-src line already
			grep -qxF "$line" "${files[@]}" || echo "$line"
		done
}

deb_src_paragraphs() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		if [ ! -f "$f" ] || [ "$f" = "$src_sources" ]; then
			continue
		fi
		awk 'BEGIN { RS = ""; FS = "\n" }
		{
			types = ""; enabled = 1
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^Types:/) types = $i
				if ($i ~ /^Enabled:[[:space:]]*no/) enabled = 0
			}
			if (!enabled || types !~ /[[:space:]]deb([[:space:]]|$)/ || types ~ /deb-src/)
				next
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^Types:/) print "Types: deb-src"
				else if ($i !~ /^#/) print $i
			}
			print ""
		}' "$f"
	done
}

# Write (or remove) one of our files; true when it changed.
write_if_changed() {
	local path=$1 content=$2
	if [ -z "$content" ]; then
		[ -e "$path" ] || return 1
		as_root rm -f "$path"
		return 0
	fi
	[ -f "$path" ] && [ "$(cat "$path")" = "$content" ] && return 1
	printf '%s\n' "$content" | as_root tee "$path" >/dev/null
}

ensure_deb_src() {
	local lines paragraphs changed=0
	lines=$(deb_src_lines)
	paragraphs=$(deb_src_paragraphs)
	if [ -z "$lines$paragraphs" ] &&
			! apt-get indextargets 2>/dev/null | grep -q 'Created-By: Sources'; then
		die "no deb entry in the apt sources to derive a deb-src entry from"
	fi
	write_if_changed "$src_list" "$lines" && changed=1
	write_if_changed "$src_sources" "$paragraphs" && changed=1
	if [ "$changed" = 1 ] ||
			! apt-get indextargets 2>/dev/null | grep -q 'Created-By: Sources'; then
		say "deb-src entries for the machine's own apt sources"
		as_root apt-get update -q
	fi
}

fetch_sdk_headers() {
	local ver stamp tmp orig h upstream
	ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
	stamp="$sdk/.version"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver" ]; then
		return 0
	fi
	ensure_deb_src
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	say "fetching DPDK source $ver for the driver SDK headers"
	(cd "$tmp" && apt-get source --download-only -q "dpdk=$ver" >/dev/null 2>&1) ||
		die "cannot download the DPDK source package version $ver (is a deb-src entry for it reachable?)"
	orig=$(find "$tmp" -maxdepth 1 -name 'dpdk_*.orig.tar.*' | head -n 1)
	[ -n "$orig" ] || die "no upstream tarball in the DPDK source package $ver"
	upstream=$(pkg-config --modversion libdpdk)
	case "$orig" in
	*"dpdk_$upstream.orig"*) ;;
	*) die "DPDK source $orig does not match installed libdpdk $upstream" ;;
	esac
	# shellcheck disable=SC2046
	tar -xf "$orig" -C "$tmp" --wildcards $(for h in $sdk_headers; do echo "*/$h"; done)
	mkdir -p "$sdk"
	for h in $sdk_headers; do
		cp "$(find "$tmp" -path "*/$h" | head -n 1)" "$sdk/" ||
			die "header $h missing from the DPDK source $ver"
	done
	echo "$ver" >"$stamp"
	say "driver SDK headers for DPDK $ver in $sdk"
}

check_versions() {
	local ver src
	ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
	system_has_sdk && return 0
	src=$(cat "$sdk/.version" 2>/dev/null || echo none)
	[ "$src" = "$ver" ] ||
		die "SDK headers are from DPDK $src but libdpdk-dev is $ver: delete $sdk and rerun"
}

# --- DPDK with more ports (--max-ports N) ---

# Built only for --max-ports: libnuma as Debian's DPDK has it.
max_ports_packages="libnuma-dev"

# Optional libraries nothing here uses (the always-built ones cannot be
# disabled). Kept: vhost and its cryptodev/dmadev/hash (net_vhost), pdump,
# pcapng and bpf (packet capture), gso and gro (segmentation in software).
max_ports_disable_libs="acl,bbdev,bitratestats,cfgfile,compressdev,distributor,efd,eventdev,\
fib,flow_classify,gpudev,graph,ip_frag,ipsec,jobstats,kni,latencystats,lpm,member,metrics,\
node,pipeline,port,power,rawdev,regexdev,reorder,rib,sched,security,table,timer"
# The drivers the tests load in vhostu's own processes (the peers are the system's testpmd).
max_ports_drivers="bus/pci,bus/vdev,mempool/ring,net/null,net/ring,net/vhost,net/virtio"
max_ports_want="librte_bus_vdev.so librte_bus_pci.so librte_mempool_ring.so librte_net_null.so
librte_net_ring.so librte_net_vhost.so librte_net_virtio.so"

# The same DPDK as libdpdk-dev (the Debian source package of its exact
# version, Debian's patches applied), with RTE_MAX_ETHPORTS = $1, in
# build-deps/dpdk-$1. Takes long: nice, at most 2 jobs (DPDK_JOBS=...).
build_dpdk_max_ports() {
	local n=$1 ver dest stamp work src multiarch want f opts bt=${DPDK_BUILDTYPE:-release}
	ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
	dest="$top/build-deps/dpdk-$n"
	stamp="$dest/.version"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver max_ethports=$n buildtype=$bt" ]; then
		say "DPDK $ver with $n ports already in $dest"
		return 0
	fi
	packages="$max_ports_packages" install_packages
	ensure_deb_src
	multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	work="$top/build-deps/.dpdk-$n-work"
	rm -rf "$work" "$dest"
	mkdir -p "$work"
	say "fetching the DPDK source package $ver"
	(cd "$work" && apt-get source -q "dpdk=$ver" >"$work/source.log" 2>&1) ||
		die "cannot fetch the DPDK source package $ver (see $work/source.log)"
	src=$(find "$work" -mindepth 2 -maxdepth 2 -name meson_options.txt -printf '%h\n' |
		head -n 1)
	[ -n "$src" ] || die "no DPDK source tree in $work"
	grep -q "option('max_ethports'" "$src/meson_options.txt" ||
		die "the DPDK source $ver has no max_ethports option"
	opts=(--prefix="$dest" --libdir="lib/$multiarch" --buildtype="$bt" -Dmax_ethports="$n")
	# Debian's choices where they matter (generic x86: -march=corei7), and less to build.
	# Options this DPDK version does not know are left out (the applications, such as
	# dpdk-testpmd, come from the system's DPDK).
	for f in platform=generic enable_driver_sdk=true tests=false examples= \
		enable_docs=false enable_kmods=false 'disable_apps=*' \
		disable_libs="$max_ports_disable_libs" enable_drivers="$max_ports_drivers"; do
		if grep -q "option('${f%%=*}'" "$src/meson_options.txt"; then
			opts+=("-D$f")
		fi
	done
	say "building DPDK $ver with $n ports in $work/build (log: $work/build.log)"
	{ meson setup "$work/build" "$src" "${opts[@]}" &&
		nice ninja -C "$work/build" -j "${DPDK_JOBS:-2}" &&
		meson install -C "$work/build" --quiet; } >"$work/build.log" 2>&1 ||
		die "DPDK build failed (see $work/build.log)"
	grep -q "^#define RTE_MAX_ETHPORTS $n\$" "$dest/include/rte_build_config.h" ||
		die "$dest: RTE_MAX_ETHPORTS is not $n"
	want=$max_ports_want
	for f in $want; do
		[ -e "$dest/lib/$multiarch/$f" ] ||
			die "$dest: $f was not built (see $work/build.log)"
	done
	echo "$ver max_ethports=$n buildtype=$bt" >"$stamp"
	rm -rf "$work"
	say "DPDK $ver with $n ports in $dest; build vhostu against it with:"
	say "  PKG_CONFIG_PATH=$dest/lib/$multiarch/pkgconfig meson setup build-$n ."
	say "  ninja -C build-$n"
}

# Hugepages for the capture test (test/peer/test_ops.py): dpdk-dumpcap, a
# secondary process, must map the switch's memory, and --no-huge memory cannot
# be. Every other program here runs --no-huge. 256 MB of 2 MB pages on a
# mounted hugetlbfs, reserved when fewer are free; if the machine refuses,
# the test skips its capture part and says why.
hugepages_2m=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

ensure_hugepages() {
	local want=128 free total
	[ -e "$hugepages_2m" ] || return 0
	if ! grep -qs ' hugetlbfs ' /proc/mounts; then
		as_root mkdir -p /dev/hugepages
		as_root mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages 2>/dev/null || {
			say "warning: cannot mount hugetlbfs: the capture test will skip"
			return 0
		}
	fi
	free=$(cat "${hugepages_2m%nr_hugepages}free_hugepages")
	total=$(cat "$hugepages_2m")
	[ "$free" -ge "$want" ] && return 0
	echo $((total + want - free)) | as_root tee "$hugepages_2m" >/dev/null 2>&1 || true
	free=$(cat "${hugepages_2m%nr_hugepages}free_hugepages")
	if [ "$free" -ge "$want" ]; then
		say "reserved $want hugepages of 2 MB"
	else
		say "warning: only $free free hugepages of 2 MB: the capture test will skip"
	fi
}

max_ports=
while [ $# -gt 0 ]; do
	case "$1" in
	--max-ports)
		[ $# -ge 2 ] || die "--max-ports needs a number"
		max_ports=$2
		shift 2
		;;
	--max-ports=*)
		max_ports=${1#--max-ports=}
		shift
		;;
	-h | --help)
		sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		die "unknown argument \`$1' (usage: scripts/setup.sh [--max-ports N])"
		;;
	esac
done
if [ -n "$max_ports" ]; then
	case "$max_ports" in
	'' | *[!0-9]*) die "--max-ports: \`$max_ports' is not a number" ;;
	esac
	if [ "$max_ports" -le 32 ] || [ "$max_ports" -gt 1024 ]; then
		die "--max-ports: $max_ports is not in 33..1024 (32 is Debian's own DPDK)"
	fi
fi

install_packages
system_has_sdk || fetch_sdk_headers
check_versions
ensure_hugepages
[ -z "$max_ports" ] || build_dpdk_max_ports "$max_ports"
say "ready"
