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

#include <rte_common.h>

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
cli_opt_socket(const char *path, struct cli_create_args *a, char *err, size_t errlen)
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

static int
cli_opt_server(const char *v __rte_unused, struct cli_create_args *a, char *err __rte_unused,
		size_t errlen __rte_unused)
{
	a->server = true;
	return 0;
}

static int
cli_opt_feature_mask(const char *v, struct cli_create_args *a, char *err, size_t errlen)
{
	if (cli_parse_u64(v, 16, UINT64_MAX, &a->feature_mask) < 0) {
		snprintf(err, errlen, "bad hex value `%s' for feature-mask", v);
		return -EINVAL;
	}
	a->has_feature_mask = true;
	return 0;
}

static int
cli_opt_hwaddr(const char *v, struct cli_create_args *a, char *err, size_t errlen)
{
	if (cli_parse_mac(v, &a->hwaddr) < 0) {
		snprintf(err, errlen, "bad MAC address `%s' (X:X:X:X:X:X or X.X.X)", v);
		return -EINVAL;
	}
	if (rte_is_multicast_ether_addr(&a->hwaddr) || rte_is_zero_ether_addr(&a->hwaddr)) {
		snprintf(err, errlen, "bad MAC address `%s': not a unicast address", v);
		return -EINVAL;
	}
	a->has_hwaddr = true;
	return 0;
}

static int
cli_opt_renumber(const char *v, struct cli_create_args *a, char *err, size_t errlen)
{
	uint64_t n;

	if (cli_parse_u64(v, 10, 999999999, &n) < 0) {
		snprintf(err, errlen, "bad instance `%s' for renumber (0..999999999)", v);
		return -EINVAL;
	}
	a->has_renumber = true;
	a->renumber = (uint32_t)n;
	return 0;
}

/*
 * VPP's gso offers the checksum and segmentation offloads; ours are offered
 * unless feature-mask takes them away, so the word changes nothing.
 */
static int
cli_opt_gso(const char *v __rte_unused, struct cli_create_args *a __rte_unused,
		char *err __rte_unused, size_t errlen __rte_unused)
{
	return 0;
}

static int
cli_opt_queues(const char *v, struct cli_create_args *a, char *err, size_t errlen)
{
	uint64_t n;

	if (cli_parse_u64(v, 10, CLI_MAX_RXQ, &n) < 0 || n == 0) {
		snprintf(err, errlen, "bad queue count `%s' (1..%d)", v, CLI_MAX_RXQ);
		return -EINVAL;
	}
	a->queues = (uint16_t)n;
	return 0;
}

/*
 * VPP 20+ turns packed rings and EVENT_IDX on with these (off by default
 * there); we offer both by default, so they only say so in show vhost-user.
 * Taking them away is feature-mask's job, as in VPP.
 */
static int
cli_opt_packed(const char *v __rte_unused, struct cli_create_args *a, char *err __rte_unused,
		size_t errlen __rte_unused)
{
	a->packed = true;
	return 0;
}

static int
cli_opt_event_idx(const char *v __rte_unused, struct cli_create_args *a,
		char *err __rte_unused, size_t errlen __rte_unused)
{
	a->event_idx = true;
	return 0;
}

struct cli_create_opt {
	const char *word;
	const char *value;	/* its name in help; NULL: the option takes no value */
	bool needed;
	/* v is the value (NULL for a flag); 0, or -EINVAL with err set */
	int (*parse)(const char *v, struct cli_create_args *a, char *err, size_t errlen);
};

#define CLI_CREATE_NEEDED_NEEDED	true
#define CLI_CREATE_NEEDED_VALUE		false
#define CLI_CREATE_NEEDED_FLAG		false
#define CLI_CREATE_OPT(kind, word, value, parse) \
	{ word, value, CLI_CREATE_NEEDED_##kind, parse },
static const struct cli_create_opt cli_create_opts[] = { CLI_CREATE_OPTIONS(CLI_CREATE_OPT) };
#undef CLI_CREATE_OPT

#define CLI_CREATE_WORD(kind, word, value, parse) word,
const char *const cli_create_words[] = { CLI_CREATE_OPTIONS(CLI_CREATE_WORD) NULL };
#undef CLI_CREATE_WORD

#define CLI_CREATE_N_OPTS	RTE_DIM(cli_create_opts)

/* One option with its value; how many words it used, or -EINVAL. */
static int
cli_create_option(char **w, int n, struct cli_create_args *a, uint32_t *seen, char *err,
		size_t errlen)
{
	const struct cli_create_opt *o;
	unsigned int k;

	for (k = 0; k < CLI_CREATE_N_OPTS; k++)
		if (strcmp(w[0], cli_create_opts[k].word) == 0)
			break;
	if (k == CLI_CREATE_N_OPTS) {
		snprintf(err, errlen, "unknown input `%s'", w[0]);
		return -EINVAL;
	}
	o = &cli_create_opts[k];
	if (o->value != NULL && n < 2) {
		snprintf(err, errlen, "missing argument: `%s' needs a value", w[0]);
		return -EINVAL;
	}
	if (o->parse(o->value != NULL ? w[1] : NULL, a, err, errlen) < 0)
		return -EINVAL;
	*seen |= 1u << k;
	return o->value != NULL ? 2 : 1;
}

int
cli_parse_create(const char *line, struct cli_create_args *a, char *err, size_t errlen)
{
	char buf[CLI_REST_SIZE];
	uint32_t seen = 0;
	char *w[64];
	unsigned int k;
	int n, i, used;

	RTE_BUILD_BUG_ON(CLI_CREATE_N_OPTS > 32);
	memset(a, 0, sizeof(*a));
	a->queues = CLI_DEFAULT_QUEUES;
	snprintf(buf, sizeof(buf), "%s", line ? line : "");
	n = cli_split(buf, w, 64);
	if (n < 0) {
		snprintf(err, errlen, "too many arguments");
		return -EINVAL;
	}
	for (i = 0; i < n; i += used) {
		used = cli_create_option(&w[i], n - i, a, &seen, err, errlen);
		if (used < 0)
			return -EINVAL;
	}
	for (k = 0; k < CLI_CREATE_N_OPTS; k++) {
		if (cli_create_opts[k].needed && !(seen & (1u << k))) {
			snprintf(err, errlen, "missing argument: %s %s", cli_create_opts[k].word,
				cli_create_opts[k].value);
			return -EINVAL;
		}
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
