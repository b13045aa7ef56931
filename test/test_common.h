/* SPDX-License-Identifier: BSD-3-Clause */
/* What the CUnit suites share: counting open fds, running the suites. */
#ifndef VHOSTU_TEST_COMMON_H
#define VHOSTU_TEST_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <stddef.h>

#include <CUnit/Basic.h>

/* The process's open fds (without the one that reads /proc/self/fd), or -errno. */
static inline int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

/*
 * Run the suites (ended by CU_SUITE_INFO_NULL) verbosely. Returns the number
 * of failures (failed asserts, tests and suite set-ups), 1 when the registry
 * cannot be set up.
 */
static inline unsigned int
run_suites(CU_SuiteInfo *suites)
{
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed;
}

/* One suite: the tests (ended by CU_TEST_INFO_NULL) between init and clean. */
static inline unsigned int
run_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc clean, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ name, init, clean, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return run_suites(suites);
}

#endif
