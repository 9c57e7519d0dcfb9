/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MSI descriptors: a sparse store per device domain, filters,
 * msidom_desc_add/remove, association of existing descriptors, accessors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim.h"

#define DEF MSIDOM_DEFAULT_DOMAIN
#define SEC MSIDOM_SECONDARY_DOMAIN

/* "i1 i5 ..." for the descriptors matching @f, in iteration order. */
static const char *list(struct msidom_domain *d, enum msidom_desc_filter f)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (struct msidom_desc *x = msidom_desc_first(d, f); x; x = msidom_desc_next(x, f))
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%si%u", len ? " " : "",
					msidom_desc_index(x));
	return buf;
}

static msidom_cookie ck(uint64_t v)
{
	msidom_cookie c = { .value = v };

	return c;
}

static void test_sparse_store_and_filters(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_domain *d = s->dev_lv.d;

	(void)state;
	assert_string_equal(list(d, MSIDOM_DESC_ALL), "");
	assert_null(msidom_desc_first(d, MSIDOM_DESC_ASSOCIATED));
	assert_int_equal(msidom_desc_add(d, 63, ck(1)), 63);
	assert_int_equal(msidom_desc_add(d, 5, ck(2)), 5);
	assert_int_equal(msidom_desc_add(d, 0, ck(3)), 0);
	assert_int_equal(msidom_desc_add(d, MSIDOM_INDEX_ANY, ck(4)), 1);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 5, NULL).index, 5);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 10, NULL).index, 10);
	/* ANY skips indexes that hold a descriptor, associated or not. */
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, MSIDOM_INDEX_ANY, NULL).index, 2);

	assert_string_equal(list(d, MSIDOM_DESC_ALL), "i0 i1 i2 i5 i10 i63");
	assert_string_equal(list(d, MSIDOM_DESC_ASSOCIATED), "i2 i5 i10");
	assert_string_equal(list(d, MSIDOM_DESC_NOTASSOCIATED), "i0 i1 i63");
	/* Iteration starts anywhere. */
	assert_int_equal(msidom_desc_index(
				 msidom_desc_next(msidom_desc_at(d, 5), MSIDOM_DESC_NOTASSOCIATED)),
			 63);
	assert_null(msidom_desc_next(msidom_desc_at(d, 63), MSIDOM_DESC_ALL));
	assert_null(msidom_desc_next(NULL, MSIDOM_DESC_ALL));
	assert_null(msidom_desc_at(d, 6));
	assert_null(msidom_desc_at(d, 64));
	assert_null(msidom_desc_at(d, UINT32_MAX));
	/* Only device domains have a store. */
	assert_null(msidom_desc_first(s->ir.d, MSIDOM_DESC_ALL));
	assert_null(msidom_desc_at(s->ir.d, 0));
	assert_null(msidom_desc_first(NULL, MSIDOM_DESC_ALL));

	/* Unknown filters behave like ALL rather than crashing. */
	assert_int_equal(msidom_desc_index(msidom_desc_first(d, (enum msidom_desc_filter)77)), 0);

	/* Free of an associated vector drops its descriptor entirely. */
	assert_int_equal(msidom_msi_free(s->dev, DEF, 5), 0);
	assert_null(msidom_desc_at(d, 5));
	assert_string_equal(list(d, MSIDOM_DESC_ALL), "i0 i1 i2 i10 i63");
	sim_free(s);
}

