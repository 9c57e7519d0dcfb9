/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation and free: the msi_map interface (explicit and ANY index,
 * errors, dynamic single free, ranges all-or-nothing, multi-message MSI
 * blocks, free range/all, lookup) and instance cookies, on a device with
 * MSI-X and IMS slots at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define DEF MSIDOM_DEFAULT_DOMAIN
#define SEC MSIDOM_SECONDARY_DOMAIN

static msidom_cookie ck(uint64_t v)
{
	msidom_cookie c = { .value = v };

	return c;
}

static struct msidom_map at(struct sim *s, enum msidom_slot slot, uint32_t index)
{
	return msidom_msi_alloc_at(s->dev, slot, index, NULL);
}

static void test_explicit_and_any(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_map m;

	(void)state;
	m = at(s, DEF, 3);
	assert_int_equal(m.index, 3);
	assert_int_equal(m.virq, 1);
	assert_int_equal(at(s, DEF, MSIDOM_INDEX_ANY).index, 0);
	assert_int_equal(at(s, DEF, MSIDOM_INDEX_ANY).index, 1);
	assert_int_equal(at(s, DEF, MSIDOM_INDEX_ANY).index, 2);
	m = at(s, DEF, MSIDOM_INDEX_ANY);
	assert_int_equal(m.index, 4);
	assert_int_equal(m.virq, 5);
	assert_int_equal(at(s, DEF, 63).index, 63);
	assert_int_equal(msidom_irq_count(s->ctx), 6);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 6);
	assert_int_equal(s->vec.nr_used, 6);
	assert_int_equal(s->ir.nr_used, 6);
	sim_free(s);
}

static void test_alloc_errors_change_nothing(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .dev_hwsize = 8 });
	struct sim_snap snap;
	unsigned int nerr;
	struct msidom_map m;

	(void)state;
	assert_int_equal(at(s, DEF, 2).index, 2);
	sim_snap_take(s, &snap);
	nerr = s->h.nerr;
	sim_log_clear(s);

	m = at(s, DEF, 8);
	assert_int_equal(m.index, -MSIDOM_ERANGE);
	assert_int_equal(m.virq, 0);
	assert_int_equal(at(s, DEF, MSIDOM_INDEX_ANY - 1).index, -MSIDOM_ERANGE);
	m = at(s, DEF, 2);
	assert_int_equal(m.index, -MSIDOM_EEXIST);
	assert_int_equal(m.virq, 0);
	assert_int_equal(at(s, MSIDOM_MAX_DOMAINS, 0).index, -MSIDOM_EINVAL);
	assert_int_equal(at(s, (enum msidom_slot) - 5, 0).index, -MSIDOM_EINVAL);
	assert_int_equal(at(s, SEC, 0).index, -MSIDOM_ENOENT); /* empty slot */
	m = msidom_msi_alloc_at(NULL, DEF, 0, NULL);
	assert_int_equal(m.index, -MSIDOM_EINVAL);
	assert_int_equal(m.virq, 0);
	/* Each refusal is logged, runs no op beyond the batch, and changes nothing. */
	assert_true(s->h.nerr >= nerr + 5);
	assert_int_equal(sim_count(s, "prepare:DEV"), 0);
	assert_int_equal(sim_count(s, "alloc:VEC"), 0);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);

	/* ANY on a full domain. */
	for (int i = 0; i < 7; i++)
		assert_true(at(s, DEF, MSIDOM_INDEX_ANY).index >= 0);
	sim_snap_take(s, &snap);
	assert_int_equal(at(s, DEF, MSIDOM_INDEX_ANY).index, -MSIDOM_ENOSPC);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);
	sim_free(s);
}

/* A parent running out of hwirqs fails the allocation cleanly. */
static void test_parent_exhausted(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .no_ir = true, .dev_hwsize = 512 });
	struct sim_snap snap;
	uint32_t n = 0;

	(void)state;
	/* 224 usable vectors on CPU 0. */
	while (at(s, DEF, MSIDOM_INDEX_ANY).index >= 0)
		n++;
	assert_int_equal(n, 256 - SIM_VEC_FIRST);
	sim_snap_take(s, &snap);
	assert_int_equal(at(s, DEF, MSIDOM_INDEX_ANY).index, -MSIDOM_ENOSPC);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 300, 301, NULL), -MSIDOM_ENOSPC);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);
	/* Other CPUs still have room. */
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 400,
					     &(struct msidom_alloc_opts){
						     .sz = sizeof(struct msidom_alloc_opts),
						     .affinity = sim_cpu1(1) })
				 .index,
			 400);
	sim_free(s);
}

