/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cmdline instances, made from the command table (cli_cmds.c), so that
 * a command cannot forget the forms that say what is wrong:
 * - the command itself, with its help string; when its arguments are
 *   optional, also without them (no help string: help lists it once);
 * - for each argument it may be missing, the shorter form: "missing
 *   argument: <the arguments left>";
 * - for each prefix of keywords: alone, "missing argument: a | b" (the words
 *   that may follow, or the prefix's hint); followed by any other word,
 *   "unknown input `word'" (a catch-all token that refuses the words that
 *   do follow, so it never makes a real command ambiguous).
 * Everything is made once and kept for the life of the process.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <rte_common.h>

#include "cli_internal.h"

#define CLI_CTX_TEXT	512	/* a help string or a missing-argument text */

typedef void (*cli_ctx_fn_t)(void *res, struct cmdline *cl, void *data);

struct cli_ctx_builder {
	cmdline_parse_ctx_t *ctx;
	unsigned int n, max;
	const struct cli_cmd_table *t;
};

static void
cli_ctx_missing_parsed(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	cli_error(cl, "missing argument: %s", (const char *)data);
}

static void
cli_ctx_unknown_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_res *r = res;
	char *w[1] = { NULL };

	RTE_SET_USED(data);
	cli_split(r->rest, w, 1);
	cli_error(cl, "unknown input `%s'", w[0] ? w[0] : r->rest);
}

static int
cli_cmd_n_words(const struct cli_cmd *c)
{
	int n = 0;

	while (n < CLI_CMD_WORDS && c->words[n] != NULL)
		n++;
	return n;
}

static int
cli_cmd_n_args(const struct cli_cmd *c)
{
	int n = 0;

	while (n < CLI_CMD_ARGS && c->args[n].tok != NULL)
		n++;
	return n;
}

const char *
cli_cmd_need(const void *data)
{
	const struct cli_cmd *c = data;
	int n = cli_cmd_n_args(c);

	if (c->optional || n == 0)
		return NULL;
	return c->args[n - 1].alone != NULL ? c->args[n - 1].alone : c->args[n - 1].syntax;
}

/* A keyword token for position depth. */
static cmdline_parse_token_hdr_t *
cli_ctx_keyword(const char *word, int depth)
{
	cmdline_parse_token_string_t *tok = calloc(1, sizeof(*tok));

	if (tok == NULL)
		return NULL;
	tok->hdr.ops = &cmdline_token_string_ops;
	tok->hdr.offset = offsetof(struct cli_res, w) + depth * sizeof(cmdline_fixed_string_t);
	tok->string_data.str = word;
	return &tok->hdr;
}

/*
 * Add an instance: the first n_words keywords of c, then the extra tokens
 * (NULL-terminated). help may be NULL.
 */
static int
cli_ctx_add(struct cli_ctx_builder *b, const struct cli_cmd *c, int n_words,
		cmdline_parse_token_hdr_t *const *extra, cli_ctx_fn_t f, void *data,
		const char *help)
{
	cmdline_parse_inst_t *inst;
	int n_extra = 0, i;

	while (extra != NULL && extra[n_extra] != NULL)
		n_extra++;
	if (b->n == b->max)
		return -ENOSPC;
	inst = calloc(1, sizeof(*inst) + (n_words + n_extra + 1) * sizeof(inst->tokens[0]));
	if (inst == NULL)
		return -ENOMEM;
	inst->f = f;
	inst->data = data;
	inst->help_str = help;
	for (i = 0; i < n_words; i++) {
		inst->tokens[i] = cli_ctx_keyword(c->words[i], i);
		if (inst->tokens[i] == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < n_extra; i++)
		inst->tokens[n_words + i] = extra[i];
	b->ctx[b->n++] = inst;
	b->ctx[b->n] = NULL;
	return 0;
}

/* parts[from..to) joined by sep, in a string of its own (NULL: out of memory). */
static char *
cli_ctx_join(const char *const *parts, int from, int to, const char *sep)
{
	char buf[CLI_CTX_TEXT];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = from; i < to; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s", i > from ? sep : "",
			parts[i]);
	return len < sizeof(buf) ? strdup(buf) : NULL;
}

