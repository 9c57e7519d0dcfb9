/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Masking: a masked vector is armed with the library's mask eventfd, what
 * arrives meanwhile is pending and replayed once on unmask; failures change
 * nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "env.h"

static void test_masked_interrupt_is_pending_and_replayed_once_on_unmask(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 0, true);
	uint32_t virq = virq_of(e, 0);
	assert_int_equal(msidom_irq_mask(e->ctx, virq), 0);
	assert_true(armed_mask(e, 0));
	assert_true(msidom_desc_masked(msidom_irq_desc(e->ctx, virq)));
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 0);
	assert_true(fk_raise(e->fk, 0));
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 0); /* masking holds */
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 1);
	assert_int_equal(msidom_irq_unmask(e->ctx, virq), 0);
	assert_true(armed_trigger(e, 0));
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1); /* replayed once */
	/* Mask and unmask with nothing pending: no replay. */
	assert_int_equal(msidom_irq_mask(e->ctx, virq), 0);
	assert_int_equal(msidom_irq_unmask(e->ctx, virq), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.replays, 1);
	assert_int_equal(st.dispatched, 1);
	env_free(e);
}

static void test_vector_allocated_masked_is_armed_with_the_mask_eventfd(void **state)
{
	(void)state;
	struct env *e = env_opened(61);
	must_alloc(e, 0, false);
	/* A masked vector is armed with the mask eventfd from the start. */
	assert_true(armed_mask(e, 0));
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 0);
	assert_int_equal(msidom_irq_unmask(e->ctx, virq_of(e, 0)), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	/* The loopback trigger of a masked vector makes it pending. */
	assert_int_equal(msidom_irq_mask(e->ctx, virq_of(e, 0)), 0);
	assert_int_equal(msidom_vfio_trigger(e->v, 0), 0);
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 1);
	/* Freeing a masked vector drops what was pending. */
	assert_int_equal(msidom_vfio_free(e->v, 0), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	env_free(e);
}

static void setup_two_masked(struct env *e)
{
	env_open(e);
	must_alloc(e, 0, true);
	must_alloc(e, 1, false);
}

static int op_mask1(struct env *e)
{
	return msidom_irq_mask(e->ctx, virq_of(e, 0));
}

static int op_unmask1(struct env *e)
{
	return msidom_irq_unmask(e->ctx, virq_of(e, 1));
}

static void test_mask_and_unmask_failing_anywhere_change_nothing(void **state)
{
	(void)state;
	const struct fk_config k61 = kcfg(61), k612 = kcfg(612);

	assert_true(fault_loop(&k612, setup_two_masked, op_mask1, false, FK_ANY) >= 1);
	assert_true(fault_loop(&k61, setup_two_masked, op_mask1, false, FK_ANY) >= 1);
	assert_true(fault_loop(&k612, setup_two_masked, op_unmask1, false, FK_ANY) >= 1);
	assert_true(fault_loop(&k61, setup_two_masked, op_unmask1, false, FK_ANY) >= 1);
}

/* An interrupt left unread in the trigger when the vector is masked. */
static void test_unread_trigger_of_a_masked_vector_turns_pending(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	uint32_t v0 = virq_of(e, 0), v1 = virq_of(e, 1);
	assert_true(fk_raise(e->fk, 0));
	assert_true(fk_raise(e->fk, 1));
	assert_int_equal(msidom_irq_mask(e->ctx, v0), 0);
	assert_int_equal(msidom_irq_mask(e->ctx, v1), 0);
	/* The pending query folds vector 0's unread trigger in. */
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 1);
	/* Dispatch does not run a masked vector's handler: vector 1 turns pending. */
	dispatch_all(e);
	assert_int_equal(e->hits[0], 0);
	assert_int_equal(e->hits[1], 0);
	assert_int_equal(msidom_vfio_vector_pending(e->v, 1), 1);
	assert_int_equal(msidom_irq_unmask(e->ctx, v0), 0);
	assert_int_equal(msidom_irq_unmask(e->ctx, v1), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	assert_int_equal(e->hits[1], 1);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masked_interrupt_is_pending_and_replayed_once_on_unmask),
		cmocka_unit_test(test_vector_allocated_masked_is_armed_with_the_mask_eventfd),
		cmocka_unit_test(test_mask_and_unmask_failing_anywhere_change_nothing),
		cmocka_unit_test(test_unread_trigger_of_a_masked_vector_turns_pending),
	};

	return cmocka_run_group_tests_name("vfio-mask", tests, NULL, NULL);
}
