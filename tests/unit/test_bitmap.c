/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The providers' bitmap area search: first fit, alignment (also shifted by
 * an offset), a full map, runs longer than the map, and bad arguments. A
 * naive first-fit search is the reference for the randomised maps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <libmsidom/provider.h>

static void set_bit(uint64_t *map, uint32_t bit)
{
	map[bit / 64] |= 1ull << (bit % 64);
}

static void set_range(uint64_t *map, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		set_bit(map, i);
}

/* First fit, one candidate at a time: what the search must agree with. */
static int64_t naive(const uint64_t *map, uint32_t nbits, uint32_t n, uint32_t align,
		     uint32_t offset)
{
	for (uint64_t s = (0u - offset) & (align - 1); s + n <= nbits; s += align) {
		uint32_t k = 0;

		while (k < n && !((map[(s + k) / 64] >> ((s + k) % 64)) & 1))
			k++;
		if (k == n)
			return (int64_t)s;
	}
	return -MSIDOM_ENOSPC;
}

static void test_bitmap_empty(void **state)
{
	uint64_t map[4] = { 0 };

	(void)state;
	assert_int_equal(msidom_bitmap_find_area(map, 256, 1, 1), 0);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 256, 1), 0);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 256, 256), 0);
	assert_int_equal(msidom_bitmap_find_area(map, 1, 1, 1), 0);
}

static void test_bitmap_first_fit(void **state)
{
	uint64_t map[4] = { 0 };

	(void)state;
	set_range(map, 0, 5);
	set_bit(map, 7);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 1, 1), 5);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 2, 1), 5);
	/* 5..6 is too short for three: the run starts past bit 7. */
	assert_int_equal(msidom_bitmap_find_area(map, 256, 3, 1), 8);
	/* A hole at a word boundary: runs may cross words. */
	set_range(map, 8, 62);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 3, 1), 62);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 70, 1), 62);
}

static void test_bitmap_alignment(void **state)
{
	uint64_t map[4] = { 0 };

	(void)state;
	set_bit(map, 0);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 1, 1), 1);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 1, 4), 4);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 4, 4), 4);
	/* Free bits at 1..3 and 5..: a block of 4 may not straddle bit 4. */
	set_bit(map, 4);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 4, 4), 8);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 2, 2), 2);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 32, 32), 32);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 128, 128), 128);
	/* The last aligned start is past the end once its run no longer fits. */
	assert_int_equal(msidom_bitmap_find_area(map, 200, 128, 128), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_bitmap_find_area(map, 256, 256, 256), -MSIDOM_ENOSPC);
}

static void test_bitmap_offset(void **state)
{
	uint64_t map[2] = { 0 };

	(void)state;
	/* Entry i stands for 3 + i: 8-aligned numbers are entries 5, 13, ... */
	assert_int_equal(msidom_bitmap_find_area_off(map, 128, 8, 8, 3), 5);
	assert_int_equal(msidom_bitmap_find_area_off(map, 128, 1, 8, 3), 5);
	/* Only the remainder modulo align matters. */
	assert_int_equal(msidom_bitmap_find_area_off(map, 128, 8, 8, 3 + 64), 5);
	assert_int_equal(msidom_bitmap_find_area_off(map, 128, 8, 8, 0), 0);
	assert_int_equal(msidom_bitmap_find_area_off(map, 128, 8, 8, 8), 0);
	set_bit(map, 12);
	assert_int_equal(msidom_bitmap_find_area_off(map, 128, 8, 8, 3), 13);
	/* Alignment 1 ignores the offset. */
	assert_int_equal(msidom_bitmap_find_area_off(map, 128, 1, 1, 3), 0);
	/* The first start that fits the phase is already too late. */
	assert_int_equal(msidom_bitmap_find_area_off(map, 12, 8, 8, 3), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_bitmap_find_area_off(map, 13, 8, 8, 3), -MSIDOM_ENOSPC);
}

