/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The show formats, VPP's to the byte (doc/vhost-user-cli.rst is the
 * reference). Pure: everything comes in as arguments, nothing needs EAL.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline.h>

#include "cli_internal.h"
#include "vhostu_proto.h"

#define CLI_FEAT_NAME(name, bit) [bit] = #name,
static const char *const cli_virtio_names[64] = {
	VHOSTU_VIRTIO_FEATURES(CLI_FEAT_NAME)
};
#undef CLI_FEAT_NAME

#define CLI_PFEAT_NAME(name, bit) [bit] = "VHOST_USER_PROTOCOL_F_" #name,
static const char *const cli_protocol_names[64] = {
	VHOSTU_PROTOCOL_FEATURES(CLI_PFEAT_NAME)
};
#undef CLI_PFEAT_NAME

const char *
cli_virtio_feature_name(unsigned int bit)
{
	return bit < 64 ? cli_virtio_names[bit] : NULL;
}

const char *
cli_protocol_feature_name(unsigned int bit)
{
	return bit < 64 ? cli_protocol_names[bit] : NULL;
}

/* One `   NAME (bit)` line per bit set; bits without a name print as UNKNOWN. */
static void
cli_fmt_bits(struct cmdline *cl, uint64_t bits, const char *(*name)(unsigned int))
{
	unsigned int b;

	for (b = 0; b < 64; b++) {
		if (!(bits & (UINT64_C(1) << b)))
			continue;
		cmdline_printf(cl, "   %s (%u)\n", name(b) ? name(b) : "UNKNOWN", b);
	}
}

/* VPP's %e: no trailing zeros, no padding of the exponent ("1e-3"). */
static void
cli_fmt_sci(char *buf, size_t len, double v)
{
	char tmp[40], *e, *end;
	size_t m;

	snprintf(tmp, sizeof(tmp), "%.5e", v);
	e = strchr(tmp, 'e');
	if (e == NULL) {
		snprintf(buf, len, "%s", tmp);
		return;
	}
	end = e;
	while (end > tmp && end[-1] == '0')
		end--;
	if (end > tmp && end[-1] == '.')
		end--;
	m = (size_t)(end - tmp);
	snprintf(buf, len, "%.*se%ld", (int)m, tmp, strtol(e + 1, NULL, 10));
}

void
cli_fmt_global(struct cmdline *cl, uint32_t frames, double time_s)
{
	char t[48];

	cli_fmt_sci(t, sizeof(t), time_s);
	cmdline_printf(cl, "Virtio vhost-user interfaces\n");
	cmdline_printf(cl, "Global:\n");
	cmdline_printf(cl, "  coalesce frames %u time %s\n", frames, t);
}

void
cli_fmt_features(struct cmdline *cl, const struct rte_pmd_vhostu_info *info)
{
	cmdline_printf(cl, "virtio_net_hdr_sz %u\n", info->virtio_net_hdr_sz);
	cmdline_printf(cl, " features mask (0x%" PRIx64 "):\n", info->features_mask);
	cmdline_printf(cl, " features (0x%" PRIx64 "):\n", info->features);
	cli_fmt_bits(cl, info->features, cli_virtio_feature_name);
	cmdline_printf(cl, "  protocol features (0x%" PRIx64 ")\n", info->protocol_features);
	cli_fmt_bits(cl, info->protocol_features, cli_protocol_feature_name);
}

void
cli_fmt_socket(struct cmdline *cl, const struct rte_pmd_vhostu_info *info)
{
	cmdline_printf(cl, " socket filename %s type %s errno \"%s\"\n", info->socket_path,
		info->server ? "server" : "client", strerror(info->sock_errno));
}

void
cli_fmt_placement(struct cmdline *cl, const struct cli_placement *p)
{
	uint16_t i, t, max_thread = 0;

	cmdline_printf(cl, "rx placement:\n");
	for (i = 0; i < p->n_rx; i++)
		if (p->rx[i].thread > max_thread)
			max_thread = p->rx[i].thread;
	/* grouped by thread, as VPP lists its threads' queues */
	for (t = 0; t <= max_thread; t++)
		for (i = 0; i < p->n_rx; i++)
			if (p->rx[i].thread == t)
				cmdline_printf(cl, "   thread %u on vring %u%s%s\n", t,
					p->rx[i].vring, p->rx[i].mode ? ", " : "",
					p->rx[i].mode ? cli_rx_mode_name(p->rx[i].mode) : "");
	cmdline_printf(cl, " tx placement: %s\n", p->tx_spinlock ? "spin-lock" : "lock-free");
	for (i = 0; i < p->n_tx; i++)
		cmdline_printf(cl, "   thread %u on vring %u\n", p->tx[i].thread, p->tx[i].vring);
}