static void test_dynamic_free(void **state)
{
	struct sim *s = sim_new(NULL);
	MSIDOM_OPTS(msidom_alloc_opts, un, .unmasked = true);
	struct msidom_msg before[8];
	uint32_t virq[8];

	(void)state;
	for (uint32_t i = 0; i < 8; i++) {
		struct msidom_map m = msidom_msi_alloc_at(s->dev, DEF, i, &un);

		assert_int_equal(m.index, (int32_t)i);
		virq[i] = m.virq;
		before[i] = s->dev_lv.table[i];
		assert_int_equal(msidom_irq_set_handler(s->ctx, m.virq, sim_handler, s), 0);
	}
	sim_log_clear(s);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 3), 0);
	/* Only index 3 was touched. */
	assert_string_equal(sim_log(s),
			    "bus_lock:DEV mask:DEV write0:DEV deactivate:DEV "
			    "deactivate:IR deactivate:VEC teardown:DEV free:DEV free:IR "
			    "free:VEC sync:DEV");
	assert_int_equal(s->dev_lv.table[3].address_lo, 0);
	assert_int_equal(s->dev_lv.masked[3], 1);
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 3), -MSIDOM_ENOENT);
	assert_null(msidom_irq_desc(s->ctx, virq[3]));
	for (uint32_t i = 0; i < 8; i++) {
		if (i == 3)
			continue;
		assert_int_equal(msidom_msi_virq(s->dev, DEF, i), virq[i]);
		assert_memory_equal(&s->dev_lv.table[i], &before[i], sizeof(before[i]));
		assert_int_equal(s->dev_lv.masked[i], 0);
		assert_false(msidom_desc_masked(msidom_desc_at(s->dev_lv.d, i)));
		/* Still delivering. */
		assert_int_equal(msidom_handle(s->dev_lv.d, i), 0);
	}
	assert_int_equal(msidom_handle(s->dev_lv.d, 3), -MSIDOM_ENOENT);
	assert_int_equal(msidom_irq_count(s->ctx), 7);
	/* The freed index and virq are handed out again. */
	{
		struct msidom_map m = at(s, DEF, MSIDOM_INDEX_ANY);

		assert_int_equal(m.index, 3);
		assert_int_equal(m.virq, virq[3]);
	}
	/* Freeing what is not there. */
	assert_int_equal(msidom_msi_free(s->dev, DEF, 20), -MSIDOM_ENOENT);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 64), -MSIDOM_ERANGE);
	assert_int_equal(msidom_msi_free(s->dev, SEC, 0), -MSIDOM_ENOENT);
	assert_int_equal(msidom_msi_free(s->dev, MSIDOM_MAX_DOMAINS, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_free(NULL, DEF, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 30, ck(0)), 30);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 30), -MSIDOM_ENOENT);
	assert_non_null(msidom_desc_at(s->dev_lv.d, 30));
	sim_free(s);
}

