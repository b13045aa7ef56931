// SPDX-License-Identifier: BSD-3-Clause
/*
 * vhostu-tcp: a TCP bulk transfer between the two test guests, checked end
 * to end, built static at test time by build-initramfs.sh (busybox's nc
 * cannot say when the other side has everything, nor check it).
 *
 *   vhostu-tcp recv PORT                 accept one connection, read to EOF,
 *                                        answer "BYTES DIGEST\n", print
 *                                        bytes= digest=
 *   vhostu-tcp send HOST PORT BYTES SEED connect (retrying for 30 s), send
 *                                        BYTES of a pseudo-random stream from
 *                                        SEED, half-close, read the answer;
 *                                        print bytes= secs= mbps= digest=
 *                                        peer_digest= status=PASS|FAIL
 *
 * The digest is FNV-1a 64 over the bytes; the rate is from connect to the
 * answer, so it covers everything the receiver got.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(64 * 1024)

static uint64_t
fnv(uint64_t h, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmd_recv(int port)
{
	static unsigned char buf[CHUNK];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	uint64_t h = 0xcbf29ce484222325ull, total = 0;
	int one = 1, ls, s;
	char ans[64];
	ssize_t n;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 1) < 0) {
		perror("vhostu-tcp: listen");
		return 1;
	}
	s = accept(ls, NULL, NULL);
	if (s < 0) {
		perror("vhostu-tcp: accept");
		return 1;
	}
	while ((n = read(s, buf, sizeof(buf))) > 0) {
		h = fnv(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	if (n < 0) {
		perror("vhostu-tcp: read");
		return 1;
	}
	snprintf(ans, sizeof(ans), "%llu %016llx\n", (unsigned long long)total,
		 (unsigned long long)h);
	if (write(s, ans, strlen(ans)) < 0)
		perror("vhostu-tcp: write answer");
	close(s);
	close(ls);
	printf("bytes=%llu digest=%016llx\n", (unsigned long long)total, (unsigned long long)h);
	return 0;
}

static int
connect_retry(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	double end = now() + 30;
	int s;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		fprintf(stderr, "vhostu-tcp: bad address %s\n", host);
		return -1;
	}
	do {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			return s;
		if (s >= 0)
			close(s);
		usleep(200 * 1000);	/* the receiver may still be starting */
	} while (now() < end);
	perror("vhostu-tcp: connect");
	return -1;
}

static int
send_all(int s, const unsigned char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(s, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
cmd_send(const char *host, int port, uint64_t bytes, uint64_t seed)
{
	static unsigned char buf[CHUNK];
	uint64_t h = 0xcbf29ce484222325ull, x = seed | 1, left = bytes, peer_n = 0;
	unsigned long long pn, pd = 0;
	char ans[64] = "";
	double t0, t1;
	size_t i, n;
	ssize_t k;
	int s, ok;

	s = connect_retry(host, port);
	if (s < 0)
		return 1;
	t0 = now();
	while (left > 0) {
		n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		for (i = 0; i < sizeof(buf); i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(&buf[i], &x, 8);
		}
		h = fnv(h, buf, n);
		if (send_all(s, buf, n) < 0) {
			perror("vhostu-tcp: write");
			return 1;
		}
		left -= n;
	}
	shutdown(s, SHUT_WR);
	n = 0;
	while (n < sizeof(ans) - 1 && (k = read(s, ans + n, sizeof(ans) - 1 - n)) > 0)
		n += (size_t)k;
	ans[n] = '\0';
	t1 = now();
	close(s);
	ok = sscanf(ans, "%llu %llx", &pn, &pd) == 2;
	if (ok)
		peer_n = pn;
	ok = ok && peer_n == bytes && pd == h;
	printf("bytes=%llu secs=%.3f mbps=%.1f digest=%016llx peer_bytes=%llu "
	       "peer_digest=%016llx status=%s\n", (unsigned long long)bytes, t1 - t0,
	       bytes * 8 / 1e6 / (t1 - t0 > 0 ? t1 - t0 : 1e-9), (unsigned long long)h,
	       (unsigned long long)peer_n, pd, ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "recv") == 0)
		return cmd_recv(atoi(argv[2]));
	if (argc == 6 && strcmp(argv[1], "send") == 0)
		return cmd_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10),
				strtoull(argv[5], NULL, 10));
	fprintf(stderr, "usage: vhostu-tcp recv PORT | send HOST PORT BYTES SEED\n");
	return 2;
}
