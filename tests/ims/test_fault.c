/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Failure injection in every storage callback, every MMIO access of the
 * device-array storage, the queue storage's sync, the parent, and every
 * memory allocation: the error comes back, it is logged, and the device,
 * the storage and the library's memory are exactly as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define NSLOTS 16u

static struct msidom_map alloc_ims(struct fx *f, uint32_t index, bool unmasked, uint64_t cookie)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = unmasked, .has_cookie = true);

	o.cookie.value = cookie;
	return msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, index, &o);
}

struct st_copy {
	struct msidom_msg msg[NSLOTS];
	bool unmasked[NSLOTS];
	bool prepared[NSLOTS];
	unsigned int nprepared;
};

static void st_save(const struct sim_storage *s, struct st_copy *c)
{
	memcpy(c->msg, s->msg, sizeof(c->msg));
	memcpy(c->unmasked, s->unmasked, sizeof(c->unmasked));
	memcpy(c->prepared, s->prepared, sizeof(c->prepared));
	c->nprepared = s->nprepared;
}

static void st_expect(const struct sim_storage *s, const struct st_copy *c)
{
	assert_memory_equal(c->msg, s->msg, sizeof(c->msg));
	assert_memory_equal(c->unmasked, s->unmasked, sizeof(c->unmasked));
	assert_memory_equal(c->prepared, s->prepared, sizeof(c->prepared));
	assert_int_equal(c->nprepared, s->nprepared);
}

static struct sim_storage *make_driver_domain(struct fx *f, bool batched)
{
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;

	assert_non_null(s);
	sim_storage_init(s, NSLOTS, batched);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info),
							    .hwsize = NSLOTS },
				 &st, f->root.d, &f->ims),
			 0);
	return s;
}

static void drop_driver_domain(struct fx *f, struct sim_storage *s)
{
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(s->nprepared, 0);
	if (s->batched)
		assert_int_equal(s->calls[CB_LOCK], s->calls[CB_SYNC]);
	sim_storage_fini(s);
	free(s);
}

static void arm(struct sim_storage *s, enum sim_cb cb)
{
	s->fail_cb = cb;
	s->fail_nth = s->calls[cb] + 1;
}

/* An allocation fails in each callback it calls; afterwards it succeeds. */
static void fail_alloc_in_each_callback(struct fx *f, bool batched)
{
	static const enum sim_cb cbs[] = { CB_PREPARE, CB_WRITE, CB_UNMASK, CB_SYNC };
	struct sim_storage *s = make_driver_domain(f, batched);
	struct msidom_map live, m;

	/* Something live beside the failing allocation, which it must not disturb. */
	live = alloc_ims(f, 0, true, 42);
	assert_int_equal(live.index, 0);
	m = alloc_ims(f, 1, false, 43);
	assert_int_equal(m.index, 1);
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 1), 0);

	for (unsigned int i = 0; i < sizeof(cbs) / sizeof(cbs[0]); i++) {
		struct sim_snap a, b;
		struct st_copy c;
		unsigned int errs = f->h.nerr;

		if (cbs[i] == CB_SYNC && !batched)
			continue;
		sim_snap(f->ctx, f->dev, &f->root, &a);
		st_save(s, &c);
		arm(s, cbs[i]);
		m = alloc_ims(f, MSIDOM_INDEX_ANY, true, 7);
		assert_int_equal(m.index, -EIO);
		assert_int_equal(m.virq, 0);
		assert_true(f->h.nerr > errs);
		sim_snap(f->ctx, f->dev, &f->root, &b);
		sim_snap_expect_equal(&a, &b);
		st_expect(s, &c);
		assert_null(msidom_desc_at(f->ims, 1));

		s->fail_cb = CB_NONE;
		m = alloc_ims(f, MSIDOM_INDEX_ANY, true, 7);
		assert_int_equal(m.index, 1);
		assert_true(s->unmasked[1]);
		assert_int_equal(s->cookie[1], 7);
		assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 1), 0);
	}
	assert_true(s->unmasked[0]);
	assert_int_equal(s->cookie[0], 42);
	drop_driver_domain(f, s);
}

static void test_fail_alloc_callbacks(void **state)
{
	fail_alloc_in_each_callback(*state, false);
}