/* "words args: what". */
static char *
cli_ctx_help(const struct cli_cmd *c)
{
	const char *parts[CLI_CMD_WORDS + CLI_CMD_ARGS];
	char buf[CLI_CTX_TEXT], *line;
	int nw = cli_cmd_n_words(c), na = cli_cmd_n_args(c), i;

	for (i = 0; i < nw; i++)
		parts[i] = c->words[i];
	for (i = 0; i < na; i++)
		parts[nw + i] = c->args[i].syntax;
	line = cli_ctx_join(parts, 0, nw + na, " ");
	if (line == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s: %s", line, c->what);
	free(line);
	return strdup(buf);
}

static int
cli_ctx_command(struct cli_ctx_builder *b, const struct cli_cmd *c)
{
	cmdline_parse_token_hdr_t *args[CLI_CMD_ARGS + 1] = { NULL };
	int nw = cli_cmd_n_words(c), na = cli_cmd_n_args(c), i, ret;
	char *help = cli_ctx_help(c);

	if (help == NULL)
		return -ENOMEM;
	for (i = 0; i < na; i++)
		args[i] = &c->args[i].tok->hdr;
	ret = cli_ctx_add(b, c, nw, args, c->f, (void *)(uintptr_t)c, help);
	if (ret == 0 && c->optional && na > 0)
		ret = cli_ctx_add(b, c, nw, NULL, c->f, (void *)(uintptr_t)c, NULL);
	return ret;
}

/* The command without its last na - k arguments: "missing argument: <those>". */
static int
cli_ctx_missing_args(struct cli_ctx_builder *b, const struct cli_cmd *c)
{
	cmdline_parse_token_hdr_t *args[CLI_CMD_ARGS + 1] = { NULL };
	const char *syntax[CLI_CMD_ARGS];
	int nw = cli_cmd_n_words(c), na = cli_cmd_n_args(c), k, ret;
	char *text;

	if (c->optional)
		return 0;
	for (k = 0; k < na; k++) {
		syntax[k] = c->args[k].syntax;
		args[k] = &c->args[k].tok->hdr;
	}
	for (k = na - 1; k >= 0; k--) {
		if (k == na - 1)
			text = strdup(cli_cmd_need(c));
		else
			text = cli_ctx_join(syntax, k, na, " ");
		if (text == NULL)
			return -ENOMEM;
		args[k] = NULL;
		ret = cli_ctx_add(b, c, nw, args, cli_ctx_missing_parsed, text, NULL);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Whether a and b start with the same d keywords. */
static bool
cli_ctx_same_prefix(const struct cli_cmd *a, const struct cli_cmd *b, int d)
{
	int i;

	for (i = 0; i < d; i++)
		if (a->words[i] == NULL || b->words[i] == NULL ||
				strcmp(a->words[i], b->words[i]) != 0)
			return false;
	return true;
}

/* The words that follow the first d keywords of c, in the table's order; their count. */
static int
cli_ctx_children(const struct cli_cmd_table *t, const struct cli_cmd *c, int d,
		const char **out)
{
	const struct cli_cmd *o;
	unsigned int i;
	int n = 0, k;

	for (i = 0; i < t->n_cmds; i++) {
		o = &t->cmds[i];
		if (cli_cmd_n_words(o) <= d || !cli_ctx_same_prefix(o, c, d))
			continue;
		for (k = 0; k < n && strcmp(out[k], o->words[d]) != 0; k++)
			;
		if (k == n)
			out[n++] = o->words[d];
	}
	out[n] = NULL;
	return n;
}

/* Whether the first d keywords of c are a command themselves. */
static bool
cli_ctx_is_command(const struct cli_cmd_table *t, const struct cli_cmd *c, int d)
{
	unsigned int i;

	for (i = 0; i < t->n_cmds; i++)
		if (cli_cmd_n_words(&t->cmds[i]) == d && cli_ctx_same_prefix(&t->cmds[i], c, d))
			return true;
	return false;
}

/* "missing argument: ..." for the first d keywords of c. */
static char *
cli_ctx_prefix_missing(const struct cli_cmd_table *t, const struct cli_cmd *c, int d,
		const char *const *children, int n)
{
	char *prefix = cli_ctx_join(c->words, 0, d, " ");
	const char *hint = NULL;
	unsigned int i;

	if (prefix == NULL)
		return NULL;
	for (i = 0; i < t->n_hints && hint == NULL; i++)
		if (strcmp(t->hints[i].prefix, prefix) == 0)
			hint = t->hints[i].missing;
	free(prefix);
	return hint != NULL ? strdup(hint) : cli_ctx_join(children, 0, n, " | ");
}

/* The forms of the first d keywords of c: alone, and followed by a word no command has. */
static int
cli_ctx_prefix(struct cli_ctx_builder *b, const struct cli_cmd *c, int d)
{
	const char **children = calloc(b->t->n_cmds + 1, sizeof(*children));
	struct cli_token *tok = calloc(1, sizeof(*tok));
	cmdline_parse_token_hdr_t *extra[2] = { &tok->hdr, NULL };
	char *text;
	int n, ret;

	if (children == NULL || tok == NULL)
		return -ENOMEM;
	n = cli_ctx_children(b->t, c, d, children);
	tok->hdr.ops = &cli_token_ops;
	tok->hdr.offset = offsetof(struct cli_res, rest);
	tok->data = (struct cli_token_data){ CLI_TOKEN_SRC_LIST, children, true, true,
		d == 0 ? "<command>" : "<what>" };
	ret = cli_ctx_add(b, c, d, extra, cli_ctx_unknown_parsed, NULL, NULL);
	if (ret < 0 || d == 0 || cli_ctx_is_command(b->t, c, d))
		return ret;
	text = cli_ctx_prefix_missing(b->t, c, d, children, n);
	if (text == NULL)
		return -ENOMEM;
	return cli_ctx_add(b, c, d, NULL, cli_ctx_missing_parsed, text, NULL);
}

/* Whether the first d keywords of t->cmds[i] are a prefix no earlier command had. */
static bool
cli_ctx_new_prefix(const struct cli_cmd_table *t, unsigned int i, int d)
{
	unsigned int j;

	for (j = 0; j < i; j++)
		if (cli_cmd_n_words(&t->cmds[j]) > d &&
				cli_ctx_same_prefix(&t->cmds[j], &t->cmds[i], d))
			return false;
	return true;
}

int
cli_ctx_build(cmdline_parse_ctx_t *ctx, unsigned int max, const struct cli_cmd_table *t)
{
	struct cli_ctx_builder b = { ctx, 0, max, t };
	unsigned int i;
	int d, ret = 0;

	ctx[0] = NULL;
	for (i = 0; i < t->n_cmds && ret == 0; i++)
		ret = cli_ctx_command(&b, &t->cmds[i]);
	for (i = 0; i < t->n_cmds && ret == 0; i++)
		ret = cli_ctx_missing_args(&b, &t->cmds[i]);
	for (i = 0; i < t->n_cmds && ret == 0; i++)
		for (d = 0; d < cli_cmd_n_words(&t->cmds[i]) && ret == 0; d++)
			if (cli_ctx_new_prefix(t, i, d))
				ret = cli_ctx_prefix(&b, &t->cmds[i], d);
	return ret;
}