static void test_add_remove(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .dev_hwsize = 4 });
	struct msidom_domain *d = s->dev_lv.d;
	size_t mem;
	unsigned int nerr;

	(void)state;
	mem = msidom_ctx_mem_bytes(s->ctx);
	nerr = s->h.nerr;
	assert_int_equal(msidom_desc_add(d, 4, ck(0)), -MSIDOM_ERANGE);
	assert_int_equal(msidom_desc_add(d, UINT32_MAX - 1, ck(0)), -MSIDOM_ERANGE);
	assert_int_equal(msidom_desc_add(s->ir.d, 0, ck(0)), -MSIDOM_EINVAL);
	assert_int_equal(msidom_desc_add(NULL, 0, ck(0)), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), mem);
	assert_true(s->h.nerr >= nerr + 3);

	assert_int_equal(msidom_desc_add(d, 2, ck(0x22)), 2);
	assert_int_equal(msidom_desc_add(d, 2, ck(0x23)), -MSIDOM_EEXIST);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(d, 2)).value, 0x22);
	assert_int_equal(msidom_desc_add(d, MSIDOM_INDEX_ANY, ck(0)), 0);
	assert_int_equal(msidom_desc_add(d, MSIDOM_INDEX_ANY, ck(0)), 1);
	assert_int_equal(msidom_desc_add(d, MSIDOM_INDEX_ANY, ck(0)), 3);
	mem = msidom_ctx_mem_bytes(s->ctx);
	assert_int_equal(msidom_desc_add(d, MSIDOM_INDEX_ANY, ck(0)), -MSIDOM_ENOSPC);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, MSIDOM_INDEX_ANY, NULL).index,
			 -MSIDOM_ENOSPC);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), mem);
	/* A descriptor is only taken by an allocation at its own index. */
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 1, NULL).index, 1);
	assert_int_equal(msidom_desc_virq(msidom_desc_at(d, 1)), 1);

	assert_int_equal(msidom_desc_remove(d, 1), -MSIDOM_EBUSY);
	assert_int_equal(msidom_desc_remove(s->ir.d, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_desc_remove(NULL, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_desc_remove(d, 0), 0);
	assert_int_equal(msidom_desc_remove(d, 0), -MSIDOM_ENOENT);
	assert_int_equal(msidom_desc_remove(d, 4), -MSIDOM_ENOENT);
	assert_int_equal(msidom_desc_remove(d, UINT32_MAX), -MSIDOM_ENOENT);
	assert_string_equal(list(d, MSIDOM_DESC_ALL), "i1 i2 i3");
	assert_int_equal(msidom_desc_add(d, MSIDOM_INDEX_ANY, ck(0)), 0);
	/* Removing never ran any op: the descriptor had no vector. */
	assert_int_equal(sim_count(s, "teardown:DEV"), 0);
	sim_free(s);
}

static void test_associate_existing(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_domain *d = s->dev_lv.d;
	struct msidom_desc *x;
	int tag;

	(void)state;
	assert_int_equal(msidom_desc_add(d, 7, ck(0x77)), 7);
	x = msidom_desc_at(d, 7);
	msidom_desc_set_user_data(x, &tag);
	/* No cookie in the options: the descriptor keeps its own. */
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 7, NULL).index, 7);
	assert_ptr_equal(msidom_desc_at(d, 7), x);
	assert_int_equal(msidom_desc_cookie(x).value, 0x77);
	assert_int_equal(s->dev_lv.cookie_prepared[7], 0x77);
	assert_int_equal(s->dev_lv.cookie_written[7], 0x77);
	assert_ptr_equal(msidom_desc_user_data(x), &tag);
	/* A reservation's cookie wins over the options' cookie. */
	assert_int_equal(msidom_desc_add(d, 8, ck(0x88)), 8);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 8,
					     &(struct msidom_alloc_opts){
						     .sz = sizeof(struct msidom_alloc_opts),
						     .has_cookie = true,
						     .cookie = ck(0x99) })
				 .index,
			 8);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(d, 8)).value, 0x88);
	assert_int_equal(s->dev_lv.cookie_prepared[8], 0x88);
	assert_int_equal(s->dev_lv.cookie_written[8], 0x88);
	sim_free(s);
}

static void test_accessors(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_desc *x;
	struct msidom_map m;
	struct msidom_msg msg;
	int tag;

	(void)state;
	m = msidom_msi_alloc_at(s->dev, DEF, 4,
				&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
							     .has_cookie = true,
							     .cookie = ck(0x1234),
							     .affinity = sim_cpu1(3) });
	assert_int_equal(m.index, 4);
	x = msidom_irq_desc(s->ctx, m.virq);
	assert_ptr_equal(x, msidom_desc_at(s->dev_lv.d, 4));
	assert_int_equal(msidom_desc_index(x), 4);
	assert_int_equal(msidom_desc_virq(x), m.virq);
	assert_ptr_equal(msidom_desc_domain(x), s->dev_lv.d);
	assert_int_equal(msidom_desc_cookie(x).value, 0x1234);
	msg = msidom_desc_msg(x);
	assert_int_equal(msg.address_lo, SIM_MSIX_ADDR | 3u << 12);
	assert_int_equal(msg.address_hi, 0);
	assert_int_equal(msg.data, SIM_VEC_FIRST);
	assert_true(msidom_desc_masked(x));
	assert_true(msidom_desc_activated(x));
	assert_null(msidom_desc_user_data(x));
	msidom_desc_set_user_data(x, &tag);
	assert_ptr_equal(msidom_desc_user_data(x), &tag);

	/* NULL-safe. */
	assert_int_equal(msidom_desc_index(NULL), 0);
	assert_int_equal(msidom_desc_virq(NULL), 0);
	assert_null(msidom_desc_domain(NULL));
	msg = msidom_desc_msg(NULL);
	assert_int_equal(msg.address_lo | msg.address_hi | msg.data, 0);
	assert_int_equal(msidom_desc_cookie(NULL).value, 0);
	assert_int_equal(msidom_desc_cpu(NULL), 0);
	assert_false(msidom_desc_masked(NULL));
	assert_false(msidom_desc_activated(NULL));
	assert_null(msidom_desc_user_data(NULL));
	msidom_desc_set_user_data(NULL, &tag);
	assert_null(msidom_irq_desc(s->ctx, 0));
	assert_null(msidom_irq_desc(s->ctx, 999));
	assert_null(msidom_irq_desc(s->ctx, UINT32_MAX));
	assert_null(msidom_irq_desc(NULL, m.virq));
	sim_free(s);
}

static void test_stores_per_slot(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });

	(void)state;
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 3, ck(1)), 3);
	assert_int_equal(msidom_desc_add(s->ims_lv.d, 3, ck(2)), 3);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(s->dev_lv.d, 3)).value, 1);
	assert_int_equal(msidom_desc_cookie(msidom_desc_at(s->ims_lv.d, 3)).value, 2);
	assert_int_equal(msidom_desc_remove(s->ims_lv.d, 3), 0);
	assert_non_null(msidom_desc_at(s->dev_lv.d, 3));
	assert_string_equal(list(s->ims_lv.d, MSIDOM_DESC_ALL), "");
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sparse_store_and_filters), cmocka_unit_test(test_add_remove),
		cmocka_unit_test(test_associate_existing),       cmocka_unit_test(test_accessors),
		cmocka_unit_test(test_stores_per_slot),
	};

	return cmocka_run_group_tests_name("unit-desc", tests, NULL, sim_group_teardown);
}
