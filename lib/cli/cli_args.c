/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Argument parsing for the commands, VPP's syntax: words in any order,
 * numbers checked to the last character. Pure; errors go to err.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"

int
cli_split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -E2BIG;
		words[n++] = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

int
cli_parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* n hex digits (1..maxd), nothing else; value at most max. */
static int
cli_parse_hex_group(const char *s, size_t n, unsigned int maxd, unsigned long max,
		unsigned long *out)
{
	char tmp[8];
	size_t i;

	if (n == 0 || n > maxd)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*out = strtoul(tmp, NULL, 16);
	return *out <= max ? 0 : -EINVAL;
}

/* Split s at sep into exactly n groups and parse each. */
static int
cli_parse_groups(const char *s, char sep, int n, unsigned int maxd, unsigned long max,
		unsigned long *g)
{
	const char *p = s, *q;
	int i;

	for (i = 0; i < n; i++) {
		q = strchr(p, sep);
		if (i == n - 1)
			q = p + strlen(p);
		else if (q == NULL)
			return -EINVAL;
		if (cli_parse_hex_group(p, (size_t)(q - p), maxd, max, &g[i]) < 0)
			return -EINVAL;
		p = q + 1;
	}
	return 0;
}

/* X:X:X:X:X:X (unix) or X.X.X (Cisco), as VPP's unformat_ethernet_address. */
int
cli_parse_mac(const char *s, struct rte_ether_addr *mac)
{
	unsigned long g[6];
	int i;

	if (strchr(s, ':') != NULL) {
		if (cli_parse_groups(s, ':', 6, 2, 0xff, g) < 0)
			return -EINVAL;
		for (i = 0; i < 6; i++)
			mac->addr_bytes[i] = (uint8_t)g[i];
		return 0;
	}
	if (cli_parse_groups(s, '.', 3, 4, 0xffff, g) < 0)
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		mac->addr_bytes[2 * i] = (uint8_t)(g[i] >> 8);
		mac->addr_bytes[2 * i + 1] = (uint8_t)g[i];
	}
	return 0;
}

static int
cli_check_socket(const char *path, struct cli_create_args *a, char *err, size_t errlen)
{
	if (strlen(path) >= sizeof(a->socket)) {
		snprintf(err, errlen, "socket path `%s' is too long (at most %zu bytes)",
			path, sizeof(a->socket) - 1);
		return -EINVAL;
	}
	if (strpbrk(path, ",=") != NULL) {
		snprintf(err, errlen, "socket path `%s' must not contain ',' or '='", path);
		return -EINVAL;
	}
	snprintf(a->socket, sizeof(a->socket), "%s", path);
	return 0;
}

/* One option with its value; returns how many words it used, or -EINVAL. */
static int
cli_create_option(char **w, int n, struct cli_create_args *a, char *err, size_t errlen)
{
	uint64_t v;

	if (strcmp(w[0], "server") == 0) {
		a->server = true;
		return 1;
	}
	if (strcmp(w[0], "socket") != 0 && strcmp(w[0], "feature-mask") != 0 &&
			strcmp(w[0], "hwaddr") != 0 && strcmp(w[0], "renumber") != 0 &&
			strcmp(w[0], "queues") != 0) {
		snprintf(err, errlen, "unknown input `%s'", w[0]);
		return -EINVAL;
	}
	if (n < 2) {
		snprintf(err, errlen, "missing argument: `%s' needs a value", w[0]);
		return -EINVAL;
	}
	if (strcmp(w[0], "socket") == 0)
		return cli_check_socket(w[1], a, err, errlen) < 0 ? -EINVAL : 2;
	if (strcmp(w[0], "feature-mask") == 0) {
		if (cli_parse_u64(w[1], 16, UINT64_MAX, &v) < 0) {
			snprintf(err, errlen, "bad hex value `%s' for feature-mask", w[1]);
			return -EINVAL;
		}
		a->has_feature_mask = true;
		a->feature_mask = v;
		return 2;
	}
	if (strcmp(w[0], "hwaddr") == 0) {
		if (cli_parse_mac(w[1], &a->hwaddr) < 0) {
			snprintf(err, errlen, "bad MAC address `%s' (X:X:X:X:X:X or X.X.X)",
				w[1]);
			return -EINVAL;
		}
		if (rte_is_multicast_ether_addr(&a->hwaddr) ||
				rte_is_zero_ether_addr(&a->hwaddr)) {
			snprintf(err, errlen, "bad MAC address `%s': not a unicast address",
				w[1]);
			return -EINVAL;
		}
		a->has_hwaddr = true;
		return 2;
	}
	if (strcmp(w[0], "renumber") == 0) {
		if (cli_parse_u64(w[1], 10, 999999999, &v) < 0) {
			snprintf(err, errlen, "bad instance `%s' for renumber (0..999999999)",
				w[1]);
			return -EINVAL;
		}
		a->has_renumber = true;
		a->renumber = (uint32_t)v;
		return 2;
	}
	if (cli_parse_u64(w[1], 10, CLI_MAX_RXQ, &v) < 0 || v == 0) {
		snprintf(err, errlen, "bad queue count `%s' (1..%d)", w[1], CLI_MAX_RXQ);
		return -EINVAL;
	}
	a->queues = (uint16_t)v;
	return 2;
}

int
cli_parse_create(const char *line, struct cli_create_args *a, char *err, size_t errlen)
{
	char buf[CLI_REST_SIZE];
	char *w[64];
	int n, i, used;

	memset(a, 0, sizeof(*a));
	a->queues = CLI_DEFAULT_QUEUES;
	snprintf(buf, sizeof(buf), "%s", line ? line : "");
	n = cli_split(buf, w, 64);
	if (n < 0) {
		snprintf(err, errlen, "too many arguments");
		return -EINVAL;
	}
	for (i = 0; i < n; i += used) {
		used = cli_create_option(&w[i], n - i, a, err, errlen);
		if (used < 0)
			return -EINVAL;
	}
	if (a->socket[0] == '\0') {
		snprintf(err, errlen, "missing argument: socket <socket-filename>");
		return -EINVAL;
	}
	return 0;
}

/* The devargs string for rte_vdev_init(). 0 or -ENAMETOOLONG. */
int
cli_create_devargs(const struct cli_create_args *a, char *buf, size_t len)
{
	const uint8_t *m = a->hwaddr.addr_bytes;
	int n;

	n = snprintf(buf, len, "iface=%s,server=%d,queues=%u", a->socket, a->server ? 1 : 0,
		a->queues);
	if (n > 0 && (size_t)n < len && a->has_feature_mask)
		n += snprintf(buf + n, len - (size_t)n, ",feature-mask=0x%" PRIx64,
			a->feature_mask);
	if (n > 0 && (size_t)n < len && a->has_hwaddr)
		n += snprintf(buf + n, len - (size_t)n,
			",hwaddr=%02x:%02x:%02x:%02x:%02x:%02x",
			m[0], m[1], m[2], m[3], m[4], m[5]);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}
