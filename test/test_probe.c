/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhostu probe and remove through EAL's vdev bus: bad device arguments
 * leave no port, socket or fd behind; server sockets are made only where
 * nothing else lives, and are never taken from a live listener.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "rte_pmd_vhostu.h"
#include "test_common.h"

static char dir[64];
static char shared_dir[80];	/* mode 0777: another uid may search it and unlink in it */

static const char *
sock_path(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sa.sun_path, path, RTE_MIN(strlen(path), sizeof(sa.sun_path) - 1));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int
listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sa.sun_path, path, RTE_MIN(strlen(path), sizeof(sa.sun_path) - 1));
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(listen(fd, 1) == 0);
	return fd;
}

static void
test_bad_devargs_leave_nothing_behind(void)
{
	static const char *const bad[] = {
		"iface=%s/bad.sock,server=1,queues=0",
		"iface=%s/bad.sock,server=1,feature-mask=zz",
		"iface=%s/bad.sock,server=1,hwaddr=1:2",
		"server=1",
		"iface=%s/bad.sock,server=1,nonsense=1",
		("iface=%s/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock,server=1"),	/* path too long */
	};
	int fds = count_fds();
	char args[512];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(args, sizeof(args), bad[i], dir);
		CU_ASSERT(rte_vdev_init("net_vhostu_bad", args) < 0);
		CU_ASSERT_EQUAL(rte_eth_dev_count_avail(), 0);
		CU_ASSERT_FALSE(exists(sock_path("bad.sock")));
	}
	CU_ASSERT_EQUAL(count_fds(), fds);
}

static void
test_server_port_listens_and_delete_keeps_the_socket_file(void)
{
	char args[256];
	uint16_t port;
	int fd, fds = count_fds();
	struct rte_pmd_vhostu_info info;

	snprintf(args, sizeof(args), "iface=%s,server=1,queues=2", sock_path("s1.sock"));
	CU_ASSERT_EQUAL_FATAL(rte_vdev_init("net_vhostu_s1", args), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_get_port_by_name("net_vhostu_s1", &port), 0);
	CU_ASSERT_TRUE(rte_pmd_vhostu_is_vhostu(port));
	CU_ASSERT_EQUAL(rte_pmd_vhostu_get_info(port, &info), 0);
	CU_ASSERT_TRUE(info.server);
	CU_ASSERT_EQUAL(info.max_queue_pairs, 2);
	CU_ASSERT_EQUAL(info.features_offered, 0xd7c62bb8bULL);
	fd = connect_to(sock_path("s1.sock"));
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		close(fd);
	/* A second port on the same socket is refused; the first keeps it. */
	snprintf(args, sizeof(args), "iface=%s,server=1", sock_path("s1.sock"));
	CU_ASSERT(rte_vdev_init("net_vhostu_s1b", args) < 0);
	fd = connect_to(sock_path("s1.sock"));
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		close(fd);
	CU_ASSERT_EQUAL(rte_vdev_uninit("net_vhostu_s1"), 0);
	CU_ASSERT_FALSE(rte_eth_dev_is_valid_port(port));
	CU_ASSERT_TRUE(exists(sock_path("s1.sock")));	/* as VPP: delete keeps the file */
	CU_ASSERT_EQUAL(connect_to(sock_path("s1.sock")), -ECONNREFUSED);
	/* The stale socket is taken over by the next port. */
	snprintf(args, sizeof(args), "iface=%s,server=1", sock_path("s1.sock"));
	CU_ASSERT_EQUAL(rte_vdev_init("net_vhostu_s1", args), 0);
	CU_ASSERT_EQUAL(rte_vdev_uninit("net_vhostu_s1"), 0);
	CU_ASSERT_EQUAL(count_fds(), fds);
}

static void
test_server_never_removes_a_file_or_a_live_listener(void)
{
	char args[256];
	int lfd, fd;
	FILE *f;

	f = fopen(sock_path("precious.txt"), "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("keep me\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "iface=%s,server=1", sock_path("precious.txt"));
	CU_ASSERT(rte_vdev_init("net_vhostu_p", args) < 0);
	CU_ASSERT_TRUE(exists(sock_path("precious.txt")));
	CU_ASSERT_EQUAL(rte_eth_dev_count_avail(), 0);

	lfd = listen_on(sock_path("other.sock"));
	snprintf(args, sizeof(args), "iface=%s,server=1", sock_path("other.sock"));
	CU_ASSERT(rte_vdev_init("net_vhostu_o", args) < 0);
	fd = connect_to(sock_path("other.sock"));	/* still the other listener's */
	CU_ASSERT(fd >= 0);
	if (fd >= 0)
		close(fd);
	close(lfd);
}

