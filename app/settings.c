/* SPDX-License-Identifier: BSD-3-Clause */
/* vhostu-fwd's settings file (settings.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define APP_SETTINGS_LINE	4096
#define APP_SETTINGS_OPT	"--config"

typedef int (*app_setting_parse_t)(struct app_settings *s, const char *v, char *err,
		size_t errlen);

static int
app_setting_string(char *dst, size_t size, const char *v, char *err, size_t errlen)
{
	if (strlen(v) >= size) {
		snprintf(err, errlen, "value too long (at most %zu characters)", size - 1);
		return -1;
	}
	snprintf(dst, size, "%s", v);
	return 0;
}

static int
app_setting_eal_args(struct app_settings *s, const char *v, char *err, size_t errlen)
{
	const char *p = v;
	size_t n;

	/* `--` would end EAL's options and start the application's. */
	while (*p != '\0') {
		n = strcspn(p, " \t");
		if (n == 2 && strncmp(p, "--", 2) == 0) {
			snprintf(err, errlen, "`--' is not an EAL argument");
			return -1;
		}
		p += n;
		p += strspn(p, " \t");
	}
	return app_setting_string(s->eal_args, sizeof(s->eal_args), v, err, errlen);
}

static int
app_setting_cmdline_file(struct app_settings *s, const char *v, char *err, size_t errlen)
{
	return app_setting_string(s->cmdline_file, sizeof(s->cmdline_file), v, err, errlen);
}

static int
app_setting_cli_socket(struct app_settings *s, const char *v, char *err, size_t errlen)
{
	if (*v == '\0') {
		snprintf(err, errlen, "a path, or none");
		return -1;
	}
	return app_setting_string(s->cli_socket, sizeof(s->cli_socket), v, err, errlen);
}

static int
app_setting_group(struct app_settings *s, const char *v, char *err, size_t errlen)
{
	return app_setting_string(s->cli_socket_group, sizeof(s->cli_socket_group), v, err,
		errlen);
}

static int
app_setting_frames(struct app_settings *s, const char *v, char *err, size_t errlen)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end != '\0' || errno != 0 || x > UINT32_MAX) {
		snprintf(err, errlen, "expected a number of frames, 0 to %u", UINT32_MAX);
		return -1;
	}
	s->coalesce_frames = (uint32_t)x;
	s->has_coalesce_frames = true;
	return 0;
}

static int
app_setting_time(struct app_settings *s, const char *v, char *err, size_t errlen)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !(x >= 0 && x <= 1.0)) {
		snprintf(err, errlen, "expected seconds from 0 to 1 (1e-3 is 1 ms)");
		return -1;
	}
	s->coalesce_time = x;
	s->has_coalesce_time = true;
	return 0;
}

static const struct {
	const char *key;
	app_setting_parse_t parse;
} app_setting_keys[] = {
	{ "eal-args", app_setting_eal_args },
	{ "cmdline-file", app_setting_cmdline_file },
	{ "cli-socket", app_setting_cli_socket },
	{ "cli-socket-group", app_setting_group },
	{ "coalesce-frames", app_setting_frames },
	{ "coalesce-time", app_setting_time },
};

static char *
app_settings_trim(char *p)
{
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return p;
}

/* One line: 0, or -1 with err. */
static int
app_settings_line(struct app_settings *s, char *line, char *err, size_t errlen)
{
	char *eq, *key, *val;
	size_t i;

	line = app_settings_trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "expected key = value");
		return -1;
	}
	*eq = '\0';
	key = app_settings_trim(line);
	val = app_settings_trim(eq + 1);
	for (i = 0; i < sizeof(app_setting_keys) / sizeof(app_setting_keys[0]); i++)
		if (strcmp(key, app_setting_keys[i].key) == 0)
			return app_setting_keys[i].parse(s, val, err, errlen);
	snprintf(err, errlen, "unknown key `%s'", key);
	return -1;
}

int
app_settings_load(const char *path, struct app_settings *s)
{
	char line[APP_SETTINGS_LINE], err[160];
	unsigned int lineno = 0;
	int ret = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "vhostu-fwd: cannot open `%s': %s\n", path, strerror(errno));
		return -1;
	}
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, sizeof(err), "line too long (at most %d characters)",
				APP_SETTINGS_LINE - 2);
			ret = -1;
		} else {
			ret = app_settings_line(s, line, err, sizeof(err));
		}
		if (ret < 0)
			fprintf(stderr, "vhostu-fwd: %s:%u: %s\n", path, lineno, err);
	}
	fclose(f);
	return ret;
}

/* --config FILE or --config=FILE at argv[i]: its value and argument count. */
static const char *
app_settings_opt(int argc, char **argv, int i, int *n_args)
{
	size_t n = strlen(APP_SETTINGS_OPT);

	if (strncmp(argv[i], APP_SETTINGS_OPT, n) != 0)
		return NULL;
	if (argv[i][n] == '=') {
		*n_args = 1;
		return argv[i] + n + 1;
	}
	if (argv[i][n] != '\0')
		return NULL;
	*n_args = i + 1 < argc ? 2 : 1;
	return i + 1 < argc ? argv[i + 1] : "";
}

const char *
app_settings_find(int argc, char **argv, int *at, int *n_args)
{
	const char *v;
	int i;

	if (argc > 1 && (v = app_settings_opt(argc, argv, 1, n_args)) != NULL) {
		*at = 1;
		return v;
	}
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	for (i++; i < argc; i++) {
		v = app_settings_opt(argc, argv, i, n_args);
		if (v != NULL) {
			*at = i;
			return v;
		}
	}
	return NULL;
}
