/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Doorbell root: fixed address, data = base + hwirq, aligned blocks for
 * multi-message MSI, exhaustion and bad configurations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model.h"

static int handled;

static void handler(uint32_t virq, void *arg)
{
	(void)virq;
	(void)arg;
	handled++;
}

static void test_doorbell(void **state)
{
	struct msidom_ctx *ctx = test_ctx();
	MSIDOM_OPTS(msidom_bm_doorbell_config, cfg, .doorbell = 0x8080040ull | (1ull << 32),
		    .base = 64, .count = 8, .isolated = true);
	struct msidom_domain *db, *dd, *bad = (void *)1;
	struct msidom_device *dev;
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0");
	struct model m;
	MSIDOM_OPTS(msidom_bm_pci_config, pc, .sbdf = SBDF, .platform = &m.plat);
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	struct msidom_map a, b;
	struct msidom_msg msg;
	size_t mem = msidom_ctx_mem_bytes(ctx);
	int fn;
	uint16_t cap;

	(void)state;
	cfg.count = 0;
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &cfg, &bad), -MSIDOM_EINVAL);
	assert_null(bad);
	cfg.count = (1u << 24) + 1;
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &cfg, &bad), -MSIDOM_EINVAL);
	cfg.base = UINT32_MAX - 2;
	cfg.count = 4;
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &cfg, &bad), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, NULL, &bad), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), mem);
	cfg.base = 64;
	cfg.count = 8;
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &cfg, &db), 0);
	assert_string_equal(msidom_domain_name(db), "DOORBELL");
	assert_int_equal(msidom_domain_flags(db),
			 MSIDOM_DOMAIN_MSI_PARENT | MSIDOM_DOMAIN_ISOLATED_MSI);

	/* A 4-message MSI function with mask bits, 64-bit. */
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	cap = model_msi_cap(&m, fn, 2, true, true);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, db, &dd), 0);
	assert_string_equal(msidom_domain_name(dd), "PCI-MSI-0000:00:03.0");
	assert_int_equal(msidom_msi_alloc_range(dev, MSIDOM_DEFAULT_DOMAIN, 0, 1, &o), 0);
	assert_int_equal(model_cfg(&m, fn, cap + 4, 4), 0x8080040u);
	assert_int_equal(model_cfg(&m, fn, cap + 8, 4), 1);
	assert_int_equal(model_cfg(&m, fn, cap + 12, 2), 64);
	assert_int_equal(model_cfg(&m, fn, cap + 2, 2) & 0x71, 0x11);
	msg = msidom_desc_msg(msidom_desc_at(dd, 1));
	assert_int_equal(msg.data, 65);
	/* Dispatch by offset into the range. */
	handled = 0;
	assert_int_equal(
		msidom_irq_set_handler(ctx, (uint32_t)msidom_msi_virq(dev, 0, 1), handler, NULL),
		0);
	assert_int_equal(msidom_handle(db, 1), 0);
	assert_int_equal(handled, 1);
	/* No affinity support. */
	assert_int_equal(msidom_irq_set_affinity(ctx, (uint32_t)msidom_msi_virq(dev, 0, 0), NULL),
			 -MSIDOM_ENOSYS);
	assert_int_equal(msidom_msi_free_all(dev, MSIDOM_DEFAULT_DOMAIN), 2);
	assert_int_equal(msidom_device_domain_destroy(dev, MSIDOM_DEFAULT_DOMAIN), 0);

	/* Blocks are aligned; exhaustion is -ENOSPC with nothing written. */
	{
		MSIDOM_OPTS(msidom_template, t, .name = "T", .hwsize = 8);

		assert_int_equal(
			msidom_device_domain_create(dev, MSIDOM_DEFAULT_DOMAIN, &t, db, &dd), 0);
		a = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 0, NULL);
		assert_int_equal(a.index, 0);
		msg = msidom_desc_msg(msidom_desc_at(dd, 0));
		assert_int_equal(msg.data, 64);
		for (uint32_t i = 1; i < 8; i++)
			assert_int_equal(
				msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, i, NULL).index,
				(int)i);
		mem = msidom_ctx_mem_bytes(ctx);
		assert_int_equal(msidom_msi_free(dev, MSIDOM_DEFAULT_DOMAIN, 7), 0);
		assert_int_equal(msidom_device_domain_destroy(dev, MSIDOM_DEFAULT_DOMAIN), 0);
	}
	{
		struct msidom_device *dev2;
		MSIDOM_OPTS(msidom_device_info, d2, .name = "b");
		MSIDOM_OPTS(msidom_template, t, .name = "T", .hwsize = 16);

		assert_int_equal(msidom_device_create(ctx, &d2, &dev2), 0);
		assert_int_equal(
			msidom_device_domain_create(dev2, MSIDOM_DEFAULT_DOMAIN, &t, db, &dd), 0);
		for (uint32_t i = 0; i < 8; i++)
			assert_int_equal(
				msidom_msi_alloc_at(dev2, MSIDOM_DEFAULT_DOMAIN, i, NULL).index,
				(int)i);
		mem = msidom_ctx_mem_bytes(ctx);
		b = msidom_msi_alloc_at(dev2, MSIDOM_DEFAULT_DOMAIN, 8, NULL);
		assert_int_equal(b.index, -MSIDOM_ENOSPC);
		assert_int_equal(msidom_ctx_mem_bytes(ctx), mem);
		assert_int_equal(msidom_domain_mapped(db), 8);
		msidom_device_destroy(dev2);
	}
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(db), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Multi-message MSI takes naturally aligned power-of-two blocks: the
 * function replaces the low log2(n) bits of the message data with the
 * message number (PCI Local Bus spec, MSI Multiple Message Enable). On a
 * doorbell root data = base + hwirq, so the block must be aligned in data
 * space, not only in hwirq space: with base = 2 a block at hwirq 0..3
 * would get data 2..5, and message 3 would write (2 & ~3) | 3 = 3, i.e.
 * hwirq 1.
 */
