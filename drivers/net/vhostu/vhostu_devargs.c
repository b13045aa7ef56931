/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device arguments of net_vhostu:
 *   iface=PATH[,server=0|1][,queues=N][,feature-mask=0xHEX][,hwaddr=MAC]
 * Every value is validated; a bad one is rejected with a log line naming the
 * key and the value.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "vhostu_devargs.h"
#include "vhostu_internal.h"

static const char *const vhostu_valid_keys[] = {
	VHOSTU_ARG_IFACE,
	VHOSTU_ARG_SERVER,
	VHOSTU_ARG_QUEUES,
	VHOSTU_ARG_FEATURE_MASK,
	VHOSTU_ARG_HWADDR,
	VHOSTU_ARG_RECONNECT,
	VHOSTU_ARG_GROUP,
	NULL,
};

static int
vhostu_parse_u64(const char *value, int base, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (value == NULL || *value == '\0' || *value == '-' || *value == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(value, &end, base);
	if (errno != 0 || end == value || *end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

static int
vhostu_arg_iface(const char *key, const char *value, void *opaque)
{
	struct vhostu_devargs *da = opaque;
	size_t len = value ? strlen(value) : 0;

	if (len == 0) {
		VHOSTU_LOG(ERR, "devarg %s: empty socket path", key);
		return -EINVAL;
	}
	if (len >= sizeof(da->path)) {
		VHOSTU_LOG(ERR, "devarg %s=%s: path is %zu bytes, a unix socket path holds"
			" at most %zu", key, value, len, sizeof(da->path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(da->path, value, len + 1);
	return 0;
}

static int
vhostu_arg_server(const char *key, const char *value, void *opaque)
{
	struct vhostu_devargs *da = opaque;

	if (value != NULL && strcmp(value, "0") == 0)
		da->server = false;
	else if (value != NULL && strcmp(value, "1") == 0)
		da->server = true;
	else {
		VHOSTU_LOG(ERR, "devarg %s=%s: expected 0 (client) or 1 (server)", key,
			value ? value : "");
		return -EINVAL;
	}
	return 0;
}

static int
vhostu_arg_queues(const char *key, const char *value, void *opaque)
{
	struct vhostu_devargs *da = opaque;
	uint64_t v;

	if (vhostu_parse_u64(value, 10, &v) < 0 || v < 1 || v > VHOSTU_MAX_QUEUE_PAIRS) {
		VHOSTU_LOG(ERR, "devarg %s=%s: expected a number of queue pairs from 1 to %d",
			key, value ? value : "", VHOSTU_MAX_QUEUE_PAIRS);
		return -EINVAL;
	}
	da->queues = (uint16_t)v;
	return 0;
}

static int
vhostu_arg_feature_mask(const char *key, const char *value, void *opaque)
{
	struct vhostu_devargs *da = opaque;

	if (value == NULL || vhostu_parse_u64(value, 16, &da->feature_mask) < 0) {
		VHOSTU_LOG(ERR, "devarg %s=%s: expected a hexadecimal mask such as 0x40400000",
			key, value ? value : "");
		return -EINVAL;
	}
	return 0;
}

/*
 * XX:XX:XX:XX:XX:XX (or XXXX:XXXX:XXXX, the other form DPDK's parser takes),
 * then unicast and not zero.
 */
static int
vhostu_arg_hwaddr(const char *key, const char *value, void *opaque)
{
	struct vhostu_devargs *da = opaque;

	if (value == NULL || rte_ether_unformat_addr(value, &da->mac) < 0) {
		VHOSTU_LOG(ERR, "devarg %s=%s: expected a MAC address XX:XX:XX:XX:XX:XX",
			key, value ? value : "");
		return -EINVAL;
	}
	if (rte_is_multicast_ether_addr(&da->mac) || rte_is_zero_ether_addr(&da->mac)) {
		VHOSTU_LOG(ERR, "devarg %s=%s: a port address must be unicast and not zero",
			key, value);
		return -EINVAL;
	}
	da->has_mac = true;
	return 0;
}

static int
vhostu_arg_reconnect(const char *key, const char *value, void *opaque)
{
	struct vhostu_devargs *da = opaque;
	uint64_t v;

	if (vhostu_parse_u64(value, 10, &v) < 0 || v < VHOSTU_RECONNECT_MS_MIN ||
			v > VHOSTU_RECONNECT_MS_MAX) {
		VHOSTU_LOG(ERR, "devarg %s=%s: expected milliseconds from %d to %d", key,
			value ? value : "", VHOSTU_RECONNECT_MS_MIN, VHOSTU_RECONNECT_MS_MAX);
		return -EINVAL;
	}
	da->reconnect_ms = (uint32_t)v;
	return 0;
}

/* A group name, or a numeric gid. */
static int
vhostu_arg_group(const char *key, const char *value, void *opaque)
{
	struct vhostu_devargs *da = opaque;
	struct group gr, *res = NULL;
	char buf[4096];
	uint64_t v;

	if (value != NULL && vhostu_parse_u64(value, 10, &v) == 0 && v < UINT32_MAX) {
		da->group = (gid_t)v;
	} else if (value != NULL && *value != '\0' &&
			getgrnam_r(value, &gr, buf, sizeof(buf), &res) == 0 && res != NULL) {
		da->group = res->gr_gid;
	} else {
		VHOSTU_LOG(ERR, "devarg %s=%s: no such group", key, value ? value : "");
		return -EINVAL;
	}
	da->has_group = true;
	return 0;
}

struct vhostu_arg_handler {
	const char *key;
	arg_handler_t fn;
};

static const struct vhostu_arg_handler vhostu_arg_handlers[] = {
	{ VHOSTU_ARG_IFACE, vhostu_arg_iface },
	{ VHOSTU_ARG_SERVER, vhostu_arg_server },
	{ VHOSTU_ARG_QUEUES, vhostu_arg_queues },
	{ VHOSTU_ARG_FEATURE_MASK, vhostu_arg_feature_mask },
	{ VHOSTU_ARG_HWADDR, vhostu_arg_hwaddr },
	{ VHOSTU_ARG_RECONNECT, vhostu_arg_reconnect },
	{ VHOSTU_ARG_GROUP, vhostu_arg_group },
};

static int
vhostu_devargs_check_once(struct rte_kvargs *kv)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(vhostu_arg_handlers); i++) {
		const char *key = vhostu_arg_handlers[i].key;

		if (rte_kvargs_count(kv, key) > 1) {
			VHOSTU_LOG(ERR, "devarg %s given more than once", key);
			return -EINVAL;
		}
	}
	return 0;
}

int
vhostu_devargs_parse(const char *args, struct vhostu_devargs *da)
{
	struct rte_kvargs *kv;
	unsigned int i;
	int ret;

	memset(da, 0, sizeof(*da));
	da->queues = 1;
	da->feature_mask = UINT64_MAX;
	da->reconnect_ms = VHOSTU_RECONNECT_MS_DEFAULT;

	kv = rte_kvargs_parse(args ? args : "", vhostu_valid_keys);
	if (kv == NULL) {
		VHOSTU_LOG(ERR, "devargs \"%s\": unknown key or bad syntax (keys: %s)",
			args ? args : "", VHOSTU_PARAMS);
		return -EINVAL;
	}
	ret = vhostu_devargs_check_once(kv);
	for (i = 0; ret == 0 && i < RTE_DIM(vhostu_arg_handlers); i++) {
		const char *key = vhostu_arg_handlers[i].key;

		if (rte_kvargs_count(kv, key) == 0)
			continue;
		ret = rte_kvargs_process(kv, key, vhostu_arg_handlers[i].fn, da);
		if (ret > 0)	/* kvargs returns 1 for a key given without value */
			ret = -EINVAL;
	}
	if (ret == 0 && da->path[0] == '\0') {
		VHOSTU_LOG(ERR, "devarg %s is required (the vhost-user socket path)",
			VHOSTU_ARG_IFACE);
		ret = -EINVAL;
	}
	rte_kvargs_free(kv);
	return ret;
}
