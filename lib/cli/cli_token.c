/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A cmdline token that takes any word (or, multi, the rest of the line) and
 * completes from the interface table or a word list (model:
 * examples/cmdline/parse_obj_list.c). Taking any word lets the command say
 * what was wrong (`unknown interface `x'') instead of cmdline's "Bad
 * arguments"; reject_list makes the catch-all tokens that report unknown
 * input without clashing with the real commands.
 */
#include <string.h>

#include <cmdline_parse.h>

#include "cli_internal.h"

/* cmdline_isendofcommand() is not exported by the shared library. */
static bool
cli_token_end_of_command(char c)
{
	return c == '\0' || c == '#' || c == '\n' || c == '\r';
}

static size_t
cli_token_word_len(const char *buf)
{
	size_t n = 0;

	while (!cmdline_isendoftoken(buf[n]))
		n++;
	return n;
}

static bool
cli_token_in_list(const struct cli_token_data *d, const char *buf)
{
	size_t n = cli_token_word_len(buf);
	int i;

	for (i = 0; d->list != NULL && d->list[i] != NULL; i++)
		if (strlen(d->list[i]) == n && strncmp(d->list[i], buf, n) == 0)
			return true;
	return false;
}

static int
cli_token_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res, unsigned int size)
{
	const struct cli_token_data *d = &((struct cli_token *)tk)->data;
	size_t n, max = d->multi ? CLI_REST_SIZE : CLI_WORD_SIZE;

	if (buf == NULL || *buf == '\0')
		return -1;
	if (d->reject_list && cli_token_in_list(d, buf))
		return -1;
	if (d->multi) {
		n = 0;
		while (!cli_token_end_of_command(buf[n]))
			n++;
	} else {
		n = cli_token_word_len(buf);
	}
	if (n == 0 || n >= max)
		return -1;
	if (res != NULL) {
		if (size < max)
			return -1;
		memcpy(res, buf, n);
		((char *)res)[n] = '\0';
	}
	return (int)n;
}

/* The idx-th interface name, or NULL. */
static const char *
cli_token_if_name(int idx)
{
	const struct cli_if *ifp;
	int k = 0;

	CLI_IFTABLE_FOREACH(&cli_main.ift, ifp)
		if (k++ == idx)
			return ifp->name;
	return NULL;
}

static int
cli_token_complete_get_nb(cmdline_parse_token_hdr_t *tk)
{
	const struct cli_token_data *d = &((struct cli_token *)tk)->data;
	int n = 0;

	if (d->reject_list)
		return 0;
	if (d->src == CLI_TOKEN_SRC_IF)
		while (cli_token_if_name(n) != NULL)
			n++;
	else if (d->src == CLI_TOKEN_SRC_LIST)
		while (d->list[n] != NULL)
			n++;
	return n;
}

static int
cli_token_complete_get_elt(cmdline_parse_token_hdr_t *tk, int idx, char *dst, unsigned int size)
{
	const struct cli_token_data *d = &((struct cli_token *)tk)->data;
	const char *s = NULL;

	if (d->src == CLI_TOKEN_SRC_IF)
		s = cli_token_if_name(idx);
	else if (d->src == CLI_TOKEN_SRC_LIST)
		s = d->list[idx];
	if (s == NULL || strlen(s) >= size)
		return -1;
	strcpy(dst, s);
	return 0;
}

static int
cli_token_get_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	const struct cli_token_data *d = &((struct cli_token *)tk)->data;

	snprintf(dst, size, "%s", d->help ? d->help : "<word>");
	return 0;
}

struct cmdline_token_ops cli_token_ops = {
	.parse = cli_token_parse,
	.complete_get_nb = cli_token_complete_get_nb,
	.complete_get_elt = cli_token_complete_get_elt,
	.get_help = cli_token_get_help,
};