static void test_bitmap_full(void **state)
{
	uint64_t map[3];

	(void)state;
	memset(map, 0xff, sizeof(map));
	assert_int_equal(msidom_bitmap_find_area(map, 192, 1, 1), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_bitmap_find_area(map, 150, 1, 1), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_bitmap_find_area(map, 192, 4, 4), -MSIDOM_ENOSPC);
	/* The very last entry is the only free one. */
	map[2] &= ~(1ull << 63);
	assert_int_equal(msidom_bitmap_find_area(map, 192, 1, 1), 191);
	assert_int_equal(msidom_bitmap_find_area(map, 192, 1, 2), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_bitmap_find_area(map, 192, 2, 1), -MSIDOM_ENOSPC);
}

static void test_bitmap_tail_ignored(void **state)
{
	/* Bits past nbits read as clear here: they must never be handed out. */
	uint64_t map[2] = { ~0ull, 0 };

	(void)state;
	map[1] = 0x7;
	assert_int_equal(msidom_bitmap_find_area(map, 67, 1, 1), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_bitmap_find_area(map, 68, 1, 1), 67);
	assert_int_equal(msidom_bitmap_find_area(map, 68, 2, 1), -MSIDOM_ENOSPC);
	map[0] = 0;
	assert_int_equal(msidom_bitmap_find_area(map, 64, 64, 64), 0);
	assert_int_equal(msidom_bitmap_find_area(map, 63, 64, 64), -MSIDOM_ENOSPC);
}

static void test_bitmap_too_long(void **state)
{
	uint64_t map[2] = { 0 };

	(void)state;
	assert_int_equal(msidom_bitmap_find_area(map, 100, 101, 1), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_bitmap_find_area(map, 100, 100, 1), 0);
	assert_int_equal(msidom_bitmap_find_area(map, 100, UINT32_MAX, 1), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_bitmap_find_area(map, 0, 1, 1), -MSIDOM_ENOSPC);
	/* Near the top of the index space nothing may wrap around. */
	assert_int_equal(msidom_bitmap_find_area_off(map, 100, 1u << 31, 1u << 31, 5),
			 -MSIDOM_ENOSPC);
}

static void test_bitmap_bad_input(void **state)
{
	uint64_t map[1] = { 0 };

	(void)state;
	assert_int_equal(msidom_bitmap_find_area(NULL, 64, 1, 1), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bitmap_find_area(map, 64, 0, 1), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bitmap_find_area(map, 64, 1, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bitmap_find_area(map, 64, 1, 3), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bitmap_find_area(map, 64, 4, 12), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bitmap_find_area_off(NULL, 64, 1, 1, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bitmap_find_area_off(map, 64, 0, 1, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bitmap_find_area_off(map, 64, 1, 6, 1), -MSIDOM_EINVAL);
	/* Bad input wins over an impossible size. */
	assert_int_equal(msidom_bitmap_find_area(map, 0, 0, 1), -MSIDOM_EINVAL);
}

/* Many random maps and requests against the naive search (fixed seed). */
static void test_bitmap_random(void **state)
{
	uint64_t map[8];
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (int round = 0; round < 4000; round++) {
		uint32_t nbits, n, align, offset, density;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		nbits = 1 + (uint32_t)(seed >> 33) % 512;
		density = (uint32_t)(seed >> 20) % 100;
		for (unsigned w = 0; w < 8; w++) {
			map[w] = 0;
			for (unsigned b = 0; b < 64; b++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				if ((seed >> 40) % 100 < density)
					map[w] |= 1ull << b;
			}
		}
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		align = 1u << ((seed >> 35) % 7);
		n = 1 + (uint32_t)(seed >> 45) % 40;
		offset = (uint32_t)(seed >> 13);
		assert_int_equal(msidom_bitmap_find_area_off(map, nbits, n, align, offset),
				 naive(map, nbits, n, align, offset));
		assert_int_equal(msidom_bitmap_find_area(map, nbits, n, align),
				 naive(map, nbits, n, align, 0));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bitmap_empty),     cmocka_unit_test(test_bitmap_first_fit),
		cmocka_unit_test(test_bitmap_alignment), cmocka_unit_test(test_bitmap_offset),
		cmocka_unit_test(test_bitmap_full),      cmocka_unit_test(test_bitmap_tail_ignored),
		cmocka_unit_test(test_bitmap_too_long),  cmocka_unit_test(test_bitmap_bad_input),
		cmocka_unit_test(test_bitmap_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
