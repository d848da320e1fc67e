/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - a small test harness for the kernel tests.
 *
 * Each test is a function; RUN() runs it and prints "ok - name" or
 * "not ok - name" with the failed checks; summary() prints the closing line
 * "PROG: N passed, N failed" and returns the exit status.  With
 * PGM_TAP_TIMES=1 in the environment each result line is followed by the
 * test's wall time (where a suite spends its time).  PGM_TEST_SKIP, a
 * space-separated list of test names, leaves those out: each prints a
 * "# skipped" line and counts neither way (the debug kernel's suite skips
 * what only measures time, see Tests/kernel/suite.sh).
 */
#ifndef PGM_TEST_HARNESS_H
#define PGM_TEST_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int t_pass, t_fail, t_cur_failed;
static const char *t_name;

#define FAILF(fmt, ...)							\
	do {								\
		fprintf(stderr, "  %s:%d: %s: " fmt "\n", __FILE__,	\
			__LINE__, t_name, ##__VA_ARGS__);		\
		t_cur_failed = 1;					\
	} while (0)

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			FAILF("CHECK(%s) failed", #cond);		\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b)						\
			FAILF("%s == %s: %lld != %lld", #a, #b, _a, _b);\
	} while (0)

/* @expr must succeed (return >= 0). */
#define CHECK_OK(expr)							\
	do {								\
		long _r;						\
		errno = 0;						\
		_r = (long)(expr);					\
		if (_r < 0)						\
			FAILF("%s failed: %s", #expr, strerror(errno));	\
	} while (0)

/* @expr must fail with errno @e. */
#define CHECK_ERR(expr, e)						\
	do {								\
		long _r;						\
		errno = 0;						\
		_r = (long)(expr);					\
		if (_r != -1 || errno != (e))				\
			FAILF("%s: expected %s, got rc=%ld errno=%s",	\
			      #expr, strerrorname_np(e), _r,		\
			      errno ? strerrorname_np(errno) : "0");	\
	} while (0)

static inline double t_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void t_time(double t0)
{
	const char *e = getenv("PGM_TAP_TIMES");

	if (e && !strcmp(e, "1"))
		printf("    # %.1f s\n", t_now() - t0);
}

/* Is @name in PGM_TEST_SKIP? */
static inline int t_skipped(const char *name)
{
	const char *e = getenv("PGM_TEST_SKIP"), *p;
	size_t n = strlen(name);

	for (p = e; p && (p = strstr(p, name)); p += n)
		if ((p == e || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

#define RUN(fn)								\
	do {								\
		double _t0 = t_now();					\
		if (t_skipped(#fn)) {					\
			printf("# skipped %s (PGM_TEST_SKIP)\n", #fn);	\
			break;						\
		}							\
		t_name = #fn;						\
		t_cur_failed = 0;					\
		fn();							\
		if (t_cur_failed) {					\
			t_fail++;					\
			printf("not ok - %s\n", #fn);			\
		} else {						\
			t_pass++;					\
			printf("ok - %s\n", #fn);			\
		}							\
		t_time(_t0);						\
		fflush(stdout);						\
	} while (0)

static inline int summary(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
