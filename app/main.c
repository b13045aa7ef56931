/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-fwd: a vhost-user switch. EAL arguments, then `--` and:
 *   -i, --interactive      the shell on stdin (prompt, editing, Tab, ?)
 *   --cmdline-file FILE    run FILE first; a failing line stops the file and
 *                          vhostu-fwd exits with status 1
 * Without -i, commands piped on stdin run line by line (no prompt, no echo);
 * at the end of stdin, or when stdin is a terminal, vhostu-fwd keeps
 * forwarding until `quit`, SIGINT or SIGTERM. With no EAL argument at all,
 * the embedded defaults of config/eal.args are used.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_socket.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "app.h"
#include "app_config.h"

#define APP_PROMPT	"vhostu# "
#define APP_NB_MBUF	16383
#define APP_MBUF_CACHE	256
#define APP_POLL_MS	100
#define APP_MAX_ARGS	128

struct app_opts {
	bool interactive;
	const char *cmdline_file;
};

static void
app_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&app_quit, true, __ATOMIC_RELAXED);
}

static void
app_init_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * An idle interface holds 17 fds (its socket, an epoll fd and an eventfd per
 * rx queue), a connected one more: hundreds of them pass the usual soft
 * limit of 1024. Take what the hard limit allows.
 */
static void
app_raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r) < 0)
			fprintf(stderr, "vhostu-fwd: cannot raise the open file limit: %s\n",
				strerror(errno));
	}
}

/* argv with the embedded EAL defaults inserted when no EAL argument was given. */
static int
app_eal_argv(int argc, char **argv, char **out, char *buf, size_t len)
{
	int n = 0, i;
	char *tok, *save = NULL;

	out[n++] = argv[0];
	if (argc < 2 || strcmp(argv[1], "--") == 0) {
		snprintf(buf, len, "%s", APP_DEFAULT_EAL_ARGS);
		for (tok = strtok_r(buf, " \t\n", &save); tok != NULL && n < APP_MAX_ARGS - 1;
				tok = strtok_r(NULL, " \t\n", &save))
			out[n++] = tok;
	}
	for (i = 1; i < argc && n < APP_MAX_ARGS - 1; i++)
		out[n++] = argv[i];
	out[n] = NULL;
	return n;
}

static void
app_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [-i|--interactive] [--cmdline-file FILE]\n"
		"  -i, --interactive    the shell, with prompt, help (?) and Tab completion\n"
		"  --cmdline-file FILE  run the commands in FILE first (stops at the first\n"
		"                       failing line; vhostu-fwd then exits with status 1)\n"
		"Without -i, commands are read from stdin when it is not a terminal.\n"
		"Default EAL options: %s\n", prog, APP_DEFAULT_EAL_ARGS);
}

static int
app_parse_args(int argc, char **argv, struct app_opts *o)
{
	static const struct option longopts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "cmdline-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "ih", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interactive = true;
			break;
		case 'f':
			o->cmdline_file = optarg;
			break;
		case 'h':
			app_usage(argv[0]);
			return 1;
		default:
			app_usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vhostu-fwd: unexpected argument `%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Wait up to ms for stdin (or forever-poll when the main lcore forwards). */
static int
app_wait_input(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (app_fwd_n_workers() == 0)
		ms = 0;
	return poll(&p, fd < 0 ? 0 : 1, ms);
}

static void
app_idle(void)
{
	app_fwd_poll_main();
	app_fwd_housekeep(false);
}

/* Forward until quit or a signal. */
static void
app_wait(void)
{
	while (!__atomic_load_n(&app_quit, __ATOMIC_RELAXED)) {
		app_wait_input(-1, APP_POLL_MS);
		app_idle();
	}
}

static void
app_shell_interactive(void)
{
	struct cmdline *cl = cmdline_stdin_new(cli_ctx, APP_PROMPT);
	char buf[256];
	ssize_t n;

	if (cl == NULL) {
		fprintf(stderr, "vhostu-fwd: cannot start the shell\n");
		return;
	}
	while (!__atomic_load_n(&app_quit, __ATOMIC_RELAXED)) {
		if (app_wait_input(0, APP_POLL_MS) > 0) {
			n = read(0, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
			if (n > 0)
				cmdline_in(cl, buf, (int)n);
		}
		app_idle();
	}
	cmdline_printf(cl, "\n");
	cmdline_stdin_exit(cl);
}

/* Commands from a pipe or file on stdin: no prompt, no echo. */
static void
app_shell_stdin(struct cmdline *cl)
{
	static struct cli_lines lines;
	char buf[CLI_REST_SIZE];
	ssize_t n;

	while (!__atomic_load_n(&app_quit, __ATOMIC_RELAXED)) {
		if (app_wait_input(0, APP_POLL_MS) > 0) {
			n = read(0, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
			if (n > 0)
				cli_lines_feed(cl, &lines, buf, (size_t)n);
		}
		app_idle();
	}
	if (!__atomic_load_n(&app_quit, __ATOMIC_RELAXED))
		cli_lines_end(cl, &lines);
	app_wait();
}

static int
app_run(const struct app_opts *o)
{
	struct cmdline *cl = cmdline_new(cli_ctx, "", -1, STDOUT_FILENO);
	int ret = 0;

	if (cl == NULL)
		return -ENOMEM;
	if (o->cmdline_file != NULL && cli_exec_file(cl, o->cmdline_file) < 0)
		ret = -EINVAL;
	if (ret == 0 && !__atomic_load_n(&app_quit, __ATOMIC_RELAXED)) {
		if (o->interactive)
			app_shell_interactive();
		else if (!isatty(STDIN_FILENO))
			app_shell_stdin(cl);
		else
			app_wait();
	}
	cmdline_free(cl);
	return ret;
}

static struct rte_mempool *
app_init_mempool(void)
{
	return rte_pktmbuf_pool_create("app_mbuf", APP_NB_MBUF, APP_MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
}

static int
app_init(struct rte_mempool **mp)
{
	struct cli_config cfg;
	int ret;

	rte_pmd_vhostu_link();
	*mp = app_init_mempool();
	if (*mp == NULL)
		return -ENOMEM;
	ret = app_fwd_init();
	if (ret < 0)
		return ret;
	memset(&cfg, 0, sizeof(cfg));
	cfg.fwd = app_fwd_ops();
	cfg.mp = *mp;
	ret = cli_init(&cfg);
	if (ret == 0)
		ret = cli_scan_ports();
	if (ret == 0)
		ret = app_fwd_launch();
	return ret;
}

int
main(int argc, char **argv)
{
	char *eal_argv[APP_MAX_ARGS], buf[1024];
	struct rte_mempool *mp = NULL;
	struct app_opts opts;
	int ret, n;

	app_raise_fd_limit();
	n = app_eal_argv(argc, argv, eal_argv, buf, sizeof(buf));
	ret = rte_eal_init(n, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "vhostu-fwd: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	ret = app_parse_args(n - ret, eal_argv + ret, &opts);
	if (ret == 0) {
		app_init_signals();
		ret = app_init(&mp);
		if (ret < 0)
			fprintf(stderr, "vhostu-fwd: start-up failed: %s\n", strerror(-ret));
		else
			ret = app_run(&opts);
	}
	app_fwd_stop();
	cli_fini();
	app_fwd_fini();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret < 0 ? 1 : 0;
}
