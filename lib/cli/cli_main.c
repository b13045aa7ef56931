/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shell's state, error reporting, and running command lines and files.
 *
 * A command file runs line by line; blank lines and `#` comments are skipped.
 * The first line that fails is reported as `FILE:LINE: <error>` and the rest
 * of the file is NOT run: later lines usually depend on earlier ones.
 * A line longer than CLI_LINE_MAX is an error, in a file and on stdin; on
 * stdin, where each line runs on its own, it is dropped up to its newline.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>

#include "cli_internal.h"

struct cli_main cli_main;

void
cli_error(struct cmdline *cl, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cmdline_printf(cl, "%s%s\n", cli_main.err_prefix, msg);
	cli_main.failed = 1;
}

int
cli_init(const struct cli_config *cfg)
{
	int ret;

	memset(&cli_main, 0, sizeof(cli_main));
	ret = cli_cmds_init();
	if (ret < 0)
		return ret;
	cli_iftable_init(&cli_main.ift);
	cli_main.port = cfg->port != NULL ? cfg->port : cli_port_default_ops();
	cli_main.fwd = cfg->fwd;
	cli_main.mp = cfg->mp;
	if (cli_main.fwd == NULL)
		return -EINVAL;
	return 0;
}

void
cli_apply(void)
{
	cli_iftable_bd_sync(&cli_main.ift);
	cli_main.fwd->apply(&cli_main.ift);
}

int
cli_run_line(struct cmdline *cl, const char *line)
{
	char buf[CLI_REST_SIZE + 2];
	size_t n = strlen(line);
	int ret;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (n > CLI_REST_SIZE - 1) {
		cli_error(cl, "line too long (at most %d characters)", CLI_REST_SIZE - 1);
		return -1;
	}
	memcpy(buf, line, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	cli_main.failed = 0;
	ret = cmdline_parse(cl, buf);
	if (ret == CMDLINE_PARSE_AMBIGUOUS)
		cli_error(cl, "ambiguous command");
	else if (ret == CMDLINE_PARSE_NOMATCH)
		cli_error(cl, "unknown command");
	else if (ret == CMDLINE_PARSE_BAD_ARGS)
		cli_error(cl, "bad arguments");
	return cli_main.failed ? -1 : 0;
}

int
cli_run_line_prefixed(struct cmdline *cl, const char *line, const char *err_prefix)
{
	char saved[sizeof(cli_main.err_prefix)];
	int ret;

	memcpy(saved, cli_main.err_prefix, sizeof(saved));
	snprintf(cli_main.err_prefix, sizeof(cli_main.err_prefix), "%s", err_prefix);
	ret = cli_run_line(cl, line);
	memcpy(cli_main.err_prefix, saved, sizeof(saved));
	return ret;
}

static int
cli_exec_stream(struct cmdline *cl, FILE *f, const char *path)
{
	char saved[sizeof(cli_main.err_prefix)];
	char line[CLI_REST_SIZE];
	unsigned int lineno = 0;
	int ret = 0;

	memcpy(saved, cli_main.err_prefix, sizeof(saved));
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		snprintf(cli_main.err_prefix, sizeof(cli_main.err_prefix), "%s:%u: ", path,
			lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			cli_error(cl, "line too long (at most %d characters)", CLI_LINE_MAX);
			ret = -1;
			break;
		}
		ret = cli_run_line(cl, line);
	}
	memcpy(cli_main.err_prefix, saved, sizeof(saved));
	return ret;
}

int
cli_exec_file(struct cmdline *cl, const char *path)
{
	FILE *f;
	int ret;

	if (cli_main.exec_depth >= CLI_EXEC_DEPTH_MAX) {
		cli_error(cl, "exec %s: nested too deep (at most %d)", path, CLI_EXEC_DEPTH_MAX);
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		cli_error(cl, "cannot open `%s': %s", path, strerror(errno));
		return -1;
	}
	cli_main.exec_depth++;
	ret = cli_exec_stream(cl, f, path);
	cli_main.exec_depth--;
	fclose(f);
	cli_main.failed = ret < 0;
	return ret;
}

/* Consume data up to and including its first newline; how much, or n if none. */
static size_t
cli_lines_skip(struct cli_lines *l, const char *data, size_t n)
{
	const char *nl = memchr(data, '\n', n);

	if (nl == NULL)
		return n;
	l->skipping = false;
	return (size_t)(nl + 1 - data);
}

/* Take data up to its first newline into the line, run it if complete. */
static size_t
cli_lines_take(struct cmdline *cl, struct cli_lines *l, const char *data, size_t n)
{
	const char *nl = memchr(data, '\n', n);
	size_t len = nl != NULL ? (size_t)(nl - data) : n;

	if (l->have + len > CLI_LINE_MAX) {
		cli_error(cl, "line too long (at most %d characters): refused", CLI_LINE_MAX);
		l->have = 0;
		l->skipping = true;
		return 0;
	}
	memcpy(l->buf + l->have, data, len);
	l->have += len;
	if (nl == NULL)
		return n;
	l->buf[l->have] = '\0';
	l->have = 0;
	cli_run_line(cl, l->buf);
	return len + 1;
}

void
cli_lines_feed(struct cmdline *cl, struct cli_lines *l, const char *data, size_t n)
{
	size_t used;

	while (n > 0) {
		if (l->skipping)
			used = cli_lines_skip(l, data, n);
		else
			used = cli_lines_take(cl, l, data, n);
		data += used;
		n -= used;
	}
}

void
cli_lines_end(struct cmdline *cl, struct cli_lines *l)
{
	if (!l->skipping && l->have > 0) {
		l->buf[l->have] = '\0';
		cli_run_line(cl, l->buf);
	}
	l->have = 0;
	l->skipping = false;
}
