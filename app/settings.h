/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-fwd's start-up settings file (--config FILE): one `key = value` per
 * line, `#` comment lines and blank lines skipped; the keys are those of
 * struct app_settings (config/vhostu.conf shows each). An unknown key, a
 * bad value or a line without `=` is an error naming FILE:LINE. No EAL.
 */
#ifndef APP_SETTINGS_H
#define APP_SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define APP_SETTINGS_EAL_MAX	1024
#define APP_SETTINGS_SOCK_MAX	108	/* sun_path */
#define APP_SETTINGS_GROUP_MAX	64

struct app_settings {
	char eal_args[APP_SETTINGS_EAL_MAX];		/* eal-args: "" when not given */
	char cmdline_file[PATH_MAX];			/* cmdline-file */
	char cli_socket[APP_SETTINGS_SOCK_MAX];		/* cli-socket ("none": no socket) */
	char cli_socket_group[APP_SETTINGS_GROUP_MAX];	/* cli-socket-group */
	bool has_coalesce_frames;			/* coalesce-frames: 0.. */
	uint32_t coalesce_frames;
	bool has_coalesce_time;				/* coalesce-time: seconds, 0..1 */
	double coalesce_time;
};

/* Read path into s (zeroed first). 0, or -1 with the error printed on stderr. */
int app_settings_load(const char *path, struct app_settings *s);

/*
 * Where --config is: its value, and how many arguments it takes (1 for
 * --config=FILE, 2 for --config FILE) at argv[*at]; NULL when it is absent.
 * It is looked for as the first argument and among the application's options
 * (after the first `--`).
 */
const char *app_settings_find(int argc, char **argv, int *at, int *n_args);

#endif /* APP_SETTINGS_H */