static void test_fail_alloc_callbacks_batched(void **state)
{
	fail_alloc_in_each_callback(*state, true);
}

/* Mask, unmask and affinity changes fail in each callback: state as before. */
static void fail_ops_in_each_callback(struct fx *f, bool batched)
{
	struct sim_storage *s = make_driver_domain(f, batched);
	uint64_t cpu1 = 2;
	struct msidom_cpumask mask1 = { 8, &cpu1 };
	struct st_copy c;
	struct msidom_map m;
	struct msidom_desc *desc;

	m = alloc_ims(f, 2, true, 5);
	assert_int_equal(m.index, 2);
	desc = msidom_desc_at(f->ims, 2);

	/* mask: in the callback, and (batched) in the sync */
	for (int k = 0; k < (batched ? 2 : 1); k++) {
		st_save(s, &c);
		arm(s, k ? CB_SYNC : CB_MASK);
		assert_int_equal(msidom_irq_mask(f->ctx, m.virq), -EIO);
		assert_false(msidom_desc_masked(desc));
		st_expect(s, &c);
	}
	s->fail_cb = CB_NONE;
	assert_int_equal(msidom_irq_mask(f->ctx, m.virq), 0);

	/* unmask */
	for (int k = 0; k < (batched ? 2 : 1); k++) {
		st_save(s, &c);
		arm(s, k ? CB_SYNC : CB_UNMASK);
		assert_int_equal(msidom_irq_unmask(f->ctx, m.virq), -EIO);
		assert_true(msidom_desc_masked(desc));
		st_expect(s, &c);
	}
	s->fail_cb = CB_NONE;
	assert_int_equal(msidom_irq_unmask(f->ctx, m.virq), 0);

	/* affinity: the rewrite fails, the parent is pointed back, the slot is live as before */
	st_save(s, &c);
	arm(s, CB_WRITE);
	assert_true(msidom_irq_set_affinity(f->ctx, m.virq, &mask1) < 0);
	assert_int_equal(msidom_desc_cpu(desc), 0);
	assert_false(msidom_desc_masked(desc));
	st_expect(s, &c);
	s->fail_cb = CB_NONE;
	assert_int_equal(msidom_irq_set_affinity(f->ctx, m.virq, &mask1), 0);
	assert_int_equal(s->msg[2].address_lo, 0xFEE01000u);

	drop_driver_domain(f, s);
}

static void test_fail_ops(void **state)
{
	fail_ops_in_each_callback(*state, false);
}

static void test_fail_ops_batched(void **state)
{
	fail_ops_in_each_callback(*state, true);
}

/* The core's mask before free fails: the slot is still masked before it is cleared. */
static void test_fail_mask_on_free(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = make_driver_domain(f, false);
	struct msidom_map m = alloc_ims(f, 9, true, 1);
	size_t n;

	assert_int_equal(m.index, 9);
	sim_storage_reset_events(s);
	arm(s, CB_MASK);
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 9), 0);
	assert_false(s->unmasked[9]);
	assert_int_equal(s->msg[9].address_lo, 0);
	/* first mask failed, second (ours) applied, then the cleared message */
	n = 0;
	for (unsigned int i = 0; i < s->nev; i++) {
		if (s->ev[i].cb == CB_APPLY_MASK)
			n = i;
		if (s->ev[i].cb == CB_APPLY_WRITE)
			assert_true(n && n < i);
	}
	assert_true(n > 0);
	assert_int_equal(s->calls[CB_MASK], 2);
	assert_null(msidom_desc_at(f->ims, 9));
	drop_driver_domain(f, s);
}

/* The parent refuses: the storage's prepare is undone. */
static void test_fail_parent(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = make_driver_domain(f, true);
	struct sim_snap a, b;
	struct st_copy c;
	struct msidom_map m;

	sim_snap(f->ctx, f->dev, &f->root, &a);
	st_save(s, &c);
	f->root.fail_alloc = 1;
	m = alloc_ims(f, 4, true, 3);
	assert_int_equal(m.index, -MSIDOM_ENOSPC);
	sim_snap(f->ctx, f->dev, &f->root, &b);
	sim_snap_expect_equal(&a, &b);
	st_expect(s, &c);
	assert_int_equal(s->calls[CB_PREPARE], 1);
	assert_int_equal(s->calls[CB_RELEASE], 1);
	drop_driver_domain(f, s);
}

