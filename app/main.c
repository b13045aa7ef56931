/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-fwd: a vhost-user switch. EAL arguments, then `--` and:
 *   -i, --interactive      the shell on stdin (prompt, editing, Tab, ?)
 *   --cmdline-file FILE    run FILE first; a failing line stops the file and
 *                          vhostu-fwd exits with status 1
 *   --cli-socket PATH      the command socket (vhostu-ctl), "none" for none
 *   --cli-socket-group G   the group that may use it too
 *   --config FILE          start-up settings (settings.h); also accepted as
 *                          the first argument, then EAL's come from the file
 * Without -i, commands piped on stdin run line by line (no prompt, no echo);
 * at the end of stdin, or when stdin is a terminal, vhostu-fwd keeps
 * forwarding until `quit`, SIGINT or SIGTERM. With no EAL argument at all,
 * the file's eal-args or else the embedded defaults of config/eal.args are
 * used. The main lcore waits in one poll() for stdin and the command socket.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <rte_log.h>
#include <rte_mbuf.h>

#include "app.h"
#include "app_config.h"
#include "offload.h"
#include "cmd_sock.h"
#include "settings.h"
#include "ops.h"

#define APP_PROMPT	"vhostu# "
#define APP_NB_MBUF	16383
#define APP_MBUF_CACHE	256
#define APP_POLL_MS	100
#define APP_MAX_ARGS	128

struct app_opts {
	bool interactive;
	const char *cmdline_file;
	const char *cli_socket;	/* "none": no command socket */
	bool cli_socket_given;	/* not the default: failing to listen is an error */
	const char *cli_group;
};

static struct app_settings app_settings;

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

/*
 * stdin, stdout and stderr open, on /dev/null when they were closed: a
 * socket must never become fd 0 and be read as stdin (or written as stdout).
 */
static void
app_init_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			break;
}

/* --config FILE, read before EAL; *skip: its arguments when it comes first. 0 or -1. */
static int
app_init_settings(int argc, char **argv, int *skip)
{
	const char *path;
	int at = 0, n = 0;

	path = app_settings_find(argc, argv, &at, &n);
	*skip = at == 1 ? n : 0;
	if (path == NULL)
		return 0;
	return app_settings_load(path, &app_settings);
}

/*
 * argv for EAL: a leading --config FILE (skip of its arguments) left out, and
 * when no EAL argument was given, the settings file's eal-args or else the
 * embedded defaults.
 */
static int
app_eal_argv(int argc, char **argv, int skip, char **out, char *buf, size_t len)
{
	int n = 0, i = 1 + skip;
	char *tok, *save = NULL;

	out[n++] = argv[0];
	if (i >= argc || strcmp(argv[i], "--") == 0) {
		snprintf(buf, len, "%s", app_settings.eal_args[0] != '\0' ?
			app_settings.eal_args : APP_DEFAULT_EAL_ARGS);
		for (tok = strtok_r(buf, " \t\n", &save); tok != NULL && n < APP_MAX_ARGS - 1;
				tok = strtok_r(NULL, " \t\n", &save))
			out[n++] = tok;
	}
	for (; i < argc && n < APP_MAX_ARGS - 1; i++)
		out[n++] = argv[i];
	out[n] = NULL;
	return n;
}

static void
app_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [-i|--interactive] [--cmdline-file FILE]\n"
		"         [--cli-socket PATH|none] [--cli-socket-group GROUP] [--config FILE]\n"
		"       %s --config FILE [-- options]\n"
		"  -i, --interactive    the shell, with prompt, help (?) and Tab completion\n"
		"  --cmdline-file FILE  run the commands in FILE first (stops at the first\n"
		"                       failing line; vhostu-fwd then exits with status 1)\n"
		"  --cli-socket PATH    the command socket for vhostu-ctl (default %s;\n"
		"                       none: no socket)\n"
		"  --cli-socket-group GROUP  that group may use the socket too (mode 0660)\n"
		"  --config FILE        start-up settings (key = value); options given here\n"
		"                       win over the file's; first, it also gives EAL's\n"
		"Without -i, commands are read from stdin when it is not a terminal.\n"
		"Default EAL options: %s\n", prog, prog, CMD_SOCK_DEFAULT_PATH,
		APP_DEFAULT_EAL_ARGS);
}

static int
app_parse_args(int argc, char **argv, struct app_opts *o)
{
	static const struct option longopts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "cmdline-file", required_argument, NULL, 'f' },
		{ "cli-socket", required_argument, NULL, 's' },
		{ "cli-socket-group", required_argument, NULL, 'g' },
		{ "config", required_argument, NULL, 'c' },	/* read before EAL */
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ih", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->interactive = true;
			break;
		case 'f':
			o->cmdline_file = optarg;
			break;
		case 's':
			o->cli_socket = optarg;
			o->cli_socket_given = true;
			break;
		case 'g':
			o->cli_group = optarg;
			break;
		case 'c':
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