static void test_multi_msi_block_is_aligned_in_data_space(void **state)
{
	struct msidom_ctx *ctx = test_ctx();
	MSIDOM_OPTS(msidom_bm_doorbell_config, cfg, .doorbell = 0x8080040ull, .base = 2,
		    .count = 64);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0");
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	struct msidom_domain *db, *dd;
	struct msidom_device *dev;
	struct model m;
	MSIDOM_OPTS(msidom_bm_pci_config, pc, .sbdf = SBDF, .platform = &m.plat);
	uint32_t data0;
	uint16_t cap;
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	cap = model_msi_cap(&m, fn, 2, true, true); /* 4 messages, 64-bit, mask bits */
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &cfg, &db), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, db, &dd), 0);
	assert_int_equal(msidom_msi_alloc_range(dev, MSIDOM_DEFAULT_DOMAIN, 0, 3, &o), 0);
	data0 = model_cfg(&m, fn, (uint16_t)(cap + 12), 2);
	/* The low log2(4) bits of the programmed data must be free for the message number. */
	assert_int_equal(data0 & 3u, 0);
	for (uint32_t i = 0; i < 4; i++) {
		/* What the function really sends for message i ... */
		uint32_t sent = (data0 & ~3u) | i;
		/* ... must reach the virq of index i. */
		assert_int_equal(msidom_domain_find_virq(db, sent - cfg.base),
				 msidom_msi_virq(dev, MSIDOM_DEFAULT_DOMAIN, i));
	}
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(db), 0);
	msidom_ctx_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doorbell),
		cmocka_unit_test(test_multi_msi_block_is_aligned_in_data_space),
	};

	return cmocka_run_group_tests_name("baremetal-doorbell", tests, NULL, NULL);
}