/* Every MMIO access of the array storage fails in turn. */
static void test_fail_mmio(void **state)
{
	struct fx *f = *state;
	struct sim_mmio *mm = malloc(sizeof(*mm));
	struct msidom_ims_array_config cfg;
	struct msidom_map live, m;
	uint32_t *saved;
	unsigned int n;

	assert_non_null(mm);
	sim_mmio_init(mm, NSLOTS);
	sim_mmio_config(mm, &cfg);
	saved = malloc(NSLOTS * 16u);
	assert_non_null(saved);
	assert_int_equal(msidom_ims_array_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info) },
				 &cfg, f->root.d, &f->ims),
			 0);
	live = alloc_ims(f, 0, true, 0);
	assert_int_equal(live.index, 0);

	for (n = 1;; n++) {
		struct sim_snap a, b;

		sim_snap(f->ctx, f->dev, &f->root, &a);
		memcpy(saved, mm->mem, NSLOTS * 16u);
		mm->fail_countdown = n;
		m = alloc_ims(f, 1, true, 0);
		if (m.index >= 0)
			break;
		assert_int_equal(m.index, -EIO);
		sim_snap(f->ctx, f->dev, &f->root, &b);
		sim_snap_expect_equal(&a, &b);
		/* the live neighbour is untouched, the failed entry is masked */
		assert_memory_equal(saved, mm->mem, 16);
		assert_true(mm->mem[1 * 4 + 3] & MSIDOM_IMS_CTRL_MASKBIT);
		assert_memory_equal(saved + 8, mm->mem + 8, (NSLOTS - 2) * 16u);
	}
	/* write: R W W W R, then unmask: R W R = 8 accesses, so 8 failures */
	assert_int_equal(n, 9);
	mm->fail_countdown = 0;
	assert_int_equal(mm->mem[1 * 4 + 3], 0);

	/* mask fails at each access: the core state does not change */
	for (n = 1;; n++) {
		int ret;

		mm->fail_countdown = n;
		ret = msidom_irq_mask(f->ctx, m.virq);
		if (!ret)
			break;
		assert_int_equal(ret, -EIO);
		assert_false(msidom_desc_masked(msidom_desc_at(f->ims, 1)));
		mm->fail_countdown = 0;
		assert_int_equal(msidom_irq_unmask(f->ctx, m.virq), 0);
	}
	assert_int_equal(n, 4);
	mm->fail_countdown = 0;
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	for (uint32_t i = 0; i < NSLOTS; i++) {
		assert_int_equal(mm->mem[i * 4 + 0], 0);
		assert_true(mm->mem[i * 4 + 3] & MSIDOM_IMS_CTRL_MASKBIT);
	}
	free(saved);
	sim_mmio_fini(mm);
	free(mm);
}