/* The options the settings file gives; the command line's win (app_parse_args after). */
static void
app_opts_from_settings(struct app_opts *o, const struct app_settings *s)
{
	memset(o, 0, sizeof(*o));
	o->cli_socket = CMD_SOCK_DEFAULT_PATH;
	if (s->cmdline_file[0] != '\0')
		o->cmdline_file = s->cmdline_file;
	if (s->cli_socket[0] != '\0') {
		o->cli_socket = s->cli_socket;
		o->cli_socket_given = true;
	}
	if (s->cli_socket_group[0] != '\0')
		o->cli_group = s->cli_socket_group;
}

/*
 * Wait up to ms (0 when the main lcore forwards) for stdin (fd, or -1) and
 * the command socket, whose clients are served here. stdin's revents.
 */
static int
app_wait_input(int fd, int ms)
{
	struct pollfd p[1 + CMD_SOCK_MAX_FDS];
	unsigned int n = 0, first;

	if (fd >= 0)
		p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
	first = n;
	n += cmd_sock_pollfds(p + n, RTE_DIM(p) - n);
	if (app_fwd_n_workers() == 0)
		ms = 0;
	if (poll(p, n, ms) <= 0)
		return 0;
	cmd_sock_handle(p + first, n - first);
	return fd >= 0 ? p[0].revents : 0;
}

static void
app_idle(void)
{
	app_fwd_poll_main();
	app_fwd_housekeep(false);
	app_telemetry_serve();
}

/* Forward (and serve the command socket) until quit or a signal. */
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

/* `quit` on the command socket ends that session; elsewhere, the switch. */
static void
app_cli_quit(void)
{
	if (!cmd_sock_quit_session())
		app_fwd_ops()->quit();
}

static int
app_init_coalesce(const struct app_settings *s)
{
	uint32_t frames;
	double t;

	if (!s->has_coalesce_frames && !s->has_coalesce_time)
		return 0;
	rte_pmd_vhostu_get_coalesce(&frames, &t);
	if (s->has_coalesce_frames)
		frames = s->coalesce_frames;
	if (s->has_coalesce_time)
		t = s->coalesce_time;
	return rte_pmd_vhostu_set_coalesce(frames, t);
}

/* The command socket; the default one is optional (another switch may hold it). */
static int
app_init_cmd_sock(const struct app_opts *o)
{
	int ret;

	if (strcmp(o->cli_socket, "none") == 0)
		return 0;
	ret = cmd_sock_open(o->cli_socket, o->cli_group);
	if (ret < 0 && !o->cli_socket_given) {
		RTE_LOG(WARNING, USER1, "vhostu-fwd: no command socket at %s (%s): "
			"vhostu-ctl cannot reach this switch\n", o->cli_socket, strerror(-ret));
		return 0;
	}
	return ret;
}

static int
app_init(struct rte_mempool **mp)
{
	static struct cli_fwd_ops fwd_ops;
	struct cli_config cfg;
	int ret;

	rte_pmd_vhostu_link();
	ret = app_init_coalesce(&app_settings);
	if (ret < 0)
		return ret;
	app_capture_init();
	*mp = app_init_mempool();
	if (*mp == NULL)
		return -ENOMEM;
	ret = app_offload_init(*mp);
	if (ret < 0)
		return ret;
	ret = app_fwd_init();
	if (ret < 0)
		return ret;
	memset(&cfg, 0, sizeof(cfg));
	fwd_ops = *app_fwd_ops();
	fwd_ops.quit = app_cli_quit;
	cfg.fwd = &fwd_ops;
	cfg.mp = *mp;
	ret = cli_init(&cfg);
	if (ret == 0)
		ret = cli_scan_ports();
	if (ret == 0 && app_telemetry_init() < 0)
		fprintf(stderr, "vhostu-fwd: warning: no /vhostu telemetry endpoints\n");
	if (ret == 0)
		ret = app_fwd_launch();
	return ret;
}

int
main(int argc, char **argv)
{
	char *eal_argv[APP_MAX_ARGS], buf[APP_SETTINGS_EAL_MAX];
	struct rte_mempool *mp = NULL;
	struct app_opts opts;
	int ret, n, skip;

	app_raise_fd_limit();
	app_init_std_fds();
	if (app_init_settings(argc, argv, &skip) < 0)
		return 1;
	n = app_eal_argv(argc, argv, skip, eal_argv, buf, sizeof(buf));
	ret = rte_eal_init(n, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "vhostu-fwd: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	/* stderr only: journald would show what also went to syslog twice. */
	rte_openlog_stream(stderr);
	app_opts_from_settings(&opts, &app_settings);
	ret = app_parse_args(n - ret, eal_argv + ret, &opts);
	if (ret == 0) {
		app_init_signals();
		ret = app_init(&mp);
		if (ret == 0)
			ret = app_init_cmd_sock(&opts);
		if (ret < 0)
			fprintf(stderr, "vhostu-fwd: start-up failed: %s\n", strerror(-ret));
		else
			ret = app_run(&opts);
	}
	cmd_sock_close();
	app_fwd_stop();
	app_telemetry_fini();
	cli_fini();
	app_capture_fini();
	app_fwd_fini();
	app_offload_fini();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret < 0 ? 1 : 0;
}
