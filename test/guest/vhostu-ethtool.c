// SPDX-License-Identifier: BSD-3-Clause
/*
 * vhostu-ethtool: the two ethtool operations the guest tests need and busybox
 * lacks, built static at test time by build-initramfs.sh and shipped in the
 * initramfs.
 *
 *   vhostu-ethtool IFACE channels        print the channel counts (ETHTOOL_GCHANNELS)
 *   vhostu-ethtool IFACE combined N      set N combined channels (ETHTOOL_SCHANNELS),
 *                                        what `ethtool -L IFACE combined N` does
 *   vhostu-ethtool IFACE stats           print the driver statistics as name=value
 *                                        (ETHTOOL_GSTATS: virtio_net's per-queue
 *                                        rx_queue_N_packets, tx_queue_N_packets, ...)
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd;
static const char *ifname;

static int
do_ioctl(void *cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_data = cmd;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

static int
get_channels(struct ethtool_channels *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->cmd = ETHTOOL_GCHANNELS;
	if (do_ioctl(ch) < 0) {
		fprintf(stderr, "vhostu-ethtool: %s: ETHTOOL_GCHANNELS: %s\n",
			ifname, strerror(errno));
		return -1;
	}
	return 0;
}

static int
cmd_channels(void)
{
	struct ethtool_channels ch;

	if (get_channels(&ch) < 0)
		return 1;
	printf("combined=%u max_combined=%u rx=%u tx=%u\n", ch.combined_count,
	       ch.max_combined, ch.rx_count, ch.tx_count);
	return 0;
}

static int
cmd_combined(const char *arg)
{
	struct ethtool_channels ch;
	char *end;
	unsigned long n = strtoul(arg, &end, 0);

	if (*arg == '\0' || *end != '\0' || n == 0) {
		fprintf(stderr, "vhostu-ethtool: bad channel count '%s'\n", arg);
		return 2;
	}
	if (get_channels(&ch) < 0)
		return 1;
	if (n > ch.max_combined) {
		fprintf(stderr, "vhostu-ethtool: %s: %lu channels asked, the device offers %u\n",
			ifname, n, ch.max_combined);
		return 1;
	}
	ch.cmd = ETHTOOL_SCHANNELS;
	ch.combined_count = (unsigned int)n;
	if (do_ioctl(&ch) < 0) {
		fprintf(stderr, "vhostu-ethtool: %s: ETHTOOL_SCHANNELS %lu: %s\n",
			ifname, n, strerror(errno));
		return 1;
	}
	return 0;
}

static int
cmd_stats(void)
{
	struct {
		struct ethtool_sset_info hdr;
		__u32 len;
	} sset;
	struct ethtool_gstrings *names;
	struct ethtool_stats *vals;
	unsigned int n, i;

	memset(&sset, 0, sizeof(sset));
	sset.hdr.cmd = ETHTOOL_GSSET_INFO;
	sset.hdr.sset_mask = 1ULL << ETH_SS_STATS;
	if (do_ioctl(&sset) < 0 || !(sset.hdr.sset_mask & (1ULL << ETH_SS_STATS))) {
		fprintf(stderr, "vhostu-ethtool: %s: no statistics: %s\n", ifname,
			strerror(errno));
		return 1;
	}
	n = sset.len;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(__u64));
	if (names == NULL || vals == NULL)
		return 1;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	if (do_ioctl(names) < 0 || do_ioctl(vals) < 0) {
		fprintf(stderr, "vhostu-ethtool: %s: statistics: %s\n", ifname,
			strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%.*s=%llu\n", ETH_GSTRING_LEN,
		       (const char *)&names->data[i * ETH_GSTRING_LEN],
		       (unsigned long long)vals->data[i]);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s IFACE channels|combined N|stats\n", argv[0]);
		return 2;
	}
	ifname = argv[1];
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("vhostu-ethtool: socket");
		return 1;
	}
	if (strcmp(argv[2], "channels") == 0)
		return cmd_channels();
	if (strcmp(argv[2], "combined") == 0 && argc == 4)
		return cmd_combined(argv[3]);
	if (strcmp(argv[2], "stats") == 0)
		return cmd_stats();
	fprintf(stderr, "vhostu-ethtool: unknown command '%s'\n", argv[2]);
	return 2;
}
