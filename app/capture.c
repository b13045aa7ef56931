/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture: rte_pdump lets dpdk-dumpcap and dpdk-pdump, secondary
 * processes of ours (same --file-prefix), ask us to copy what our ports
 * receive and send into their rings. It needs EAL's multi-process channel,
 * whose socket (mp_socket in the runtime directory) EAL does not make with
 * --no-shconf or --in-memory: then rte_pdump_init still succeeds but nobody
 * can attach, and one log line says so.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_pdump.h>

#include "ops.h"

static bool app_capture_on;

static bool
app_capture_mp_channel(void)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/mp_socket", rte_eal_get_runtime_dir());
	return access(path, F_OK) == 0;
}

void
app_capture_init(void)
{
	if (rte_pdump_init() < 0) {
		RTE_LOG(WARNING, USER1, "vhostu-fwd: no packet capture: %s\n",
			rte_strerror(rte_errno));
		return;
	}
	app_capture_on = true;
	if (!app_capture_mp_channel())
		RTE_LOG(NOTICE, USER1, "vhostu-fwd: dpdk-dumpcap and dpdk-pdump cannot attach: "
			"EAL has no multi-process channel (--no-shconf, --in-memory)\n");
}

void
app_capture_fini(void)
{
	if (app_capture_on)
		rte_pdump_uninit();
	app_capture_on = false;
}
