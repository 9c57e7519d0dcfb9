/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * 65536-slot IMS domains beside a 64-vector MSI-X domain: every slot
 * allocated (ANY and at explicit indexes) and freed, twice, with memory
 * back to the same level after each cycle; and a 65536-slot queue
 * storage allocated and freed as single batches (one sync each).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define N MSIDOM_MAX_HWSIZE

static void alloc_msix(struct fx *f)
{
	assert_int_equal(msidom_msi_alloc_range(f->dev, MSIDOM_DEFAULT_DOMAIN, 0,
						SIM_MSIX_ENTRIES - 1, NULL),
			 0);
}

static void test_array_65536(void **state)
{
	struct fx *f = *state;
	struct sim_mmio *mm = malloc(sizeof(*mm));
	struct msidom_ims_array_config cfg;
	struct msidom_map m;
	size_t base = 0;

	assert_non_null(mm);
	sim_mmio_init(mm, N);
	sim_mmio_config(mm, &cfg);
	assert_int_equal(msidom_ims_array_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info) },
				 &cfg, f->root.d, &f->ims),
			 0);
	assert_int_equal(msidom_domain_hwsize(f->ims), N);
	alloc_msix(f);

	for (int cycle = 0; cycle < 3; cycle++) {
		for (uint32_t i = 0; i < N; i++) {
			/* cycle 0: ANY; cycle 1: explicit, top down; cycle 2: explicit, bottom up
			 */
			uint32_t idx = cycle == 0 ? MSIDOM_INDEX_ANY : cycle == 1 ? N - 1 - i : i;
			MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true, .unmasked = i & 1);

			o.cookie.value = i;
			m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, idx, &o);
			if (m.index != (int32_t)(idx == MSIDOM_INDEX_ANY ? i : idx))
				fail_msg("cycle %d: allocation %u gave %d", cycle, i, m.index);
		}
		m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, MSIDOM_INDEX_ANY, NULL);
		assert_int_equal(m.index, -MSIDOM_ENOSPC);
		m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, N, NULL);
		assert_int_equal(m.index, -MSIDOM_ERANGE);
		assert_int_equal(msidom_irq_count(f->ctx), N + SIM_MSIX_ENTRIES);
		assert_int_equal(f->root.nr_used, N + SIM_MSIX_ENTRIES);
		assert_int_equal(msidom_domain_mapped(f->ims), N);
		assert_int_equal(ts_count_descs(f->ims), N);
		for (uint32_t i = 0; i < N; i += 4099) {
			struct msidom_desc *d = msidom_desc_at(f->ims, i);

			assert_int_equal(mm->mem[i * 4 + 0], 0xFEE00000u);
			assert_int_equal(mm->mem[i * 4 + 2], msidom_desc_msg(d).data);
			assert_int_equal(mm->mem[i * 4 + 3] & 1u, msidom_desc_masked(d) ? 1u : 0u);
		}
		assert_int_equal(msidom_device_msi_isolated(f->dev), 1);

		if (cycle == 0) {
			assert_int_equal(msidom_msi_free_all(f->dev, MSIDOM_SECONDARY_DOMAIN), N);
			/* Memory the core keeps for reuse (radix nodes) stays; a cycle must not
			 * add. */
			base = msidom_ctx_mem_bytes(f->ctx);
		} else {
			/* one at a time, evens then odds, while the others stay live */
			for (uint32_t i = 0; i < N; i += 2)
				assert_int_equal(
					msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, i), 0);
			for (uint32_t i = 1; i < N; i += 2)
				assert_int_equal(
					msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, i), 0);
			assert_int_equal(msidom_ctx_mem_bytes(f->ctx), base);
		}
		assert_int_equal(msidom_irq_count(f->ctx), SIM_MSIX_ENTRIES);
		assert_int_equal(f->root.nr_used, SIM_MSIX_ENTRIES);
		assert_int_equal(msidom_domain_mapped(f->ims), 0);
		assert_int_equal(ts_count_descs(f->ims), 0);
	}
	for (uint32_t i = 0; i < N; i++)
		if (mm->mem[i * 4 + 0] || mm->mem[i * 4 + 2] || !(mm->mem[i * 4 + 3] & 1u))
			fail_msg("entry %u not cleared and masked after free", i);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(msidom_msi_free_all(f->dev, MSIDOM_DEFAULT_DOMAIN), SIM_MSIX_ENTRIES);
	sim_mmio_fini(mm);
	free(mm);
}

struct big_queue {
	uint32_t (*entries)[4];
	unsigned int syncs;
	uint32_t last_nr;
	bool in_order;
};

static int big_sync(void *opaque, const struct msidom_ims_update *u, uint32_t nr)
{
	struct big_queue *q = opaque;

	q->syncs++;
	q->last_nr = nr;
	q->in_order = true;
	/* an unmasked range allocation: write then unmask per slot, slots ascending */
	for (uint32_t i = 0; i + 1 < nr; i += 2)
		if (u[i].slot != i / 2 || u[i + 1].slot != i / 2 ||
		    u[i].kind != MSIDOM_IMS_UPDATE_WRITE ||
		    u[i + 1].kind != MSIDOM_IMS_UPDATE_UNMASK || u[i].cookie.value != 0xC0FFEE)
			q->in_order = false;
	return 0;
}

static void test_queue_65536_one_batch(void **state)
{
	struct fx *f = *state;
	struct big_queue q = { 0 };
	struct msidom_ims_queue_config cfg = { .sz = sizeof(struct msidom_ims_queue_config) };
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	size_t base;

	q.entries = calloc(N, sizeof(*q.entries));
	assert_non_null(q.entries);
	cfg.base = q.entries;
	cfg.nr_entries = N;
	cfg.sync = big_sync;
	cfg.opaque = &q;
	assert_int_equal(msidom_ims_queue_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info),
							    .default_cookie.value = 0xC0FFEE },
				 &cfg, f->root.d, &f->ims),
			 0);
	alloc_msix(f);
	base = msidom_ctx_mem_bytes(f->ctx);
	for (int cycle = 0; cycle < 2; cycle++) {
		q.syncs = 0;
		assert_int_equal(
			msidom_msi_alloc_range(f->dev, MSIDOM_SECONDARY_DOMAIN, 0, N - 1, &o), 0);
		assert_int_equal(q.syncs, 1);
		assert_int_equal(q.last_nr, 2 * N);
		assert_true(q.in_order);
		for (uint32_t i = 0; i < N; i += 1021) {
			assert_int_equal(q.entries[i][0], 0xFEE00000u);
			assert_int_equal(q.entries[i][3], 0);
		}
		assert_int_equal(msidom_msi_free_all(f->dev, MSIDOM_SECONDARY_DOMAIN), N);
		assert_int_equal(q.syncs, 2);
		assert_int_equal(q.last_nr, 2 * N);
		for (uint32_t i = 0; i < N; i++)
			if (q.entries[i][0] || q.entries[i][3] != 1u)
				fail_msg("queue entry %u not cleared and masked", i);
		if (cycle == 0)
			base = msidom_ctx_mem_bytes(f->ctx);
		else
			assert_int_equal(msidom_ctx_mem_bytes(f->ctx), base);
	}
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	free(q.entries);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_array_65536, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_queue_65536_one_batch, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("ims-scale", tests, NULL, NULL);
}
