/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virq space: 2^20 live virqs on a trivial hierarchy (a
 * root without ops, so hwirq = virq, and 16 MSI-X-sized device domains),
 * lowest-free reuse, exhaustion, and a small space's bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "sim.h"

#define NDEV    16u
#define PER_DEV MSIDOM_MAX_HWSIZE
#define ALL     (NDEV * PER_DEV) /* 1 << 20 */

struct flat {
	struct ts_hooks h;
	struct msidom_ctx *ctx;
	struct msidom_domain *root;
	struct msidom_device *dev[NDEV + 1];
};

static unsigned int handled;

static void count_handler(uint32_t virq, void *arg)
{
	(void)virq;
	(void)arg;
	handled++;
}

static void flat_init(struct flat *f, uint32_t max_virqs, uint32_t ndev, uint32_t hwsize)
{
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &f->h.hooks, .max_virqs = max_virqs);
	MSIDOM_OPTS(msidom_domain_info, info, .name = "FLAT", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = max_virqs + 1);
	MSIDOM_OPTS(msidom_template, t, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = hwsize);

	ts_hooks_init(&f->h);
	assert_int_equal(msidom_ctx_create(&cfg, &f->ctx), 0);
	assert_int_equal(msidom_domain_create(f->ctx, &info, NULL, &f->root), 0);
	for (uint32_t i = 0; i < ndev; i++) {
		char name[32];
		struct msidom_domain *d;

		snprintf(name, sizeof(name), "0000:%02x:00.0", i);
		assert_int_equal(
			msidom_device_create(
				f->ctx,
				&(struct msidom_device_info){
					.sz = sizeof(struct msidom_device_info), .name = name },
				&f->dev[i]),
			0);
		assert_int_equal(msidom_device_domain_create(f->dev[i], MSIDOM_DEFAULT_DOMAIN, &t,
							     f->root, &d),
				 0);
	}
}

static void flat_fini(struct flat *f)
{
	msidom_ctx_destroy(f->ctx);
	ts_hooks_assert_clean(&f->h);
}

