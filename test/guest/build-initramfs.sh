#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds the guest's busybox initramfs from the installed Debian packages, at
# test time, into a work directory (argument; default test/guest/work/):
#
#   WORK/initramfs.cpio.gz   busybox-static, the virtio-net modules of the
#                            installed Debian kernel, /init (test/guest/init),
#                            /bin/vhostu-ethtool (static, from vhostu-ethtool.c),
#                            /bin/vhostu-tcp (static, from vhostu-tcp.c)
#   WORK/vmlinuz             a copy of that kernel's image
#   WORK/kernel-version      its version
#
# Idempotent: does nothing when the inputs (kernel, modules, busybox, init,
# helper source, this script) are unchanged since the last build.
# Needs: busybox-static, cpio, gzip, linux-image-amd64; gcc and libc6-dev for
# the helpers (without them the image is built without them: multi-queue
# tests report that they cannot enable the second queue pair, TCP tests that
# they have no sender).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$here/work}
modules_wanted="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net"

die() { echo "build-initramfs: error: $*" >&2; exit 1; }
say() { echo "build-initramfs: $*" >&2; }

busybox=/bin/busybox
bb_help=$("$busybox" --help 2>&1 || true)
# shellcheck disable=SC2015  # die is the only way out: not an if-then-else
[ -x "$busybox" ] && [[ $bb_help == BusyBox* ]] ||
	die "no busybox at $busybox (apt-get install busybox-static)"
# busybox-static: the binary must not need a dynamic loader in the guest.
if file_out=$(LC_ALL=C readelf -l "$busybox" 2>/dev/null); then
	! grep -q 'Requesting program interpreter' <<<"$file_out" ||
		die "$busybox is dynamically linked: install busybox-static, not busybox"
fi
command -v cpio >/dev/null || die "cpio missing (apt-get install cpio)"

# The kernel: the newest /boot/vmlinuz-VER that has the virtio_net module.
kver=
# shellcheck disable=SC2012  # kernel file names: no odd characters
for k in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -rV); do
	if find "/lib/modules/$k/kernel/drivers/net" -name 'virtio_net.ko*' 2>/dev/null | grep -q .; then
		kver=$k
		break
	fi
done
[ -n "$kver" ] || die "no /boot/vmlinuz-* with a virtio_net module under /lib/modules (apt-get install linux-image-amd64)"
kimage=/boot/vmlinuz-$kver
[ -r "$kimage" ] || die "$kimage is not readable (run as root)"

module_file() {
	local f
	f=$(find "/lib/modules/$kver/kernel" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" -o -name "$1.ko.gz" | head -n 1)
	[ -n "$f" ] || die "module $1 not found under /lib/modules/$kver"
	echo "$f"
}

mods=
for m in $modules_wanted; do
	mods="$mods $(module_file "$m")"
done

# Fingerprint of every input: rebuild only when one changes.
stamp_now=$( {
	echo "$kver"
	# shellcheck disable=SC2086
	sha256sum "$kimage" "$busybox" $mods "$here/init" "$here/vhostu-ethtool.c" "$here/vhostu-tcp.c" \
		"$0"
	command -v gcc >/dev/null && gcc --version | head -n 1
} | sha256sum | cut -d' ' -f1)

if [ -f "$work/stamp" ] && [ "$(cat "$work/stamp")" = "$stamp_now" ] &&
	[ -f "$work/initramfs.cpio.gz" ] && [ -f "$work/vmlinuz" ]; then
	exit 0
fi

say "building the guest initramfs for kernel $kver in $work"
mkdir -p "$work"
root="$work/root"
rm -rf "$root" "$work/stamp"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,lib/modules}
cp "$busybox" "$root/bin/busybox"
# The kernel opens /dev/console before /init runs; /init mounts devtmpfs anyway.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
for m in $mods; do
	name=$(basename "$m")
	case "$name" in
	*.ko.xz) xz -dc "$m" >"$root/lib/modules/${name%.xz}" ;;
	*.ko.zst) zstd -qdc "$m" >"$root/lib/modules/${name%.zst}" ;;
	*.ko.gz) gzip -dc "$m" >"$root/lib/modules/${name%.gz}" ;;
	*) cp "$m" "$root/lib/modules/$name" ;;
	esac
done
echo "$modules_wanted" >"$root/lib/modules/order"
install -m 0755 "$here/init" "$root/init"

if command -v gcc >/dev/null && gcc -static -Os -Wall -Wextra -Werror \
	-o "$root/bin/vhostu-ethtool" "$here/vhostu-ethtool.c" 2>"$work/helper.log"; then
	strip "$root/bin/vhostu-ethtool" 2>/dev/null || true
else
	say "warning: could not build the static vhostu-ethtool helper (gcc, libc6-dev?): see $work/helper.log;"
	say "warning: guests will not be able to enable more than one queue pair"
	rm -f "$root/bin/vhostu-ethtool"
fi
if command -v gcc >/dev/null && gcc -static -O2 -Wall -Wextra -Werror \
	-o "$root/bin/vhostu-tcp" "$here/vhostu-tcp.c" 2>"$work/helper-tcp.log"; then
	strip "$root/bin/vhostu-tcp" 2>/dev/null || true
else
	say "warning: could not build the static vhostu-tcp helper: see $work/helper-tcp.log"
	rm -f "$root/bin/vhostu-tcp"
fi

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$work/initramfs.cpio.gz.tmp"
mv "$work/initramfs.cpio.gz.tmp" "$work/initramfs.cpio.gz"
cp "$kimage" "$work/vmlinuz.tmp" && mv "$work/vmlinuz.tmp" "$work/vmlinuz"
echo "$kver" >"$work/kernel-version"
echo "$stamp_now" >"$work/stamp"
say "done: $work/vmlinuz, $work/initramfs.cpio.gz"