static void test_range(void **state)
{
	struct sim *s = sim_new(NULL);
	struct sim_snap snap;

	(void)state;
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 0, 7, NULL), 0);
	assert_int_equal(msidom_irq_count(s->ctx), 8);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(msidom_msi_virq(s->dev, DEF, i), i + 1);
	/* One batch around the whole range. */
	assert_int_equal(sim_count(s, "bus_lock:DEV"), 1);
	assert_int_equal(sim_count(s, "sync:DEV"), 1);
	assert_int_equal(sim_count(s, "write:DEV"), 8);

	sim_snap_take(s, &snap);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 6, 9, NULL), -MSIDOM_EEXIST);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 9, 8, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 60, 64, NULL), -MSIDOM_ERANGE);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 0, UINT32_MAX, NULL), -MSIDOM_ERANGE);
	assert_int_equal(msidom_msi_alloc_range(s->dev, SEC, 0, 1, NULL), -MSIDOM_ENOENT);
	assert_int_equal(msidom_msi_alloc_range(s->dev, MSIDOM_MAX_DOMAINS, 0, 1, NULL),
			 -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_alloc_range(NULL, DEF, 0, 1, NULL), -MSIDOM_EINVAL);
	sim_snap_assert_same(s, &snap);

	/* All or nothing: the 4th vector fails at the IR level. */
	sim_log_clear(s);
	sim_fail(s, "alloc:IR", 4, -MSIDOM_ENOSPC);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 10, 15, NULL), -MSIDOM_ENOSPC);
	assert_int_equal(sim_count(s, "alloc:IR"), 3);
	assert_int_equal(sim_count(s, "free:IR"), 3);
	assert_int_equal(sim_count(s, "free:VEC"), 4); /* the failing one's VEC too */
	assert_int_equal(sim_count(s, "teardown:DEV"), 4);
	assert_int_equal(sim_count(s, "write0:DEV"), 3);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);

	/* Free a range: vectors counted, gaps ignored. */
	assert_int_equal(msidom_msi_free_range(s->dev, DEF, 2, 4), 3);
	assert_int_equal(msidom_msi_free_range(s->dev, DEF, 2, 4), 0);
	assert_int_equal(msidom_msi_free_range(s->dev, DEF, 0, UINT32_MAX), 5);
	assert_int_equal(msidom_irq_count(s->ctx), 0);
	assert_int_equal(msidom_msi_free_range(s->dev, DEF, 5, 4), -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_free_range(s->dev, SEC, 0, 4), -MSIDOM_ENOENT);
	assert_int_equal(msidom_msi_free_range(s->dev, MSIDOM_MAX_DOMAINS, 0, 4), -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_free_range(NULL, DEF, 0, 4), -MSIDOM_EINVAL);

	/* Free all. */
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 40, 43, NULL), 0);
	assert_int_equal(at(s, DEF, 1).index, 1);
	assert_int_equal(msidom_msi_free_all(s->dev, DEF), 5);
	assert_int_equal(msidom_msi_free_all(s->dev, DEF), 0);
	assert_int_equal(msidom_msi_free_all(s->dev, SEC), -MSIDOM_ENOENT);
	assert_int_equal(msidom_msi_free_all(s->dev, MSIDOM_MAX_DOMAINS), -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_free_all(NULL, DEF), -MSIDOM_EINVAL);
	assert_int_equal(msidom_irq_count(s->ctx), 0);
	assert_int_equal(s->vec.nr_used, 0);
	sim_free(s);
}

/* A failed range gives pre-existing descriptors back exactly as they were. */
static void test_range_failure_keeps_reserved_descs(void **state)
{
	struct sim *s = sim_new(NULL);
	MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true, .cookie = { .value = 0x99 });
	struct sim_snap snap;

	(void)state;
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 11, ck(0x11)), 11);
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 12, ck(0x12)), 12);
	sim_snap_take(s, &snap);
	sim_fail(s, "activate:DEV", 4, -MSIDOM_EIO);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 10, 13, &o), -MSIDOM_EIO);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(s->dev_lv.d, 11)).value, 0x11);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(s->dev_lv.d, 12)).value, 0x12);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);
	/* The reservations are still usable. */
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 10, 13, NULL), 0);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(s->dev_lv.d, 12)).value, 0x12);
	sim_free(s);
}

static void test_lookup(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	struct msidom_map a, b;

	(void)state;
	a = at(s, DEF, 9);
	b = at(s, SEC, 9);
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 9), a.virq);
	assert_int_equal(msidom_msi_virq(s->dev, SEC, 9), b.virq);
	assert_int_not_equal(a.virq, b.virq);
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 8), -MSIDOM_ENOENT);
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 64), -MSIDOM_ENOENT);
	assert_int_equal(msidom_msi_virq(s->dev, MSIDOM_MAX_DOMAINS, 9), -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_virq(NULL, DEF, 9), -MSIDOM_EINVAL);
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 1, ck(0)), 1);
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 1), -MSIDOM_ENOENT);
	assert_ptr_equal(msidom_irq_desc(s->ctx, b.virq), msidom_desc_at(s->ims_lv.d, 9));
	assert_int_equal(msidom_device_domain_destroy(s->dev, SEC), 0);
	assert_int_equal(msidom_msi_virq(s->dev, SEC, 9), -MSIDOM_ENOENT);
	sim_free(s);
}