static void test_million_virqs(void **state)
{
	struct flat f;
	size_t mem;
	uint64_t x = 88172645463325252ull;

	(void)state;
	flat_init(&f, ALL, NDEV + 1, PER_DEV);
	mem = msidom_ctx_mem_bytes(f.ctx);
	for (uint32_t i = 0; i < NDEV; i++)
		assert_int_equal(msidom_msi_alloc_range(f.dev[i], MSIDOM_DEFAULT_DOMAIN, 0,
							PER_DEV - 1, NULL),
				 0);
	assert_int_equal(msidom_irq_count(f.ctx), ALL);
	assert_int_equal(msidom_domain_mapped(f.root), ALL);
	/* Dense numbering: device i index j is virq i * 65536 + j + 1. */
	for (int k = 0; k < 4096; k++) {
		uint32_t i, j, v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (uint32_t)(x % NDEV);
		j = (uint32_t)(x >> 20) % PER_DEV;
		v = i * PER_DEV + j + 1;
		assert_int_equal(msidom_msi_virq(f.dev[i], MSIDOM_DEFAULT_DOMAIN, j), v);
		assert_int_equal(msidom_desc_index(msidom_irq_desc(f.ctx, v)), j);
		assert_int_equal(msidom_domain_find_virq(f.root, v), v);
	}
	assert_int_equal(msidom_irq_set_handler(f.ctx, ALL, count_handler, NULL), 0);
	handled = 0;
	assert_int_equal(msidom_handle(f.root, ALL), 0);
	assert_int_equal(handled, 1);

	/* The space is full: the next allocation fails and changes nothing. */
	{
		size_t before = msidom_ctx_mem_bytes(f.ctx);
		struct msidom_map m =
			msidom_msi_alloc_at(f.dev[NDEV], MSIDOM_DEFAULT_DOMAIN, 0, NULL);

		assert_int_equal(m.index, -MSIDOM_ENOSPC);
		assert_int_equal(msidom_ctx_mem_bytes(f.ctx), before);
		assert_int_equal(msidom_irq_count(f.ctx), ALL);
	}

	/* Holes are refilled lowest first. */
	assert_int_equal(msidom_msi_free(f.dev[9], MSIDOM_DEFAULT_DOMAIN, 777), 0);
	assert_int_equal(msidom_msi_free(f.dev[3], MSIDOM_DEFAULT_DOMAIN, 5), 0);
	assert_int_equal(msidom_msi_alloc_at(f.dev[NDEV], MSIDOM_DEFAULT_DOMAIN, 0, NULL).virq,
			 3 * PER_DEV + 5 + 1);
	assert_int_equal(msidom_msi_alloc_at(f.dev[NDEV], MSIDOM_DEFAULT_DOMAIN, 1, NULL).virq,
			 9 * PER_DEV + 777 + 1);
	assert_int_equal(msidom_msi_alloc_at(f.dev[NDEV], MSIDOM_DEFAULT_DOMAIN, 2, NULL).index,
			 -MSIDOM_ENOSPC);

	/* Free everything. */
	for (uint32_t i = 0; i < NDEV; i++)
		assert_int_equal(msidom_msi_free_all(f.dev[i], MSIDOM_DEFAULT_DOMAIN),
				 (i == 3 || i == 9) ? PER_DEV - 1 : PER_DEV);
	assert_int_equal(msidom_msi_free_all(f.dev[NDEV], MSIDOM_DEFAULT_DOMAIN), 2);
	assert_int_equal(msidom_irq_count(f.ctx), 0);
	assert_int_equal(msidom_domain_mapped(f.root), 0);
	/* Only empty table leaves (and one spare descriptor per domain) remain. */
	assert_true(msidom_ctx_mem_bytes(f.ctx) >= mem);
	assert_int_equal(msidom_msi_alloc_at(f.dev[0], MSIDOM_DEFAULT_DOMAIN, 0, NULL).virq, 1);
	flat_fini(&f);
}

static void test_small_space(void **state)
{
	struct flat f;
	uint32_t v;

	(void)state;
	flat_init(&f, 64, 2, 64);
	for (uint32_t i = 0; i < 64; i++) {
		struct msidom_map m = msidom_msi_alloc_at(f.dev[0], MSIDOM_DEFAULT_DOMAIN, i, NULL);

		assert_int_equal(m.index, (int32_t)i);
		assert_int_equal(m.virq, i + 1);
	}
	assert_int_equal(msidom_msi_alloc_at(f.dev[1], MSIDOM_DEFAULT_DOMAIN, 0, NULL).index,
			 -MSIDOM_ENOSPC);
	assert_int_equal(msidom_msi_alloc_range(f.dev[1], MSIDOM_DEFAULT_DOMAIN, 0, 1, NULL),
			 -MSIDOM_ENOSPC);
	assert_null(msidom_irq_desc(f.ctx, 65));
	assert_int_equal(msidom_irq_mask(f.ctx, 65), -MSIDOM_ENOENT);
	v = (uint32_t)msidom_msi_virq(f.dev[0], MSIDOM_DEFAULT_DOMAIN, 40);
	assert_int_equal(v, 41);
	assert_int_equal(msidom_msi_free(f.dev[0], MSIDOM_DEFAULT_DOMAIN, 40), 0);
	assert_null(msidom_irq_desc(f.ctx, 41));
	assert_int_equal(msidom_msi_alloc_at(f.dev[1], MSIDOM_DEFAULT_DOMAIN, 7, NULL).virq, 41);
	assert_int_equal(msidom_irq_count(f.ctx), 64);
	flat_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_space),
		cmocka_unit_test(test_million_virqs),
	};

	return cmocka_run_group_tests_name("unit-virq", tests, NULL, sim_group_teardown);
}
