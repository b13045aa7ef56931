/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhostu-fwd's command socket: the shell for other processes (vhostu-ctl).
 * The protocol is shared with vhostu-ctl, which includes this header only for
 * the constants below (it has no DPDK).
 *
 * A unix stream socket. The client sends requests, each one line ending in
 * '\n' (at most CMD_SOCK_LINE_MAX bytes before it); the switch answers each,
 * in order, with the command's output (text, never a NUL byte), then a NUL
 * byte, then its status in decimal (0 success, 1 the command failed) and
 * '\n'. Requests may be sent ahead of answers. A line whose first byte is
 * CMD_SOCK_CTL is a session request:
 *   CMD_SOCK_CTL "prefix TEXT"  errors of the following commands start with
 *                               TEXT (vhostu-ctl exec: "FILE:LINE: "); answered
 *                               like a command (status 0)
 *   CMD_SOCK_CTL "terminal"     from now on the connection is a terminal: the
 *                               bytes sent are keys for the shell's line editor
 *                               (prompt, echo, history, Tab, ?), what comes back
 *                               is what a terminal shows; no answers, no status
 * `quit` ends the session (not the switch); so does the end of the client's
 * input, once the answers are sent.
 */
#ifndef APP_CMD_SOCK_H
#define APP_CMD_SOCK_H

#include <stdbool.h>

#define CMD_SOCK_DEFAULT_PATH	"/run/vhostu/cli.sock"
#define CMD_SOCK_CTL		'\x01'
#define CMD_SOCK_CTL_PREFIX	"prefix"
#define CMD_SOCK_CTL_TERMINAL	"terminal"
#define CMD_SOCK_LINE_MAX	4094	/* CLI_LINE_MAX */
#define CMD_SOCK_PREFIX_MAX	300	/* an error prefix */

#ifndef CMD_SOCK_PROTOCOL_ONLY

#include <poll.h>

#define CMD_SOCK_MAX_CLIENTS	16
/* What cmd_sock_pollfds() may add: the listening socket and every client. */
#define CMD_SOCK_MAX_FDS	(1 + CMD_SOCK_MAX_CLIENTS)

/*
 * Listen on path (mode 0660, given to group when it is not NULL: a name or a
 * gid). The directory is made (0755) when missing; a stale socket (nobody
 * accepts on it) is replaced, anything else at path is an error. 0 or -errno,
 * logged.
 */
int cmd_sock_open(const char *path, const char *group);
/* Close every session and the socket, unlink its file (if it is still ours). */
void cmd_sock_close(void);
/* The fds to wait on and what for: at most max entries, their count. */
unsigned int cmd_sock_pollfds(struct pollfd *p, unsigned int max);
/* Serve what poll() found on the entries cmd_sock_pollfds() made. */
void cmd_sock_handle(const struct pollfd *p, unsigned int n);
/*
 * `quit` while a session runs a command ends that session: true then (the
 * caller must not stop the switch), false when no session is running one.
 */
bool cmd_sock_quit_session(void);

#endif /* CMD_SOCK_PROTOCOL_ONLY */
#endif /* APP_CMD_SOCK_H */