static void test_two_slots(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	MSIDOM_OPTS(msidom_alloc_opts, pasid, .has_cookie = true);
	uint32_t msix[4], ims[4];

	(void)state;
	for (uint32_t i = 0; i < 4; i++) {
		msix[i] = at(s, DEF, i).virq;
		pasid.cookie.value = 100 + i;
		ims[i] = msidom_msi_alloc_at(s->dev, SEC, i, &pasid).virq;
		assert_true(msix[i] && ims[i]);
	}
	/* Each IMS vector carries its PASID to prepare_desc and to the write. */
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(s->ims_lv.cookie_prepared[i], 100 + i);
		assert_int_equal(s->ims_lv.cookie_written[i], 100 + i);
		assert_int_equal(s->dev_lv.cookie_prepared[i], 0);
	}
	assert_int_equal(msidom_domain_mapped(s->ir.d), 8);
	assert_int_equal(msidom_irq_count(s->ctx), 8);
	assert_int_equal(msidom_msi_free(s->dev, SEC, 2), 0);
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 2), msix[2]);
	assert_true(msidom_desc_activated(msidom_desc_at(s->dev_lv.d, 2)));
	assert_int_equal(msidom_msi_free_all(s->dev, DEF), 4);
	assert_int_equal(msidom_msi_virq(s->dev, SEC, 3), ims[3]);
	assert_int_equal(msidom_irq_count(s->ctx), 3);
	sim_free(s);
}

static void test_cookies(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true);
	int object;
	struct msidom_map m;

	(void)state;
	/* Value. */
	o.cookie.value = 0xfedcba9876543210ull;
	m = msidom_msi_alloc_at(s->dev, SEC, MSIDOM_INDEX_ANY, &o);
	assert_int_equal(m.index, 0);
	assert_int_equal(s->ims_lv.cookie_prepared[0], 0xfedcba9876543210ull);
	assert_int_equal(s->ims_lv.cookie_written[0], 0xfedcba9876543210ull);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(s->ims_lv.d, 0)).value,
			 0xfedcba9876543210ull);
	/* Pointer. */
	o.cookie.value = 0;
	o.cookie.ptr = &object;
	m = msidom_msi_alloc_at(s->dev, SEC, 5, &o);
	assert_int_equal(m.index, 5);
	assert_ptr_equal(msidom_desc_cookie(msidom_desc_at(s->ims_lv.d, 5)).ptr, &object);
	assert_int_equal(s->ims_lv.cookie_prepared[5], o.cookie.value);
	assert_int_equal(s->ims_lv.cookie_written[5], o.cookie.value);
	/* No cookie given: the template's default (0xdefa for IMS, 0 for MSI-X). */
	m = msidom_msi_alloc_at(s->dev, SEC, 6, NULL);
	assert_int_equal(s->ims_lv.cookie_prepared[6], 0xdefa);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(s->ims_lv.d, 6)).value, 0xdefa);
	m = msidom_msi_alloc_at(s->dev, SEC, 7,
				&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
							     .has_cookie = false,
							     .cookie = ck(5) });
	assert_int_equal(s->ims_lv.cookie_prepared[7], 0xdefa);
	/* Range: every vector gets the same cookie. */
	o.cookie = ck(0xabc);
	assert_int_equal(msidom_msi_alloc_range(s->dev, SEC, 10, 12, &o), 0);
	for (uint32_t i = 10; i <= 12; i++)
		assert_int_equal(s->ims_lv.cookie_written[i], 0xabc);
	/* A rewrite (affinity change) hands the cookie to write_msg again. */
	s->ims_lv.cookie_written[5] = 0;
	assert_int_equal(msidom_irq_set_affinity(s->ctx, (uint32_t)msidom_msi_virq(s->dev, SEC, 5),
						 sim_cpu1(1)),
			 0);
	assert_int_equal(s->ims_lv.cookie_written[5], (uintptr_t)&object);
	sim_free(s);
}

