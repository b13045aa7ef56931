#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Idempotent set-up for a Debian 12 machine: installs every package the build,
# the run and the tests need, and fetches the four DPDK driver SDK headers that
# Debian's libdpdk-dev does not ship, from the source package of exactly the
# installed DPDK version, into build-deps/dpdk-sdk (ignored by git).
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

install_packages
system_has_sdk || fetch_sdk_headers
check_versions
ensure_hugepages
say "ready"
