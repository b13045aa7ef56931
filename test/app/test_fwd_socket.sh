#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vhostu-fwd started with a command file that creates a server interface: the
# socket must accept a connection, bridge domain ids can be used one after the
# other without end (a domain goes with its last member); a stdin line longer than the shell takes is
# refused whole (its tail, a valid command, must not run); then `quit` on
# stdin ends it with status 0.
# Time-bounded; kills what it starts.
set -u
fwd=${1:?usage: test_fwd_socket.sh path/to/vhostu-fwd}
dir=$(mktemp -d /tmp/vhostu-fwd-test.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$dir/out" 2>/dev/null; exit 1; }

cat > "$dir/cmds.cli" <<CLI
# a comment, then a blank line

create vhost-user socket $dir/s1.sock server
set interface state VirtualEthernet0/0/0 up
show interface
CLI
# 200 bridge domains, one after the other: each goes with its last member
for bd in $(seq 1 200); do
	echo "set interface l2 bridge VirtualEthernet0/0/0 $bd"
done >> "$dir/cmds.cli"
echo "show bridge-domain" >> "$dir/cmds.cli"
mkfifo "$dir/in"
"$fwd" --no-huge -m 256 --no-pci --no-shconf -l 0,1 --file-prefix="vt$$" -- \
	--cmdline-file "$dir/cmds.cli" <"$dir/in" >"$dir/out" 2>&1 &
pid=$!
exec 3>"$dir/in"	# keep stdin open: vhostu-fwd reads commands from it

for _ in $(seq 1 300); do	# up to 30 s
	[ -S "$dir/s1.sock" ] && grep -q '^VirtualEthernet0/0/0  *1  *up' "$dir/out" && break
	kill -0 "$pid" 2>/dev/null || fail "vhostu-fwd exited early"
	sleep 0.1
done
[ -S "$dir/s1.sock" ] || fail "no socket $dir/s1.sock"
grep -q '^VirtualEthernet0/0/0$' "$dir/out" || fail "create did not print the name"
for _ in $(seq 1 100); do
	grep -q '^  *200  *1  *0  ' "$dir/out" && break
	sleep 0.1
done
grep -q '^  *200  *1  *0  ' "$dir/out" || fail "bridge domain 200 not made (domains never freed?)"
[ "$(grep -c '^  *[0-9][0-9]*  *[0-9][0-9]*  *0  ' "$dir/out")" = 1 ] ||
	fail "show bridge-domain lists domains that have no member"

python3 - "$dir/s1.sock" <<'PY' || fail "socket did not accept a connection"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.close()
PY

# 4095 bytes of comment, then a command: the whole line is too long
{ printf '#'; head -c 4094 /dev/zero | tr '\0' x
	echo "create vhost-user socket $dir/tail.sock server"; } >&3
for _ in $(seq 1 100); do	# up to 10 s
	grep -q 'line too long' "$dir/out" || [ -S "$dir/tail.sock" ] && break
	sleep 0.1
done
[ -S "$dir/tail.sock" ] && fail "the tail of an over-long line ran as a command"
grep -q '^line too long (at most 4094 characters): refused$' "$dir/out" ||
	fail "no error for an over-long line"

echo "quit" >&3
exec 3>&-
for _ in $(seq 1 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "vhostu-fwd did not quit"
wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "exit status $rc"
[ -S "$dir/s1.sock" ] || fail "the socket file must stay after quit"
echo "PASS"
