/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where a VMM may map guest memory: the type1 IOMMU's usable IOVA ranges
 * and the IOMMU group's MSI windows. Both come from outside the library:
 * hostile capability chains (offsets out of bounds, loops, counts beyond
 * the answer, absurd sizes) are refused with -EIO and a log line, hostile
 * sysfs text is skipped line by line, and nothing is ever read out of
 * bounds (the asan configuration checks that).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "env.h"

#define MSI_LINE "0x00000000fee00000 0x00000000feefffff msi\n"

static struct msidom_vfio_iova_info *query(struct env *e, int expect)
{
	static struct msidom_vfio_iova_info out;
	memset(&out, 0xa5, sizeof(out));
	out.sz = sizeof(out);
	size_t mem = msidom_ctx_mem_bytes(e->ctx);
	int fds = ts_count_fds();
	assert_int_equal(msidom_vfio_get_iova_info(e->v, &out), expect);
	assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	assert_int_equal(ts_count_fds(), fds);
	return &out;
}

static struct env *opened_with(const char *reserved, const uint8_t *info, size_t len)
{
	struct fk_config kc = kcfg(612);
	kc.reserved = reserved;
	kc.iommu_info = info;
	kc.iommu_info_len = len;
	struct env *e = env_new(&kc);
	env_open(e);
	return e;
}

static void test_iova_info_reports_the_usable_ranges_and_the_msi_window(void **state)
{
	(void)state;
	struct env *e =
		opened_with(MSI_LINE "0x0000000000000000 0x0000000000ffffff direct\n", NULL, 0);
	struct msidom_vfio_iova_info *o = query(e, 0);
	assert_int_equal(o->nr_ranges, 2);
	assert_int_equal(o->ranges[0].start, 0);
	assert_int_equal(o->ranges[0].end, 0xfedfffffull);
	assert_int_equal(o->ranges[1].start, 0xfef00000ull);
	assert_int_equal(o->ranges[1].end, 0xffffffffffffull);
	assert_false(o->ranges_truncated);
	assert_int_equal(o->nr_msi, 1);
	assert_int_equal(o->msi[0].start, 0xfee00000ull);
	assert_int_equal(o->msi[0].end, 0xfeefffffull);
	/* An older caller's smaller struct gets what fits. */
	struct msidom_vfio_iova_info small;
	memset(&small, 0, sizeof(small));
	small.sz = offsetof(struct msidom_vfio_iova_info, ranges_truncated);
	assert_int_equal(msidom_vfio_get_iova_info(e->v, &small), 0);
	assert_int_equal(small.nr_ranges, 2);
	assert_int_equal(small.nr_msi, 0);
	assert_int_equal(msidom_vfio_get_iova_info(NULL, &small), -EINVAL);
	assert_int_equal(msidom_vfio_get_iova_info(e->v, NULL), -EINVAL);
	env_free(e);
}

static void test_iova_info_without_reserved_regions_reports_no_window(void **state)
{
	(void)state;
	struct env *e = opened_with(NULL, NULL, 0);
	struct msidom_vfio_iova_info *o = query(e, 0);
	assert_int_equal(o->nr_ranges, 2);
	assert_int_equal(o->nr_msi, 0);
	env_free(e);
}

/* ---- hostile VFIO_IOMMU_GET_INFO answers ---- */

struct blob {
	uint8_t b[1024];
	size_t len;
};

