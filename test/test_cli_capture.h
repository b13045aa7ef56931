/* SPDX-License-Identifier: BSD-3-Clause */
/* Capture what the shell prints: a cmdline whose output is a memfd. */
#ifndef TEST_CLI_CAPTURE_H
#define TEST_CLI_CAPTURE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmdline.h>

struct test_capture {
	struct cmdline *cl;
	int fd;
	char *text;
};

static inline int
test_capture_open(struct test_capture *c, cmdline_parse_ctx_t *ctx)
{
	static cmdline_parse_ctx_t empty[] = { NULL };

	c->text = NULL;
	c->fd = memfd_create("cli-out", 0);
	if (c->fd < 0)
		return -1;
	c->cl = cmdline_new(ctx ? ctx : empty, "", -1, c->fd);
	return c->cl ? 0 : -1;
}

/* Everything printed since the last call; the capture is emptied. */
static inline const char *
test_capture_take(struct test_capture *c)
{
	off_t len = lseek(c->fd, 0, SEEK_END);

	free(c->text);
	c->text = calloc(1, (size_t)len + 1);
	if (c->text == NULL)
		return "";
	if (pread(c->fd, c->text, (size_t)len, 0) != len)
		c->text[0] = '\0';
	if (ftruncate(c->fd, 0) != 0 || lseek(c->fd, 0, SEEK_SET) != 0)
		c->text[0] = '\0';
	return c->text;
}

static inline void
test_capture_close(struct test_capture *c)
{
	cmdline_free(c->cl);	/* closes fd */
	free(c->text);
	c->text = NULL;
}

#endif /* TEST_CLI_CAPTURE_H */
