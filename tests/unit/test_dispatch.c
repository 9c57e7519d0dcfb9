/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Dispatch: msidom_handle(domain, hwirq) calls the handler of
 * the virq mapped at that domain's hwirq, with no lock and no allocation;
 * misses are counted as spurious.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "sim.h"

#define DEF MSIDOM_DEFAULT_DOMAIN
#define SEC MSIDOM_SECONDARY_DOMAIN

struct hit {
	unsigned int calls;
	uint32_t virq;
};

static void hit_handler(uint32_t virq, void *arg)
{
	struct hit *h = arg;

	h->calls++;
	h->virq = virq;
}

static void test_handle_every_level(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	struct hit a = { 0 }, b = { 0 };
	struct msidom_map ma = msidom_msi_alloc_at(s->dev, DEF, 7, NULL);
	struct msidom_map mb = msidom_msi_alloc_at(s->dev, SEC, 7, NULL);
	unsigned long allocs, locks;

	(void)state;
	assert_int_equal(msidom_irq_set_handler(s->ctx, ma.virq, hit_handler, &a), 0);
	assert_int_equal(msidom_irq_set_handler(s->ctx, mb.virq, hit_handler, &b), 0);
	allocs = s->h.allocs;
	locks = s->h.locks;
	/* The root: vector 32 is MSI-X 7, vector 33 is IMS 7. */
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.virq, ma.virq);
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST + 1), 0);
	assert_int_equal(b.calls, 1);
	assert_int_equal(b.virq, mb.virq);
	/* The remapping level and the device levels map the same interrupts. */
	assert_int_equal(msidom_handle(s->ir.d, 0), 0);
	assert_int_equal(msidom_handle(s->ir.d, 1), 0);
	assert_int_equal(msidom_handle(s->dev_lv.d, 7), 0);
	assert_int_equal(msidom_handle(s->ims_lv.d, 7), 0);
	assert_int_equal(a.calls, 3);
	assert_int_equal(b.calls, 3);
	/* No allocation and no lock on the path. */
	assert_int_equal(s->h.allocs, allocs);
	assert_int_equal(s->h.locks, locks);
	assert_int_equal(msidom_domain_spurious(s->vec.d), 0);

	/* Replacing the handler switches fn and arg together. */
	assert_int_equal(msidom_irq_set_handler(s->ctx, ma.virq, hit_handler, &b), 0);
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST), 0);
	assert_int_equal(a.calls, 3);
	assert_int_equal(b.calls, 4);
	assert_int_equal(b.virq, ma.virq);
	sim_free(s);
}

static void test_spurious(void **state)
{
	struct sim *s = sim_new(NULL);
	struct hit a = { 0 };
	struct msidom_map m = msidom_msi_alloc_at(s->dev, DEF, 0, NULL);

	(void)state;
	/* Mapped, but no handler yet. */
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_spurious(s->vec.d), 1);
	/* Nothing mapped there; outside the domain altogether. */
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST + 1), -MSIDOM_ENOENT);
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_HWSIZE), -MSIDOM_ENOENT);
	assert_int_equal(msidom_handle(s->vec.d, UINT32_MAX), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_spurious(s->vec.d), 4);
	/* Counted per domain. */
	assert_int_equal(msidom_domain_spurious(s->ir.d), 0);
	assert_int_equal(msidom_handle(s->dev_lv.d, 3), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_spurious(s->dev_lv.d), 1);
	/* A reserved descriptor has no handler. */
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 9, (msidom_cookie){ 0 }), 9);
	assert_int_equal(msidom_handle(s->dev_lv.d, 9), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_spurious(s->dev_lv.d), 2);

	assert_int_equal(msidom_irq_set_handler(s->ctx, m.virq, hit_handler, &a), 0);
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST), 0);
	/* Removing the handler makes it spurious again. */
	assert_int_equal(msidom_irq_set_handler(s->ctx, m.virq, NULL, NULL), 0);
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_spurious(s->vec.d), 5);
	/* So does freeing the vector, and the handler does not come back. */
	assert_int_equal(msidom_irq_set_handler(s->ctx, m.virq, hit_handler, &a), 0);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST), -MSIDOM_ENOENT);
	m = msidom_msi_alloc_at(s->dev, DEF, 0, NULL);
	assert_int_equal(msidom_handle(s->vec.d, SIM_VEC_FIRST), -MSIDOM_ENOENT);
	assert_int_equal(a.calls, 1);
	assert_int_equal(msidom_domain_spurious(s->vec.d), 7);

	/* Errors. */
	assert_int_equal(msidom_handle(NULL, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_spurious(NULL), 0);
	assert_int_equal(msidom_irq_set_handler(NULL, m.virq, hit_handler, &a), -MSIDOM_EINVAL);
	assert_int_equal(msidom_irq_set_handler(s->ctx, 0, hit_handler, &a), -MSIDOM_ENOENT);
	assert_int_equal(msidom_irq_set_handler(s->ctx, 12345, hit_handler, &a), -MSIDOM_ENOENT);
	assert_int_equal(msidom_irq_set_handler(s->ctx, UINT32_MAX, hit_handler, &a),
			 -MSIDOM_ENOENT);
	sim_free(s);
}

