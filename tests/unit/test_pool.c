/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ready-made pool allocator: alignment, merging, exhaustion, and a
 * whole context living in a pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <libmsidom/msidom.h>
#include <libmsidom/provider.h>

#define DEF MSIDOM_DEFAULT_DOMAIN

static unsigned char area[1 << 20] __attribute__((aligned(64)));

static void test_pool_init_errors(void **state)
{
	struct msidom_pool pool;
	struct msidom_hooks hooks;

	(void)state;
	assert_int_equal(msidom_pool_init(NULL, area, sizeof(area), &hooks), -MSIDOM_EINVAL);
	assert_int_equal(msidom_pool_init(&pool, NULL, sizeof(area), &hooks), -MSIDOM_EINVAL);
	assert_int_equal(msidom_pool_init(&pool, area, sizeof(area), NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_pool_init(&pool, area, 32, &hooks), -MSIDOM_EINVAL);
	assert_int_equal(msidom_pool_used(NULL), 0);
}

static void test_pool_align_merge(void **state)
{
	struct msidom_pool pool;
	struct msidom_hooks hooks = { .sz = sizeof(struct msidom_hooks) };
	void *a, *b, *c, *whole;

	(void)state;
	/* An odd start: the pool aligns it. */
	assert_int_equal(msidom_pool_init(&pool, area + 3, 4096, &hooks), 0);
	a = hooks.alloc(hooks.alloc_opaque, 1);
	b = hooks.alloc(hooks.alloc_opaque, 100);
	c = hooks.alloc(hooks.alloc_opaque, 17);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal((uintptr_t)a % 16, 0);
	assert_int_equal((uintptr_t)b % 16, 0);
	assert_int_equal((uintptr_t)c % 16, 0);
	assert_true((char *)b >= (char *)a + 16 && (char *)c >= (char *)b + 112);
	memset(b, 0xa5, 100); /* usable in full */
	assert_true(msidom_pool_used(&pool) > 0);
	assert_null(hooks.alloc(hooks.alloc_opaque, 1 << 20)); /* more than the pool */
	assert_null(hooks.alloc(hooks.alloc_opaque, 0));
	/* Freed out of order, the blocks merge back into one. */
	hooks.free(hooks.alloc_opaque, b, 100);
	hooks.free(hooks.alloc_opaque, a, 1);
	hooks.free(hooks.alloc_opaque, c, 17);
	assert_int_equal(msidom_pool_used(&pool), 0);
	whole = hooks.alloc(hooks.alloc_opaque, 4096 - 64);
	assert_non_null(whole);
	hooks.free(hooks.alloc_opaque, whole, 4096 - 64);
	assert_int_equal(msidom_pool_used(&pool), 0);
}

static int root_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	msg->address_lo = 0xfee00000u;
	msg->address_hi = 0;
	msg->data = msidom_irq_data_hwirq(data);
	return 0;
}

static const struct msidom_chip_ops root_chip = { .sz = sizeof(struct msidom_chip_ops),
						  .compose_msg = root_compose };

/* A context, its domains and vectors all in a pool; exhaustion is -ENOMEM. */
static void run_in_pool(size_t size, bool expect_exhaustion)
{
	struct msidom_pool pool;
	struct msidom_hooks hooks = { .sz = sizeof(struct msidom_hooks) };
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &hooks, .max_virqs = 8192);
	MSIDOM_OPTS(msidom_domain_info, root, .name = "ROOT", .bus = MSIDOM_BUS_VECTOR,
		    .flags = MSIDOM_DOMAIN_MSI_PARENT, .hwsize = 1u << 16, .chip = &root_chip);
	MSIDOM_OPTS(msidom_template, tmpl, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = 4096);
	MSIDOM_OPTS(msidom_device_info, info, .name = "0000:01:00.0");
	struct msidom_ctx *ctx;
	struct msidom_domain *r, *dd;
	struct msidom_device *dev;
	uint32_t n = 0;
	bool exhausted = false;

	assert_int_equal(msidom_pool_init(&pool, area, size, &hooks), 0);
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	assert_int_equal(msidom_domain_create(ctx, &root, NULL, &r), 0);
	assert_int_equal(msidom_device_create(ctx, &info, &dev), 0);
	assert_int_equal(msidom_device_domain_create(dev, DEF, &tmpl, r, &dd), 0);
	for (; n < 4096; n++) {
		size_t before = msidom_pool_used(&pool);
		struct msidom_map m = msidom_msi_alloc_at(dev, DEF, MSIDOM_INDEX_ANY, NULL);

		if (m.index == -MSIDOM_ENOMEM) {
			/* Nothing of the failed call stays in the pool. */
			assert_int_equal(msidom_pool_used(&pool), before);
			assert_int_equal(msidom_irq_count(ctx), n);
			exhausted = true;
			break;
		}
		assert_int_equal(m.index, (int32_t)n);
	}
	assert_true(exhausted == expect_exhaustion);
	/* Free every other vector, then fill the holes again. */
	for (uint32_t i = 0; i < n; i += 2)
		assert_int_equal(msidom_msi_free(dev, DEF, i), 0);
	for (uint32_t i = 0; i < n; i += 2)
		assert_int_equal(msidom_msi_alloc_at(dev, DEF, i, NULL).index, (int32_t)i);
	assert_int_equal(msidom_msi_free_all(dev, DEF), (int)n);
	msidom_ctx_destroy(ctx);
	assert_int_equal(msidom_pool_used(&pool), 0);
}

static void test_pool_context(void **state)
{
	(void)state;
	run_in_pool(sizeof(area), false);
}

static void test_pool_exhaustion(void **state)
{
	(void)state;
	run_in_pool(64 * 1024, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_init_errors),
		cmocka_unit_test(test_pool_align_merge),
		cmocka_unit_test(test_pool_context),
		cmocka_unit_test(test_pool_exhaustion),
	};

	return cmocka_run_group_tests_name("unit-pool", tests, NULL, NULL);
}
