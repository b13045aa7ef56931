/* SPDX-License-Identifier: BSD-3-Clause */
/* vhostu-fwd: what an operator attaches to a running switch (telemetry, capture). */
#ifndef APP_OPS_H
#define APP_OPS_H

/* Register /vhostu/interfaces and /vhostu/interface (after cli_init). 0 or -errno. */
int app_telemetry_init(void);
/* Main lcore, between commands: answer the telemetry request waiting, if any. */
void app_telemetry_serve(void);
/* Before cli_fini: requests from now on fail. */
void app_telemetry_fini(void);

/* rte_pdump for dpdk-dumpcap / dpdk-pdump; without EAL's multi-process channel, none. */
void app_capture_init(void);
void app_capture_fini(void);

#endif /* APP_OPS_H */
