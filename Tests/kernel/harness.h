/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - a small test harness for the kernel tests.
 *
 * Each test is a function; RUN() runs it and prints "ok - name" or
 * "not ok - name" with the failed checks; summary() prints the closing line
 * "PROG: N passed, N failed" and returns the exit status.
 */
#ifndef PGM_TEST_HARNESS_H
#define PGM_TEST_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define RUN(fn)								\
	do {								\
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
		fflush(stdout);						\
	} while (0)

static inline int summary(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
