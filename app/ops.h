/* SPDX-License-Identifier: BSD-3-Clause */
/* vhostu-fwd: what an operator attaches to a running switch. */
#ifndef APP_OPS_H
#define APP_OPS_H

/* Register /vhostu/interfaces and /vhostu/interface (after cli_init). 0 or -errno. */
int app_telemetry_init(void);
/* Main lcore, between commands: answer the telemetry request waiting, if any. */
void app_telemetry_serve(void);
/* Before cli_fini: requests from now on fail. */
void app_telemetry_fini(void);

#endif /* APP_OPS_H */