static void test_contiguous_block(void **state)
{
	struct sim *s = sim_new(
		&(struct sim_cfg){ .dev_flags = MSIDOM_DOMAIN_CONTIGUOUS, .dev_hwsize = 32 });
	struct sim_snap snap;

	(void)state;
	sim_snap_take(s, &snap);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 0, 2, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 1, 4, NULL), -MSIDOM_EINVAL);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);

	sim_log_clear(s);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 0, 3, NULL), 0);
	/* One block through every level, vectors contiguous and aligned. */
	assert_string_equal(
		sim_log(s),
		"bus_lock:DEV prepare:DEV prepare:DEV prepare:DEV prepare:DEV "
		"alloc:VEC alloc:IR alloc:DEV set_desc:DEV set_desc:DEV set_desc:DEV "
		"set_desc:DEV activate:VEC activate:IR activate:DEV compose:VEC write:DEV "
		"activate:VEC activate:IR activate:DEV compose:VEC write:DEV "
		"activate:VEC activate:IR activate:DEV compose:VEC write:DEV "
		"activate:VEC activate:IR activate:DEV compose:VEC write:DEV sync:DEV");
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(msidom_domain_find_virq(s->vec.d, SIM_VEC_FIRST + i),
				 msidom_msi_virq(s->dev, DEF, i));
	/* The block is allocated once and freed whole. */
	assert_int_equal(at(s, DEF, 5).index, -MSIDOM_EBUSY);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 0, 3, NULL), -MSIDOM_EEXIST);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 1), -MSIDOM_EINVAL);
	assert_int_equal(msidom_msi_free_range(s->dev, DEF, 1, 3), -MSIDOM_EINVAL);
	assert_int_equal(msidom_irq_count(s->ctx), 4);
	sim_log_clear(s);
	assert_int_equal(msidom_msi_free_all(s->dev, DEF), 4);
	assert_int_equal(sim_count(s, "free:VEC"), 1);
	assert_int_equal(sim_count(s, "write0:DEV"), 4);
	assert_int_equal(msidom_irq_count(s->ctx), 0);
	assert_int_equal(s->vec.nr_used, 0);
	sim_free(s);
}

/* Multi-message MSI: a range not starting at 0 is refused, with an ERR line. */
static void test_contiguous_range_not_at_zero_is_refused_and_logged(void **state)
{
	struct sim_cfg cfg = { .dev_flags = MSIDOM_DOMAIN_CONTIGUOUS };
	struct sim *s = sim_new(&cfg);
	unsigned int before;

	(void)state;
	before = s->h.nerr;
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 2, 3, NULL), -MSIDOM_EINVAL);
	assert_int_equal(s->h.nerr, before + 1);
	sim_free(s);
}

/* A root that counts allocations handed a malformed affinity mask. */
static unsigned int bad_mask_allocs;

static int mask_root_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data,
			   unsigned int nr, const struct msidom_alloc_arg *arg)
{
	(void)d;
	if (arg->affinity && (!arg->affinity->nbits || !arg->affinity->bits))
		bad_mask_allocs++;
	for (unsigned int i = 0; i < nr; i++)
		msidom_irq_data_set_hwirq(data[i], msidom_irq_data_virq(data[i]));
	return 0;
}

static const struct msidom_domain_ops mask_root_ops = { .sz = sizeof(struct msidom_domain_ops),
							.alloc = mask_root_alloc };

/*
 * An affinity mask with no bits is refused by msidom_msi_alloc_at() and
 * msidom_msi_alloc_range() as by msidom_irq_set_affinity(): -EINVAL,
 * logged, and no level's alloc op ever sees it.
 */