/* The handler runs without the context lock: it may use the locking API. */
struct reentry {
	struct sim *s;
	int mask_ret;
};

static void masking_handler(uint32_t virq, void *arg)
{
	struct reentry *r = arg;

	r->mask_ret = msidom_irq_mask(r->s->ctx, virq);
}

static void test_handler_may_call_api(void **state)
{
	struct sim *s = sim_new(NULL);
	struct reentry r = { s, 1 };
	struct msidom_map m = msidom_msi_alloc_at(
		s->dev, DEF, 0,
		&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
					     .unmasked = true });

	(void)state;
	assert_int_equal(msidom_irq_set_handler(s->ctx, m.virq, masking_handler, &r), 0);
	assert_int_equal(msidom_handle(s->dev_lv.d, 0), 0);
	assert_int_equal(r.mask_ret, 0);
	assert_true(msidom_desc_masked(msidom_irq_desc(s->ctx, m.virq)));
	sim_free(s); /* its lock hook counts any recursion as an error */
}

/*
 * The lock-free path under churn: one thread dispatches four live vectors
 * while this thread allocates, frees and re-handles others in the same
 * reverse-map leaves. Every dispatch of a live vector must reach its
 * handler (ASan catches any use of freed memory on the way).
 */
#define SPINS 100000u
#define CHURN 3000u

struct racer {
	struct msidom_domain *vec;
	uint32_t hw[4];
	unsigned int counts[4];
	unsigned int misses;
	unsigned int churn_hits; /* handler arg of the churned vectors */
};

static void racer_handler(uint32_t virq, void *arg)
{
	unsigned int *count = arg;

	(void)virq;
	__atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
}

static void *dispatcher(void *arg)
{
	struct racer *r = arg;

	for (unsigned int i = 0; i < SPINS; i++)
		if (msidom_handle(r->vec, r->hw[i % 4]))
			r->misses++;
	return NULL;
}

static void test_dispatch_during_churn(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	struct racer r = { .vec = s->vec.d };
	pthread_t th;

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		struct msidom_map m = msidom_msi_alloc_at(s->dev, DEF, i, NULL);

		assert_int_equal(m.index, (int32_t)i);
		r.hw[i] = SIM_VEC_FIRST + i;
		assert_int_equal(msidom_domain_find_virq(s->vec.d, r.hw[i]), m.virq);
		assert_int_equal(
			msidom_irq_set_handler(s->ctx, m.virq, racer_handler, &r.counts[i]), 0);
	}
	assert_int_equal(pthread_create(&th, NULL, dispatcher, &r), 0);
	for (unsigned int i = 0; i < CHURN; i++) {
		struct msidom_map m = msidom_msi_alloc_at(s->dev, SEC, MSIDOM_INDEX_ANY, NULL);

		assert_true(m.index >= 0);
		assert_int_equal(
			msidom_irq_set_handler(s->ctx, m.virq, racer_handler, &r.churn_hits), 0);
		if (i % 3)
			assert_int_equal(msidom_msi_free(s->dev, SEC, (uint32_t)m.index), 0);
		if (i % 64 == 63)
			assert_true(msidom_msi_free_all(s->dev, SEC) > 0);
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(r.misses, 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(r.counts[i], SPINS / 4);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handle_every_level),
		cmocka_unit_test(test_spurious),
		cmocka_unit_test(test_handler_may_call_api),
		cmocka_unit_test(test_dispatch_during_churn),
	};

	return cmocka_run_group_tests_name("unit-dispatch", tests, NULL, sim_group_teardown);
}
