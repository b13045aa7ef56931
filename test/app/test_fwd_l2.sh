#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vhostu-fwd with two dpdk-testpmd virtio-user peers: A sends (txonly, 2
# queues), B receives (rxonly). Frames must reach B through an l2 xconnect,
# then through a bridge domain (flooded, A's MAC learned); deleting B while A
# still sends must leave vhostu-fwd working, and quit must exit 0.
# Time-bounded; kills what it starts. Skips (77) without dpdk-testpmd.
set -u
fwd=${1:?usage: test_fwd_l2.sh path/to/vhostu-fwd}
command -v dpdk-testpmd >/dev/null || { echo "SKIP: no dpdk-testpmd"; exit 77; }
dir=$(mktemp -d /tmp/vhostu-l2-test.XXXXXX)
pids=()
cleanup() {
	exec 3>&- 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$dir"/*.out; do echo "--- $f"; tail -40 "$f"; done; exit 1; }
cmd() { echo "$*" >&3; }
# wait_for FILE REGEX SECONDS
wait_for() {
	for _ in $(seq 1 $(($3 * 10))); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# the last count of a counter line of `show interface` for an interface
counter() { awk -v n="$1" -v c="$2" '
	$1 ~ /^VirtualEthernet/ { cur = $1 }
	cur == n && index($0, c) { v = $NF }
	END { print v + 0 }' "$dir/fwd.out"; }

mkfifo "$dir/in"
"$fwd" --no-huge -m 256 --no-pci --no-shconf -l 0,1 -- <"$dir/in" >"$dir/fwd.out" 2>&1 &
pids+=($!)
exec 3>"$dir/in"
cmd "create vhost-user socket $dir/a.sock server"
cmd "create vhost-user socket $dir/b.sock server"
cmd "set interface state VirtualEthernet0/0/0 up"
cmd "set interface state VirtualEthernet0/0/1 up"
cmd "set interface l2 xconnect VirtualEthernet0/0/0 VirtualEthernet0/0/1"
cmd "set interface l2 xconnect VirtualEthernet0/0/1 VirtualEthernet0/0/0"
wait_for "$dir/fwd.out" '^VirtualEthernet0/0/1$' 20 || fail "interfaces not created"

tp="dpdk-testpmd -l 0,1 --no-huge -m 512 --no-pci"
mkfifo "$dir/a.in" "$dir/b.in"
# shellcheck disable=SC2086  # $tp: the command and its options
stdbuf -oL $tp --file-prefix="l2a$$" --vdev "net_virtio_user0,path=$dir/a.sock,queues=2" \
	-- -i --rxq=2 --txq=2 --total-num-mbufs=16384 <"$dir/a.in" >"$dir/a.out" 2>&1 &
pids+=($!)
exec 4>"$dir/a.in"
# shellcheck disable=SC2086
stdbuf -oL $tp --file-prefix="l2b$$" --vdev "net_virtio_user0,path=$dir/b.sock" \
	-- -i --total-num-mbufs=16384 <"$dir/b.in" >"$dir/b.out" 2>&1 &
pids+=($!)
exec 5>"$dir/b.in"
wait_for "$dir/a.out" 'testpmd> ' 30 || fail "peer A did not start"
wait_for "$dir/b.out" 'testpmd> ' 30 || fail "peer B did not start"
echo "set fwd rxonly" >&5; echo "start" >&5
echo "set fwd txonly" >&4; echo "start" >&4

# xconnect: B's port receives what A sends
for _ in $(seq 1 20); do
	cmd "show interface VirtualEthernet0/0/1"; sleep 0.5
	[ "$(counter VirtualEthernet0/0/1 'tx packets')" -gt 0 ] && break
done
[ "$(counter VirtualEthernet0/0/1 'tx packets')" -gt 0 ] || fail "nothing crossed the xconnect"
cmd "show vhost-user VirtualEthernet0/0/0"
wait_for "$dir/fwd.out" 'thread 1 on vring 3' 10 || fail "rx placement of A's 2 queues not shown"

# bridge: A's frames flood to B, A's source MAC is learned
cmd "set interface l2 bridge VirtualEthernet0/0/0 7"
cmd "set interface l2 bridge VirtualEthernet0/0/1 7"
before=$(counter VirtualEthernet0/0/1 'tx packets')
for _ in $(seq 1 20); do
	cmd "show interface VirtualEthernet0/0/1"; sleep 0.5
	[ "$(counter VirtualEthernet0/0/1 'tx packets')" -gt "$before" ] && break
done
[ "$(counter VirtualEthernet0/0/1 'tx packets')" -gt "$before" ] || fail "nothing crossed the bridge"
cmd "show l2fib"
wait_for "$dir/fwd.out" '^[ ]*[0-9a-f:]{17} +7 +1 ' 10 || fail "A's MAC not learned"
cmd "show bridge-domain 7 detail"
wait_for "$dir/fwd.out" 'VirtualEthernet0/0/1 +2 ' 10 || fail "bridge-domain members not shown"

# delete B while A sends: the switch goes on
cmd "delete vhost-user VirtualEthernet0/0/1"
cmd "show interface"
sleep 1
cmd "show interface VirtualEthernet0/0/0"
wait_for "$dir/fwd.out" 'unknown interface|FAIL' 1 && fail "unexpected error"
kill -0 "${pids[0]}" 2>/dev/null || fail "vhostu-fwd died after delete"
echo "stop" >&4; echo "quit" >&4; echo "stop" >&5; echo "quit" >&5
cmd "quit"
exec 3>&-
wait "${pids[0]}"; rc=$?
[ "$rc" = 0 ] || fail "vhostu-fwd exit status $rc"
echo "PASS"