static void put32(struct blob *x, size_t off, uint32_t v)
{
	assert_true(off + 4 <= sizeof(x->b));
	for (int i = 0; i < 4; i++)
		x->b[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void put64(struct blob *x, size_t off, uint64_t v)
{
	put32(x, off, (uint32_t)v);
	put32(x, off + 4, (uint32_t)(v >> 32));
}

/* A well-formed answer: header, then one IOVA-range cap at @cap with @nr ranges. */
static struct blob good(uint32_t nr)
{
	struct blob x;
	memset(&x, 0, sizeof(x));
	x.len = 24 + 16 + 16 * nr;
	put32(&x, 0, (uint32_t)x.len);
	put32(&x, 4, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	put32(&x, 16, 24);
	put32(&x, 24, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE | 1u << 16);
	put32(&x, 28, 0);
	put32(&x, 32, nr);
	for (uint32_t i = 0; i < nr; i++) {
		put64(&x, 40 + 16 * i, (uint64_t)i << 32);
		put64(&x, 48 + 16 * i, ((uint64_t)i << 32) | 0xffff);
	}
	return x;
}

static void hostile(const struct blob *x, const char *log)
{
	struct env *e = opened_with(MSI_LINE, x->b, x->len);
	ts_log_clear(&e->h);
	query(e, -EIO);
	if (!ts_log_has(&e->h, log))
		fail_msg("expected a log line with '%s', got: %s", log, e->h.text);
	env_free(e);
}

static void test_hostile_capability_chains_are_refused(void **state)
{
	(void)state;
	struct blob x;

	x = good(2);
	put32(&x, 16, 400); /* first cap beyond the answer */
	hostile(&x, "outside the answer");
	x = good(2);
	put32(&x, 16, 8); /* inside the header */
	hostile(&x, "outside the answer");
	x = good(2);
	put32(&x, 16, 26); /* misaligned */
	hostile(&x, "misaligned");
	x = good(2);
	put32(&x, 28, 24); /* next = itself: a loop */
	hostile(&x, "backwards");
	x = good(2);
	put32(&x, 16, 40); /* a cap whose next goes back */
	put32(&x, 40, 7u | 1u << 16);
	put32(&x, 44, 24);
	hostile(&x, "backwards");
	x = good(2);
	put32(&x, 32, 0xffffffffu); /* count far beyond the answer */
	hostile(&x, "count beyond");
	x = good(2);
	put32(&x, 32, 3); /* one range too many */
	hostile(&x, "count beyond");
	x = good(2);
	put64(&x, 56, 0x10); /* range 1 ends before it starts */
	put64(&x, 64, 0x1);
	hostile(&x, "before its start");
	x = good(2);
	x.len = 36; /* cap header there, its count cut off */
	put32(&x, 0, 36);
	hostile(&x, "cut short");
	x = good(0);
	put32(&x, 0, 1u << 20); /* asks for a megabyte */
	hostile(&x, "refusing more");

	/* A chain of 64+ empty caps: bounded walk. */
	memset(&x, 0, sizeof(x));
	x.len = 24 + 8 * 70;
	put32(&x, 0, (uint32_t)x.len);
	put32(&x, 4, VFIO_IOMMU_INFO_CAPS);
	put32(&x, 16, 24);
	for (uint32_t i = 0; i < 70; i++) {
		put32(&x, 24 + 8 * i, 9u | 1u << 16);
		put32(&x, 28 + 8 * i, i + 1 < 70 ? 24 + 8 * (i + 1) : 0);
	}
	hostile(&x, "too many");
}

static void test_odd_but_valid_capability_chains_are_read(void **state)
{
	(void)state;
	/* Unknown cap first, then the IOVA ranges; more ranges than reported. */
	struct blob x = good(20);
	size_t cap = x.len;
	memmove(x.b + 32, x.b + 24, x.len - 24);
	memset(x.b + 24, 0, 8);
	put32(&x, 24, 42u | 1u << 16);
	put32(&x, 28, 32);
	x.len += 8;
	put32(&x, 0, (uint32_t)x.len);
	(void)cap;
	struct env *e = opened_with(NULL, x.b, x.len);
	struct msidom_vfio_iova_info *o = query(e, 0);
	assert_int_equal(o->nr_ranges, MSIDOM_VFIO_MAX_IOVA_RANGES);
	assert_true(o->ranges_truncated);
	assert_int_equal(o->ranges[15].start, 15ull << 32);
	env_free(e);

	/* No caps at all (an old kernel): no ranges, no error. */
	x = good(0);
	put32(&x, 0, 24);
	put32(&x, 4, VFIO_IOMMU_INFO_PGSIZES);
	x.len = 24;
	e = opened_with(NULL, x.b, x.len);
	o = query(e, 0);
	assert_int_equal(o->nr_ranges, 0);
	env_free(e);
}

static void test_iova_info_allocation_failure_changes_nothing(void **state)
{
	(void)state;
	struct env *e = opened_with(MSI_LINE, NULL, 0);
	e->h.fail_at = 1;
	query(e, -ENOMEM);
	e->h.fail_at = 0;
	fk_fail(e->fk, 1, EIO, FK_IOCTL, VFIO_IOMMU_GET_INFO);
	query(e, -EIO);
	fk_fail_off(e->fk);
	query(e, 0);
	env_free(e);
}

/* ---- hostile reserved_regions text ---- */

static struct msidom_vfio_iova_info *windows(struct env **ep, const char *text)
{
	*ep = opened_with(text, NULL, 0);
	return query(*ep, 0);
}

static void test_hostile_reserved_regions_lines_are_skipped(void **state)
{
	(void)state;
	struct env *e;
	struct msidom_vfio_iova_info *o;

	o = windows(&e, "garbage\n"
			"0x1 msi\n"                                   /* one number */
			"0x00000000fee00000 0x00000000feefffff\n"     /* no type */
			"0x10000000000000000 0x1 msi\n"               /* 17 digits */
			"0xfeefffff 0xfee00000 msi\n"                 /* end before start */
			"0xzz 0x1 msi\n"                              /* not hex */
			"0xfee00000 0xfeefffff msix\n"                /* another type */
			"0xfee00000 0xfeefffff msi-ish\n"             /* another type */
			"\n"                                          /* empty */
			"0x0000000008000000 0x00000000080fffff msi"); /* no newline */
	assert_int_equal(o->nr_msi, 1);
	assert_int_equal(o->msi[0].start, 0x8000000);
	assert_int_equal(o->msi[0].end, 0x80fffff);
	assert_true(ts_log_has(&e->h, "6 malformed reserved_regions"));
	env_free(e);

	/* More windows than reported: the first ones, and a log line. */
	o = windows(&e, "0x1000 0x1fff msi\n0x2000 0x2fff msi\n0x3000 0x3fff msi\n"
			"0x4000 0x4fff msi\n0x5000 0x5fff msi\n");
	assert_int_equal(o->nr_msi, 4);
	assert_int_equal(o->msi[3].start, 0x4000);
	assert_true(ts_log_has(&e->h, "beyond the first 4"));
	env_free(e);
}

static void test_overlong_reserved_regions_keep_the_complete_lines(void **state)
{
	(void)state;
	/* 5000 bytes: direct regions, then an MSI line cut by the 4096-byte buffer. */
	static char text[6000];
	size_t n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", MSI_LINE);
	while (n < 4080)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "0x0000000000000000 0x0000000000000fff direct\n");
	snprintf(text + n, sizeof(text) - n, "%s", "0x00000000a0000000 0x00000000a00fffff msi\n");
	struct env *e;
	struct msidom_vfio_iova_info *o = windows(&e, text);
	assert_int_equal(o->nr_msi, 1);
	assert_int_equal(o->msi[0].start, 0xfee00000ull);
	assert_true(ts_log_has(&e->h, "longer than 4096"));
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iova_info_reports_the_usable_ranges_and_the_msi_window),
		cmocka_unit_test(test_iova_info_without_reserved_regions_reports_no_window),
		cmocka_unit_test(test_hostile_capability_chains_are_refused),
		cmocka_unit_test(test_odd_but_valid_capability_chains_are_read),
		cmocka_unit_test(test_iova_info_allocation_failure_changes_nothing),
		cmocka_unit_test(test_hostile_reserved_regions_lines_are_skipped),
		cmocka_unit_test(test_overlong_reserved_regions_keep_the_complete_lines),
	};

	return cmocka_run_group_tests_name("vfio-iova", tests, NULL, NULL);
}