/*
 * A live socket of another type at the path: our stream connect gets
 * EPROTOTYPE, not ECONNREFUSED, so the socket is not stale and stays.
 */
static void
test_server_keeps_a_live_socket_of_another_type(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat before, after;
	char args[256];
	int dfd, ret;

	strlcpy(sa.sun_path, sock_path("dgram.sock"), sizeof(sa.sun_path));
	dfd = socket(AF_UNIX, SOCK_DGRAM, 0);
	CU_ASSERT_FATAL(dfd >= 0);
	CU_ASSERT_FATAL(bind(dfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_EQUAL(connect_to(sa.sun_path), -EPROTOTYPE);
	CU_ASSERT_EQUAL(lstat(sa.sun_path, &before), 0);
	snprintf(args, sizeof(args), "iface=%s,server=1", sa.sun_path);
	ret = rte_vdev_init("net_vhostu_dg", args);
	CU_ASSERT(ret < 0);
	if (ret == 0)
		rte_vdev_uninit("net_vhostu_dg");
	CU_ASSERT_EQUAL(lstat(sa.sun_path, &after), 0);
	CU_ASSERT_EQUAL(after.st_ino, before.st_ino);	/* the same file, not ours */
	close(dfd);
}

/* The uid of nobody, to probe as a user that root's socket refuses. */
static uid_t
nobody_uid(void)
{
	struct passwd *pw = getpwnam("nobody");

	return pw != NULL ? pw->pw_uid : 65534;
}

/*
 * Another user's live socket (mode 0000 here, owned by whoever runs the
 * test): connect fails with EACCES, which says nothing about staleness, so the
 * socket must stay even where we could unlink it (a directory writable by
 * all). Root passes every permission check, so as root the probe runs with
 * the effective uid of nobody.
 */
static void
test_server_keeps_a_socket_it_may_not_connect_to(void)
{
	char path[128], args[256];
	struct stat before, after;
	bool as_nobody = geteuid() == 0;
	int lfd, ret;

	snprintf(path, sizeof(path), "%s/theirs.sock", shared_dir);
	lfd = listen_on(path);
	CU_ASSERT_FATAL(chmod(path, 0) == 0);
	CU_ASSERT_EQUAL(lstat(path, &before), 0);
	snprintf(args, sizeof(args), "iface=%s,server=1", path);
	if (as_nobody)
		CU_ASSERT_FATAL(seteuid(nobody_uid()) == 0);
	CU_ASSERT_EQUAL(connect_to(path), -EACCES);
	ret = rte_vdev_init("net_vhostu_acc", args);
	if (as_nobody)
		CU_ASSERT_FATAL(seteuid(0) == 0);
	CU_ASSERT(ret < 0);
	if (ret == 0)
		rte_vdev_uninit("net_vhostu_acc");
	CU_ASSERT_EQUAL(lstat(path, &after), 0);
	CU_ASSERT_EQUAL(after.st_ino, before.st_ino);
	CU_ASSERT_TRUE(S_ISSOCK(after.st_mode));
	close(lfd);
	unlink(path);
}

static void
test_server_socket_is_owner_only(void)
{
	char args[256];
	struct stat st;

	snprintf(args, sizeof(args), "iface=%s,server=1", sock_path("mode.sock"));
	CU_ASSERT_EQUAL_FATAL(rte_vdev_init("net_vhostu_m", args), 0);
	CU_ASSERT_EQUAL(lstat(sock_path("mode.sock"), &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(rte_vdev_uninit("net_vhostu_m"), 0);
	/* socket-group: that group may connect too. */
	snprintf(args, sizeof(args), "iface=%s,server=1,socket-group=4242", sock_path("grp.sock"));
	CU_ASSERT_EQUAL_FATAL(rte_vdev_init("net_vhostu_g", args), 0);
	CU_ASSERT_EQUAL(lstat(sock_path("grp.sock"), &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0660);
	CU_ASSERT_EQUAL(st.st_gid, 4242);
	CU_ASSERT_EQUAL(rte_vdev_uninit("net_vhostu_g"), 0);
	snprintf(args, sizeof(args), "iface=%s,server=1,socket-group=no-such-group-here",
		sock_path("grp2.sock"));
	CU_ASSERT(rte_vdev_init("net_vhostu_g2", args) < 0);
	CU_ASSERT_FALSE(exists(sock_path("grp2.sock")));
}

static void
test_client_port_keeps_the_last_connect_error(void)
{
	struct rte_pmd_vhostu_info info;
	char args[256];
	uint16_t port;
	int i;

	snprintf(args, sizeof(args), "iface=%s,reconnect-ms=10", sock_path("nobody.sock"));
	CU_ASSERT_EQUAL_FATAL(rte_vdev_init("net_vhostu_c", args), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_get_port_by_name("net_vhostu_c", &port), 0);
	for (i = 0; i < 300; i++) {	/* up to 3 s for the first attempt */
		CU_ASSERT_EQUAL(rte_pmd_vhostu_get_info(port, &info), 0);
		if (info.sock_errno != 0)
			break;
		usleep(10000);
	}
	CU_ASSERT_FALSE(info.server);
	CU_ASSERT_FALSE(info.connected);
	CU_ASSERT_EQUAL(info.sock_errno, ENOENT);
	CU_ASSERT_EQUAL(rte_vdev_uninit("net_vhostu_c"), 0);
}

/* Every ethdev port in use: -ENOSPC (not ENOMEM), no socket made, nothing left behind. */
static void
test_no_port_left_is_enospc_and_leaves_nothing(void)
{
	char args[256], name[32];
	int fds = count_fds();
	unsigned int i, n = 0;

	while (rte_eth_dev_count_total() < RTE_MAX_ETHPORTS) {
		snprintf(name, sizeof(name), "net_vhostu_fill%u", n);
		snprintf(args, sizeof(args), "iface=%s/fill%u.sock,reconnect-ms=60000", dir, n);
		CU_ASSERT_EQUAL_FATAL(rte_vdev_init(name, args), 0);
		n++;
	}
	snprintf(args, sizeof(args), "iface=%s,server=1", sock_path("full.sock"));
	CU_ASSERT_EQUAL(rte_vdev_init("net_vhostu_full", args), -ENOSPC);
	CU_ASSERT_FALSE(exists(sock_path("full.sock")));
	CU_ASSERT_EQUAL(rte_eth_dev_count_total(), RTE_MAX_ETHPORTS);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "net_vhostu_fill%u", i);
		CU_ASSERT_EQUAL(rte_vdev_uninit(name), 0);
	}
	CU_ASSERT_EQUAL(rte_vdev_init("net_vhostu_full", args), 0);
	CU_ASSERT_EQUAL(rte_vdev_uninit("net_vhostu_full"), 0);
	CU_ASSERT_EQUAL(count_fds(), fds);
}

static CU_TestInfo tests[] = {
	{ "bad devargs leave nothing behind", test_bad_devargs_leave_nothing_behind },
	{ "a server port listens; delete keeps the socket file",
		test_server_port_listens_and_delete_keeps_the_socket_file },
	{ "a server never removes a file or a live listener",
		test_server_never_removes_a_file_or_a_live_listener },
	{ "a server keeps a live socket of another type (EPROTOTYPE)",
		test_server_keeps_a_live_socket_of_another_type },
	{ "a server keeps a socket it may not connect to (EACCES)",
		test_server_keeps_a_socket_it_may_not_connect_to },
	{ "a server socket is owner-only", test_server_socket_is_owner_only },
	{ "a client port keeps the last connect error",
		test_client_port_keeps_the_last_connect_error },
	{ "no ethdev port left: -ENOSPC, nothing left behind",
		test_no_port_left_is_enospc_and_leaves_nothing },
	CU_TEST_INFO_NULL,
};

int
main(int argc __rte_unused, char **argv)
{
	char prefix[192];
	char *eal[] = { argv[0], "--no-huge", "-m", "64", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=*:error", "--file-prefix", prefix, NULL };
	unsigned int failed;

	snprintf(prefix, sizeof(prefix), "vhostu-probe-%d", getpid());
	snprintf(dir, sizeof(dir), "/tmp/vhostu-probe-%d", getpid());
	snprintf(shared_dir, sizeof(shared_dir), "%s-shared", dir);
	if (mkdir(dir, 0700) < 0 || mkdir(shared_dir, 0700) < 0 || chmod(shared_dir, 0777) < 0 ||
			rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		return 2;
	failed = run_suite("probe", NULL, NULL, tests);
	rte_eal_cleanup();
	snprintf(prefix, sizeof(prefix), "rm -rf %s %s", dir, shared_dir);
	if (system(prefix) != 0)
		failed++;
	return failed ? 1 : 0;
}