const char *
cli_rx_mode_name(unsigned int mode)
{
	static const char *const names[] = {
		[CLI_RX_POLLING] = "polling",
		[CLI_RX_INTERRUPT] = "interrupt",
		[CLI_RX_ADAPTIVE] = "adaptive",
	};

	return mode < RTE_DIM(names) ? names[mode] : "unknown";
}

/* VPP names its threads vpp_main and vpp_wk_<worker - 1>. */
void
cli_fmt_rxp_thread(struct cmdline *cl, uint16_t thread)
{
	if (thread == 0)
		cmdline_printf(cl, "Thread 0 (vpp_main):\n");
	else
		cmdline_printf(cl, "Thread %u (vpp_wk_%u):\n", thread, thread - 1u);
}

void
cli_fmt_rxp_node(struct cmdline *cl, const char *node)
{
	cmdline_printf(cl, "  node %s:\n", node);
}

void
cli_fmt_rxp_queue(struct cmdline *cl, const char *name, uint16_t queue, unsigned int mode)
{
	cmdline_printf(cl, "    %s queue %u (%s)\n", name, queue, cli_rx_mode_name(mode));
}

void
cli_fmt_regions(struct cmdline *cl, const struct rte_pmd_vhostu_info *info)
{
	const struct rte_pmd_vhostu_region *r;
	uint32_t i;

	cmdline_printf(cl, "Memory regions (total %u)\n", info->nregions);
	if (info->nregions == 0)
		return;
	cmdline_printf(cl, "region fd    guest_phys_addr    memory_size        "
		"userspace_addr     mmap_offset        mmap_addr\n");
	cmdline_printf(cl, "====== ===== ================== ================== "
		"================== ================== ==================\n");
	for (i = 0; i < info->nregions && i < RTE_PMD_VHOSTU_MAX_REGIONS; i++) {
		r = &info->regions[i];
		cmdline_printf(cl, "  %u     %-5d 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64
			" 0x%016" PRIx64 " 0x%016" PRIx64 "\n", i, r->fd, r->guest_phys_addr,
			r->memory_size, r->userspace_addr, r->mmap_offset, r->mmap_addr);
	}
}

/* VPP's names of the event suppression flags (format_vhost_user_event_idx_flags). */
static const char *
cli_event_flags(char *buf, size_t len, uint16_t flags)
{
	static const char *const names[] = {
		"VRING_EVENT_F_ENABLE", "VRING_EVENT_F_DISABLE", "VRING_EVENT_F_DESC",
	};

	if (flags < RTE_DIM(names))
		return names[flags];
	snprintf(buf, len, "%u", flags);
	return buf;
}

/*
 * A packed ring as VPP 20+ prints it (vhost_user_show_desc_packed): VPP's
 * avail_event is the driver event suppression area, its used_event the
 * device's, each with off_wrap and its offset ("event idx"); then the wrap
 * counters, the driver's as VPP keeps it, the AVAIL flag it matches (128 or
 * 0), and ours as 1 or 0.
 */
static void
cli_fmt_vring_packed(struct cmdline *cl, const struct rte_pmd_vhostu_vring *v)
{
	char b[12];

	cmdline_printf(cl, "  avail_event.flags %s avail_event.off_wrap %u avail event idx %u\n",
		cli_event_flags(b, sizeof(b), v->avail_flags), v->avail_idx,
		v->avail_idx & 0x7fffu);
	cmdline_printf(cl, "  used_event.flags %s used_event.off_wrap %u used event idx %u\n",
		cli_event_flags(b, sizeof(b), v->used_flags), v->used_idx, v->used_idx & 0x7fffu);
	cmdline_printf(cl, "  avail wrap counter %u, used wrap counter %u\n",
		v->avail_wrap ? 128u : 0u, v->used_wrap ? 1u : 0u);
}