/* Every memory allocation fails in turn: domain creation and vector allocation. */
static void test_fail_memory(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;
	uint32_t entries[NSLOTS][4] = { { 0 } };
	MSIDOM_OPTS(msidom_ims_queue_config, qc, .base = entries, .nr_entries = NSLOTS);
	struct msidom_map m;
	unsigned int n;
	int ret;

	assert_non_null(s);
	sim_storage_init(s, NSLOTS, true);
	st = sim_storage_of(s);
	for (uint32_t i = 0; i < NSLOTS; i++)
		entries[i][3] = MSIDOM_IMS_CTRL_MASKBIT;

	for (int kind = 0; kind < 2; kind++) {
		for (n = 1;; n++) {
			size_t mem = msidom_ctx_mem_bytes(f->ctx);

			f->h.fail_at = n;
			ret = kind ? msidom_ims_queue_domain_create(
					     f->dev,
					     &(struct msidom_ims_info){
						     .sz = sizeof(struct msidom_ims_info) },
					     &qc, f->root.d, &f->ims) :
				     msidom_ims_domain_create(
					     f->dev,
					     &(struct msidom_ims_info){
						     .sz = sizeof(struct msidom_ims_info),
						     .hwsize = NSLOTS },
					     &st, f->root.d, &f->ims);
			if (!ret)
				break;
			assert_int_equal(ret, -MSIDOM_ENOMEM);
			assert_null(msidom_device_domain(f->dev, MSIDOM_SECONDARY_DOMAIN));
			assert_int_equal(msidom_ctx_mem_bytes(f->ctx), mem);
		}
		f->h.fail_at = 0;
		assert_true(n > 1);
		if (!kind)
			break;
	}
	/* the driver-storage domain is live now; allocate under failing memory */
	for (n = 1;; n++) {
		struct sim_snap a, b;
		struct st_copy c;

		sim_snap(f->ctx, f->dev, &f->root, &a);
		st_save(s, &c);
		f->h.fail_at = n;
		m = alloc_ims(f, MSIDOM_INDEX_ANY, true, 11);
		if (m.index >= 0)
			break;
		assert_int_equal(m.index, -MSIDOM_ENOMEM);
		sim_snap(f->ctx, f->dev, &f->root, &b);
		sim_snap_expect_equal(&a, &b);
		st_expect(s, &c);
	}
	f->h.fail_at = 0;
	assert_int_equal(m.index, 0);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);

	/* the queue storage under failing memory */
	for (n = 1;; n++) {
		size_t mem = msidom_ctx_mem_bytes(f->ctx);

		f->h.fail_at = n;
		ret = msidom_ims_queue_domain_create(
			f->dev, &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info) },
			&qc, f->root.d, &f->ims);
		if (!ret)
			break;
		assert_int_equal(ret, -MSIDOM_ENOMEM);
		assert_int_equal(msidom_ctx_mem_bytes(f->ctx), mem);
	}
	f->h.fail_at = 0;
	/* a batch bigger than the queue's standing log grows it; failing growth fails the op */
	{
		uint32_t virq[NSLOTS];

		assert_int_equal(msidom_msi_alloc_range(f->dev, MSIDOM_SECONDARY_DOMAIN, 0,
							NSLOTS - 1, NULL),
				 0);
		for (uint32_t i = 0; i < NSLOTS; i++)
			virq[i] = (uint32_t)msidom_msi_virq(f->dev, MSIDOM_SECONDARY_DOMAIN, i);
		/* 16 records fill the standing log; the 17th needs memory, which fails */
		assert_int_equal(msidom_domain_batch_begin(f->ims), 0);
		for (uint32_t i = 0; i < NSLOTS; i++)
			assert_int_equal(msidom_irq_unmask(f->ctx, virq[i]), 0);
		f->h.fail_at = 1;
		assert_int_equal(msidom_irq_mask(f->ctx, virq[0]), -MSIDOM_ENOMEM);
		assert_false(msidom_desc_masked(msidom_desc_at(f->ims, 0)));
		f->h.fail_at = 0;
		for (uint32_t i = 0; i < NSLOTS; i++)
			assert_int_equal(entries[i][3], 1u);
		assert_int_equal(msidom_domain_batch_end(f->ims), 0);
		for (uint32_t i = 0; i < NSLOTS; i++)
			assert_int_equal(entries[i][3], 0u);
		/* with memory, a long batch grows the log and gives it back afterwards */
		{
			size_t mem = msidom_ctx_mem_bytes(f->ctx);

			assert_int_equal(msidom_domain_batch_begin(f->ims), 0);
			for (int round = 0; round < 3; round++)
				for (uint32_t i = 0; i < NSLOTS; i++)
					assert_int_equal(
						round % 2 ? msidom_irq_unmask(f->ctx, virq[i]) :
							    msidom_irq_mask(f->ctx, virq[i]),
						0);
			assert_true(msidom_ctx_mem_bytes(f->ctx) > mem);
			assert_int_equal(msidom_domain_batch_end(f->ims), 0);
			assert_int_equal(msidom_ctx_mem_bytes(f->ctx), mem);
			for (uint32_t i = 0; i < NSLOTS; i++)
				assert_int_equal(entries[i][3], 1u);
		}
	}
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	sim_storage_fini(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fail_alloc_callbacks, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fail_alloc_callbacks_batched, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_fail_ops, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fail_ops_batched, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fail_mask_on_free, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fail_parent, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fail_mmio, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fail_memory, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("ims-fault", tests, NULL, NULL);
}