static void test_alloc_with_a_malformed_affinity_mask_reaches_no_level(void **state)
{
	struct sim *s = sim_new(NULL);
	MSIDOM_OPTS(msidom_domain_info, ri, .name = "MROOT", .hwsize = 4096,
		    .flags = MSIDOM_DOMAIN_MSI_PARENT, .ops = &mask_root_ops);
	MSIDOM_OPTS(msidom_template, t, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = 8);
	struct msidom_cpumask nobits = { .nbits = 64, .bits = NULL };
	MSIDOM_OPTS(msidom_alloc_opts, o, .affinity = &nobits);
	struct msidom_device *dev = sim_device(s, "0000:0a:00.0");
	struct msidom_domain *root, *dd;
	struct msidom_map m;
	unsigned int before;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &ri, NULL, &root), 0);
	assert_int_equal(msidom_device_domain_create(dev, DEF, &t, root, &dd), 0);
	bad_mask_allocs = 0;
	before = s->h.nerr;
	m = msidom_msi_alloc_at(dev, DEF, 0, &o);
	assert_int_equal(m.index, -MSIDOM_EINVAL);
	assert_int_equal(bad_mask_allocs, 0);
	assert_true(s->h.nerr > before);
	assert_int_equal(msidom_msi_alloc_range(dev, DEF, 0, 1, &o), -MSIDOM_EINVAL);
	assert_int_equal(bad_mask_allocs, 0);
	assert_null(msidom_desc_first(dd, MSIDOM_DESC_ALL));
	msidom_device_destroy(dev);
	sim_free(s);
}

static int cpu_root_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data,
			  unsigned int nr, const struct msidom_alloc_arg *arg)
{
	(void)d;
	(void)arg;
	for (unsigned int i = 0; i < nr; i++) {
		msidom_irq_data_set_hwirq(data[i], msidom_irq_data_virq(data[i]));
		msidom_irq_data_set_cpu(data[i], 3);
	}
	return 0;
}

static int failing_activate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	(void)d;
	(void)data;
	return -MSIDOM_EIO;
}

static const struct msidom_domain_ops cpu_root_ops = { .sz = sizeof(struct msidom_domain_ops),
						       .alloc = cpu_root_alloc };
static const struct msidom_domain_ops failing_dev_ops = { .sz = sizeof(struct msidom_domain_ops),
							  .activate = failing_activate };

/*
 * A failed allocation on a reserved descriptor (msidom_desc_add) leaves it
 * as it was, including the CPU: the one the root recorded
 * (msidom_irq_data_set_cpu) for the failed attempt is not kept.
 */
static void test_failed_alloc_on_a_reserved_desc_keeps_its_cpu(void **state)
{
	struct sim *s = sim_new(NULL);
	MSIDOM_OPTS(msidom_domain_info, ri, .name = "CPUROOT", .hwsize = 4096,
		    .flags = MSIDOM_DOMAIN_MSI_PARENT, .ops = &cpu_root_ops);
	MSIDOM_OPTS(msidom_template, t, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX, .hwsize = 8,
		    .ops = &failing_dev_ops);
	struct msidom_device *dev = sim_device(s, "0000:0b:00.0");
	struct msidom_domain *root, *dd;
	msidom_cookie c = { .value = 5 };
	char *before, *after;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &ri, NULL, &root), 0);
	assert_int_equal(msidom_device_domain_create(dev, DEF, &t, root, &dd), 0);
	assert_int_equal(msidom_desc_add(dd, 0, c), 0);
	before = ts_dump(s->ctx);
	assert_int_equal(msidom_msi_alloc_at(dev, DEF, 0, NULL).index, -MSIDOM_EIO);
	after = ts_dump(s->ctx);
	assert_int_equal(msidom_desc_cpu(msidom_desc_at(dd, 0)), 0);
	assert_string_equal(after, before);
	free(before);
	free(after);
	msidom_device_destroy(dev);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explicit_and_any),
		cmocka_unit_test(test_alloc_errors_change_nothing),
		cmocka_unit_test(test_parent_exhausted),
		cmocka_unit_test(test_dynamic_free),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_range_failure_keeps_reserved_descs),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_two_slots),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_contiguous_block),
		cmocka_unit_test(test_contiguous_range_not_at_zero_is_refused_and_logged),
		cmocka_unit_test(test_alloc_with_a_malformed_affinity_mask_reaches_no_level),
		cmocka_unit_test(test_failed_alloc_on_a_reserved_desc_keeps_its_cpu),
	};

	return cmocka_run_group_tests_name("unit-msi-map", tests, NULL, sim_group_teardown);
}
