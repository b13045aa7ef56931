/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * create / show / delete vhost-user: the logic behind the commands. Every
 * check runs before anything changes, so a failed command leaves the switch
 * as it was.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>

#include "cli_internal.h"

/*
 * The absolute form of path, with its directory resolved when it exists, so
 * that two spellings of one socket are seen as one.
 */
static int
cli_abs_socket(const char *path, char *out, size_t len)
{
	char dir[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX];
	const char *base = strrchr(path, '/');
	int n;

	if (path[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -errno;
		n = snprintf(dir, sizeof(dir), "%s/%s", cwd, path);
	} else {
		n = snprintf(dir, sizeof(dir), "%s", path);
	}
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	base = strrchr(dir, '/');
	dir[base - dir] = '\0';
	if (realpath(dir[0] ? dir : "/", real) != NULL)
		n = snprintf(out, len, "%s/%s", strcmp(real, "/") ? real : "", base + 1);
	else
		n = snprintf(out, len, "%s/%s", dir, base + 1);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

static int
cli_vhost_check(struct cmdline *cl, const struct cli_create_args *a, struct cli_create_args *fixed)
{
	const struct cli_if *other;

	*fixed = *a;
	if (cli_abs_socket(a->socket, fixed->socket, sizeof(fixed->socket)) < 0) {
		cli_error(cl, "socket path `%s' is too long "
			"(at most %zu bytes as an absolute path)", a->socket,
			sizeof(fixed->socket) - 1);
		return -1;
	}
	other = cli_iftable_by_socket(&cli_main.ift, fixed->socket);
	if (other != NULL) {
		cli_error(cl, "socket `%s' is already used by %s", fixed->socket, other->name);
		return -1;
	}
	return 0;
}

int
cli_vhost_create(struct cmdline *cl, const struct cli_create_args *a)
{
	char vdev[CLI_VDEV_NAMESIZE], devargs[512];
	struct cli_create_args fa;
	struct cli_if *ifp;
	bool dup;
	uint16_t port;
	int ret;

	if (cli_vhost_check(cl, a, &fa) < 0)
		return -1;
	if (cli_create_devargs(&fa, devargs, sizeof(devargs)) < 0) {
		cli_error(cl, "arguments too long");
		return -1;
	}
	snprintf(vdev, sizeof(vdev), CLI_VDEV_PREFIX "%u", cli_main.vdev_seq++);
	ret = cli_main.port->create(vdev, devargs, &port);
	if (ret == -ENOSPC) {
		cli_error(cl, "cannot create vhost-user interface on `%s': all %u DPDK ports are "
			"in use (RTE_MAX_ETHPORTS of the DPDK vhostu-fwd is built with); for more, "
			"build vhostu with scripts/setup.sh --max-ports N (doc/user-guide.md)",
			fa.socket, (unsigned int)RTE_MAX_ETHPORTS);
		return -1;
	}
	if (ret < 0) {
		cli_error(cl, "cannot create vhost-user interface on `%s': %s", fa.socket,
			strerror(-ret));
		return -1;
	}
	dup = fa.has_renumber && cli_iftable_instance_used(&cli_main.ift, fa.renumber);
	if (cli_iftable_add_vhost(&cli_main.ift, port, fa.has_renumber ? (int64_t)fa.renumber : -1,
			vdev, &ifp) < 0) {
		cli_main.port->destroy(port, vdev);
		cli_error(cl, "too many interfaces (at most %d)", CLI_MAX_IF);
		return -1;
	}
	ifp->from_shell = true;
	ifp->opt_packed = fa.packed;
	ifp->opt_event_idx = fa.event_idx;
	snprintf(ifp->socket, sizeof(ifp->socket), "%s", fa.socket);
	cli_apply();
	if (dup)
		cmdline_printf(cl, "warning: instance %u was in use: several interfaces "
			"are now named %s\n", fa.renumber, ifp->name);
	cmdline_printf(cl, "%s\n", ifp->name);
	return 0;
}

int
cli_vhost_delete(struct cmdline *cl, struct cli_if *ifp)
{
	int ret;

	/* workers first: once apply returns, none polls or sends to the port */
	ifp->deleting = true;
	cli_apply();
	if (ifp->admin_up)
		cli_main.port->stop(ifp->port_id);
	ret = cli_main.port->destroy(ifp->port_id, ifp->vdev);
	if (ret < 0)
		cmdline_printf(cl, "warning: %s: port not closed cleanly: %s\n", ifp->name,
			strerror(-ret));
	cli_iftable_del(&cli_main.ift, ifp);
	cli_apply();
	return 0;
}

static int
cli_vhost_show_descriptors(struct cmdline *cl, const struct cli_if *ifp, uint32_t q,
		bool packed, struct rte_pmd_vhostu_desc *d)
{
	int n;

	n = cli_main.port->descriptors(ifp->port_id, (uint16_t)q, d, 32768);
	if (n < 0) {
		cli_error(cl, "%s: cannot read vring %u: %s", ifp->name, q, strerror(-n));
		return -1;
	}
	cli_fmt_descriptors(cl, d, (uint32_t)n, packed);
	return 0;
}

void
cli_vhost_placement(const struct cli_if *ifp, struct cli_placement *p)
{
	uint16_t q;

	memset(p, 0, sizeof(*p));
	cli_main.fwd->placement(ifp->port_id, p);
	for (q = 0; q < p->n_rx && q < CLI_MAX_RXQ; q++)
		p->rx[q].mode = ifp->rx_mode[p->rx[q].vring / 2];
}

static int
cli_vhost_show_one(struct cmdline *cl, const struct cli_if *ifp,
		struct rte_pmd_vhostu_info *info, struct rte_pmd_vhostu_desc *d)
{
	struct cli_placement place;
	struct cli_vhost_show s;
	uint32_t q;
	int ret;

	ret = cli_main.port->info(ifp->port_id, info);
	if (ret < 0) {
		cli_error(cl, "%s: cannot read its state: %s", ifp->name, strerror(-ret));
		return -1;
	}
	cli_vhost_placement(ifp, &place);
	s = (struct cli_vhost_show){ ifp->name, ifp->sw_if_index, info, &place,
		ifp->opt_packed, ifp->opt_event_idx };
	cli_fmt_vhost_head(cl, &s);
	for (q = 0; q < info->nvrings && q < RTE_PMD_VHOSTU_MAX_VRINGS; q++) {
		cli_fmt_vring(cl, q, &info->vrings[q]);
		if (d != NULL && cli_vhost_show_descriptors(cl, ifp, q, info->vrings[q].packed,
				d) < 0)
			return -1;
	}
	return 0;
}

/* Interfaces shown one after the other, a blank line between two. */
static int
cli_vhost_show_next(struct cmdline *cl, const struct cli_if *ifp, int *shown,
		struct rte_pmd_vhostu_info *info, struct rte_pmd_vhostu_desc *d)
{
	if (!ifp->is_vhost)
		return 0;
	if ((*shown)++ > 0)
		cmdline_printf(cl, "\n");
	return cli_vhost_show_one(cl, ifp, info, d);
}

int
cli_vhost_show(struct cmdline *cl, const struct cli_if *const *ifs, int n, bool descriptors)
{
	struct rte_pmd_vhostu_info *info = malloc(sizeof(*info));
	struct rte_pmd_vhostu_desc *d = NULL;
	const struct cli_if *ifp;
	uint32_t frames;
	double t;
	int i, shown = 0, ret = 0;

	if (descriptors)
		d = malloc(32768 * sizeof(*d));
	if (info == NULL || (descriptors && d == NULL)) {
		free(info);
		cli_error(cl, "out of memory");
		return -1;
	}
	cli_main.fwd->refresh();
	cli_main.port->coalesce(&frames, &t);
	cli_fmt_global(cl, frames, t);
	for (i = 0; i < n && ret == 0; i++)
		ret = cli_vhost_show_next(cl, ifs[i], &shown, info, d);
	if (n == 0) {
		CLI_IFTABLE_FOREACH(&cli_main.ift, ifp) {
			ret = cli_vhost_show_next(cl, ifp, &shown, info, d);
			if (ret < 0)
				break;
		}
	}
	free(d);
	free(info);
	return ret;
}
