/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msidom_snprintf(): the freestanding printf subset behind logging and the
 * dump. Every supported conversion is checked against the C library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* Same format, same argument: same text and same return value as libc. */
#define SAME(fmt, ...)                                                       \
	do {                                                                 \
		char a_[128], b_[128];                                       \
		int na_ = msidom_snprintf(a_, sizeof(a_), fmt, __VA_ARGS__); \
		int nb_ = snprintf(b_, sizeof(b_), fmt, __VA_ARGS__);        \
		assert_string_equal(a_, b_);                                 \
		assert_int_equal(na_, nb_);                                  \
	} while (0)

static void test_conversions(void **state)
{
	int x = 5;

	(void)state;
	SAME("%d", 0);
	SAME("%d", -42);
	SAME("%d", INT_MIN);
	SAME("%d", INT_MAX);
	SAME("%i", -7);
	SAME("%u", 4000000000u);
	SAME("%x", 0xdeadbeefu);
	SAME("%X", 0xdeadbeefu);
	SAME("%ld", LONG_MIN);
	SAME("%lu", ULONG_MAX);
	SAME("%lld", LLONG_MIN);
	SAME("%llu", ULLONG_MAX);
	SAME("%llx", 0x123456789abcdef0ull);
	SAME("%zu", (size_t)123456789);
	SAME("%zx", SIZE_MAX);
	SAME("%hu", (unsigned short)65535);
	SAME("%hd", (short)-32768);
	SAME("%hhu", (unsigned char)255);
	SAME("%hhd", (signed char)-128);
	SAME("%hx", (unsigned short)0x2345);
	SAME("%c", 'z');
	SAME("%s", "text");
	SAME("%5s|", "ab");
	SAME("%-5s|", "ab");
	SAME("%3c|", 'q');
	SAME("%-3c|", 'q');
	SAME("%8d|", -42);
	SAME("%-8d|", -42);
	SAME("%08d|", -42);
	SAME("%08x|", 0xbeefu);
	SAME("%2d|", 12345);
	SAME("%5u%%", 99u);
	SAME("%s=%d %s", "a", 1, "b");
	SAME("%p", (void *)&x);
	SAME("%p", (void *)0x1000);
	SAME("%x %x %x", 1u, 2u, 3u);
}

/* Formats the compiler would flag; kept out of its sight on purpose. */
static const char *volatile odd_fmt[] = { "%q", "abc%", "%-05u|", "%hhu %hu" };
static const char *volatile null_fmt;
static const char *volatile null_str;

static void test_misc(void **state)
{
	char buf[64];

	(void)state;
	/* %s of NULL prints a marker instead of crashing. */
	assert_int_equal(msidom_snprintf(buf, sizeof(buf), "[%s]", null_str), 8);
	assert_string_equal(buf, "[(null)]");
	/* %% and plain text. */
	assert_int_equal(msidom_snprintf(buf, sizeof(buf), "100%%"), 4);
	assert_string_equal(buf, "100%");
	/* An unknown conversion is copied through; a trailing '%' ends the text. */
	assert_int_equal(msidom_snprintf(buf, sizeof(buf), odd_fmt[0], 0), 2);
	assert_string_equal(buf, "%q");
	msidom_snprintf(buf, sizeof(buf), odd_fmt[1], 0);
	assert_string_equal(buf, "abc");
	/* '-' wins over '0'. */
	msidom_snprintf(buf, sizeof(buf), odd_fmt[2], 17u);
	assert_string_equal(buf, "17   |");
	/* h and hh narrow the promoted int as C says. */
	msidom_snprintf(buf, sizeof(buf), odd_fmt[3], 0x1ff, 70000);
	assert_string_equal(buf, "255 4464");
	/* Empty format. */
	assert_int_equal(msidom_snprintf(buf, sizeof(buf), "%s", ""), 0);
	assert_string_equal(buf, "");
}

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	/* Returns the full length, writes at most size-1 characters and a NUL. */
	assert_int_equal(msidom_snprintf(buf, 5, "%s-%d", "abcdef", 12), 9);
	assert_string_equal(buf, "abcd");
	assert_int_equal(buf[5], 'Z');
	assert_int_equal(msidom_snprintf(buf, 1, "xyz"), 3);
	assert_string_equal(buf, "");
	/* size 0: only the length, buffer untouched (may be NULL). */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(msidom_snprintf(buf, 0, "xyz"), 3);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(msidom_snprintf(NULL, 0, "%u", 12345u), 5);
	/* Bad arguments. */
	assert_int_equal(msidom_snprintf(NULL, 4, "x"), -MSIDOM_EINVAL);
	assert_int_equal(msidom_snprintf(buf, sizeof(buf), null_fmt, 0), -MSIDOM_EINVAL);
}

/* "%*s" with INT_MIN and a width beyond INT_MAX: no overflow (UBSan would abort). */
static void test_star_width_int_min_and_huge_widths_do_not_overflow(void **state)
{
	/* Formats through variables: the compiler would (rightly) reject the literals. */
	const char *volatile star = "%*s|", *volatile huge = "%99999999999d|";
	char buf[16];

	(void)state;

	assert_true(msidom_snprintf(buf, sizeof(buf), star, INT_MIN, "x") >= 2);
	assert_true(msidom_snprintf(buf, sizeof(buf), huge, 1) >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_star_width_int_min_and_huge_widths_do_not_overflow),
	};

	return cmocka_run_group_tests_name("unit-format", tests, NULL, sim_group_teardown);
}