void
cli_fmt_vring(struct cmdline *cl, uint32_t q, const struct rte_pmd_vhostu_vring *v)
{
	cmdline_printf(cl, "\n Virtqueue %u (%s%s)\n", q, (q & 1) ? "RX" : "TX",
		v->enabled ? "" : " disabled");
	cmdline_printf(cl, "  qsz %u last_avail_idx %u last_used_idx %u\n", v->qsz,
		v->last_avail_idx, v->last_used_idx);
	/*
	 * Packed rings: VPP 20+'s event suppression areas and wrap counters. Split:
	 * VPP 20+ shows the event indexes with EVENT_IDX; VPP before it, this line.
	 */
	if (v->packed)
		cli_fmt_vring_packed(cl, v);
	else if (v->event_idx)
		cmdline_printf(cl, "  avail.flags %x avail event idx %u avail.idx %u used.flags %x"
			" used event idx %u used.idx %u\n", v->avail_flags, v->avail_event,
			v->avail_idx, v->used_flags, v->used_event, v->used_idx);
	else
		cmdline_printf(cl, "  avail.flags %x avail.idx %u used.flags %x used.idx %u\n",
			v->avail_flags, v->avail_idx, v->used_flags, v->used_idx);
	cmdline_printf(cl, "  kickfd %d callfd %d errfd %d\n", v->kickfd, v->callfd, v->errfd);
}

/* A packed ring's table as VPP prints it: positions ("slot") and the buffer ids. */
void
cli_fmt_descriptors(struct cmdline *cl, const struct rte_pmd_vhostu_desc *d, uint32_t n,
		bool packed)
{
	uint32_t i;

	cmdline_printf(cl, "\n  descriptor table:\n");
	if (packed)
		cmdline_printf(cl, "  slot         addr         len  flags  id    user_addr\n");
	else
		cmdline_printf(cl, "   id          addr         len  flags  next      user_addr\n");
	cmdline_printf(cl, "  ===== ================== ===== ====== ===== ==================\n");
	for (i = 0; i < n; i++)
		cmdline_printf(cl, "  %-5u 0x%016" PRIx64 " %-5u 0x%04x %-5u 0x%016" PRIx64 "\n",
			i, d[i].addr, d[i].len, d[i].flags, d[i].next, d[i].user_addr);
}

void
cli_fmt_vhost_head(struct cmdline *cl, const struct cli_vhost_show *s)
{
	cmdline_printf(cl, "Interface: %s (ifindex %u)\n", s->name, s->ifindex);
	if (s->packed)
		cmdline_printf(cl, "  Packed ring enable\n");
	if (s->event_idx)
		cmdline_printf(cl, "  Event index enable\n");
	cli_fmt_features(cl, s->info);
	cmdline_printf(cl, "\n");
	cli_fmt_socket(cl, s->info);
	cmdline_printf(cl, "\n");
	cli_fmt_placement(cl, s->place);
	cmdline_printf(cl, "\n");
	cli_fmt_regions(cl, s->info);
}

/* VPP's %=Ns: centred, the odd space on the left; longer strings are cut. */
void
cli_fmt_center(char *buf, size_t len, const char *s, unsigned int width)
{
	size_t l = strlen(s);
	unsigned int pad, left;

	if (l >= width) {
		snprintf(buf, len, "%.*s", (int)width, s);
		return;
	}
	pad = width - (unsigned int)l;
	left = pad - pad / 2;
	snprintf(buf, len, "%*s%s%*s", (int)left, "", s, (int)(pad / 2), "");
}

void
cli_fmt_if_header(struct cmdline *cl)
{
	char n[40], i[8], s[16], c[20], v[20];

	cli_fmt_center(n, sizeof(n), "Name", 32);
	cli_fmt_center(i, sizeof(i), "Idx", 5);
	cli_fmt_center(s, sizeof(s), "State", 10);
	cli_fmt_center(c, sizeof(c), "Counter", 16);
	cli_fmt_center(v, sizeof(v), "Count", 16);
	cmdline_printf(cl, "%s%s%s%s%s\n", n, i, s, c, v);
}

/* `%-16s%16lu` counter lines, the first on the interface's line. */
static void
cli_fmt_counter(struct cmdline *cl, bool *first, const char *name, uint64_t v)
{
	if (v == 0)
		return;
	if (!*first)
		cmdline_printf(cl, "\n%47s", "");
	*first = false;
	cmdline_printf(cl, "%-16s%16" PRIu64, name, v);
}

void
cli_fmt_if_row(struct cmdline *cl, const char *name, uint32_t sw_if_index, bool up,
		const struct cli_if_stats *st)
{
	char idx[16], i[8], s[16];
	bool first = true;

	snprintf(idx, sizeof(idx), "%u", sw_if_index);
	cli_fmt_center(i, sizeof(i), idx, 5);
	cli_fmt_center(s, sizeof(s), up ? "up" : "down", 10);
	cmdline_printf(cl, "%-32.32s%s%s", name, i, s);
	cli_fmt_counter(cl, &first, "rx packets", st->rx_packets);
	cli_fmt_counter(cl, &first, "rx bytes", st->rx_bytes);
	cli_fmt_counter(cl, &first, "tx packets", st->tx_packets);
	cli_fmt_counter(cl, &first, "tx bytes", st->tx_bytes);
	cli_fmt_counter(cl, &first, "drops", st->drops);
	cli_fmt_counter(cl, &first, "rx-miss", st->rx_miss);
	cli_fmt_counter(cl, &first, "tx-error", st->tx_error);
	cmdline_printf(cl, "\n");
}

/* Each column centred in its width, followed by sep. */
static void
cli_fmt_columns(struct cmdline *cl, const char *const *col, const unsigned int *w, int n,
		const char *sep)
{
	char buf[64];
	int i;

	for (i = 0; i < n; i++) {
		cli_fmt_center(buf, sizeof(buf), col[i], w[i]);
		cmdline_printf(cl, "%s%s", buf, i < n - 1 ? sep : "\n");
	}
}

static const unsigned int cli_bd_widths[] = { 8, 7, 4, 9, 9, 9, 9, 9, 9, 9 };

void
cli_fmt_bd_header(struct cmdline *cl)
{
	static const char *const h[] = { "BD-ID", "Index", "BSN", "Age(min)", "Learning",
		"U-Forwrd", "UU-Flood", "Flooding", "ARP-Term", "BVI-Intf" };

	cli_fmt_columns(cl, h, cli_bd_widths, 10, " ");
}

void
cli_fmt_bd_row(struct cmdline *cl, const struct cli_bd_info *bd, uint32_t index)
{
	char id[16], idx[16], age[16];
	const char *c[10];

	snprintf(id, sizeof(id), "%u", bd->bd_id);
	snprintf(idx, sizeof(idx), "%u", index);
	if (bd->mac_age_min == 0)
		snprintf(age, sizeof(age), "off");
	else
		snprintf(age, sizeof(age), "%u", bd->mac_age_min);
	c[0] = id;
	c[1] = idx;
	c[2] = "0";
	c[3] = age;
	c[4] = bd->learn ? "on" : "off";
	c[5] = "on";
	c[6] = bd->flood ? "flood" : "drop";
	c[7] = bd->flood ? "on" : "off";
	c[8] = "off";
	c[9] = "N/A";
	cli_fmt_columns(cl, c, cli_bd_widths, 10, " ");
}

void
cli_fmt_bd_member(struct cmdline *cl, const char *name, const char *sw, const char *isn,
		const char *shg, const char *bvi, const char *txflood, const char *vtr)
{
	static const unsigned int w[] = { 30, 7, 5, 5, 5, 9, 30 };
	const char *c[] = { name, sw, isn, shg, bvi, txflood, vtr };

	cli_fmt_columns(cl, c, w, 7, "");
}

static const unsigned int cli_l2fib_widths[] = { 19, 7, 7, 9, 30 };

void
cli_fmt_l2fib_header(struct cmdline *cl)
{
	static const char *const h[] = { "Mac-Address", "BD-ID", "If-Idx", "Age(s)",
		"Interface-Name" };

	cli_fmt_columns(cl, h, cli_l2fib_widths, 5, "");
}

void
cli_fmt_l2fib_row(struct cmdline *cl, const struct cli_l2fib_entry *e, uint32_t sw_if_index,
		const char *name)
{
	const uint8_t *m = e->mac.addr_bytes;
	char mac[24], bd[16], sw[16], age[16];
	const char *c[5] = { mac, bd, sw, age, name };

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		m[4], m[5]);
	snprintf(bd, sizeof(bd), "%u", e->bd_id);
	snprintf(sw, sizeof(sw), "%u", sw_if_index);
	snprintf(age, sizeof(age), "%u", e->age_s);
	cli_fmt_columns(cl, c, cli_l2fib_widths, 5, "");
}
