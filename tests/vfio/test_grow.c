/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocating and freeing vectors: one SET_IRQS per vector on a kernel with
 * dynamic MSI-X; on a NORESIZE kernel a grow cycle that loses no
 * interrupt, or every vector enabled up front; short hosts, failures at
 * every step and their repair on the next update.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include <linux/vfio.h>

#include "env.h"

static void test_dynamic_msix_arms_each_vector_with_one_set_irqs(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	for (uint32_t i = 0; i < 5; i++) {
		unsigned int before = e->fk->set_irqs;
		must_alloc(e, i, true);
		/* One SET_IRQS for the new vector alone. */
		assert_int_equal(e->fk->set_irqs, before + 1);
		assert_true(armed_trigger(e, i));
	}
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(e->fk->teardowns[i], 0);
	assert_int_equal(e->fk->disables, 0);
	assert_int_equal(e->fk->enables, 1);
	/* Far index: still one call, live vectors untouched. */
	must_alloc(e, 12, true);
	assert_int_equal(e->fk->set_irqs, 6);
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.set_irqs, 6);
	assert_int_equal(st.resizes, 0);
	assert_int_equal(st.disables, 0);

	/* Free is fd -1 for that vector only. */
	assert_int_equal(msidom_vfio_free(e->v, 2), 0);
	assert_int_equal(e->fk->ctx[2], -1);
	assert_int_equal(e->fk->set_irqs, 7); /* one call: fd -1 */
	for (uint32_t i = 0; i < 5; i++)
		if (i != 2)
			assert_true(armed_trigger(e, i));
	assert_int_equal(e->fk->teardowns[0], 0);
	env_free(e);
}

static void test_noresize_msix_grows_by_reenabling_with_the_live_eventfds(void **state)
{
	(void)state;
	struct env *e = env_opened(61);
	must_alloc(e, 0, true);
	assert_int_equal(e->fk->num_ctx, 1);
	assert_int_equal(e->fk->enables, 1);
	/* Growing: disable, re-enable 0..2 with the live fds, signal them. */
	must_alloc(e, 2, true);
	assert_int_equal(e->fk->num_ctx, 3);
	assert_int_equal(e->fk->disables, 1);
	assert_int_equal(e->fk->enables, 2);
	assert_true(armed_trigger(e, 0));
	assert_true(armed_trigger(e, 2));
	assert_int_equal(e->fk->ctx[1], -1);
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.resizes, 1);
	assert_int_equal(st.resize_signals, 2);
	/* Both live vectors got one (possibly spurious) interrupt. */
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	assert_int_equal(e->hits[2], 1);
	/* Inside the enabled size: one call, no resize. */
	unsigned int calls = e->fk->set_irqs;
	must_alloc(e, 1, true);
	assert_int_equal(e->fk->set_irqs, calls + 1);
	assert_int_equal(e->fk->disables, 1);
	/* Freeing all disables the index with one call. */
	assert_int_equal(msidom_msi_free_all(msidom_vfio_device(e->v), MSIDOM_DEFAULT_DOMAIN), 3);
	assert_int_equal(e->fk->irq_type, -1);
	env_free(e);
}

/* The device raises vector 0 while the index is off: the kernel drops it. */
static void raise_in_gap(struct fake_kernel *fk, void *arg)
{
	bool *lost = arg;
	*lost = !fk_raise(fk, 0);
}

static void test_interrupt_raised_while_growing_is_delivered(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	bool lost = false;
	env_open(e);
	must_alloc(e, 0, true);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 0);
	e->fk->on_disable = raise_in_gap;
	e->fk->on_disable_arg = &lost;
	must_alloc(e, 1, true);
	e->fk->on_disable = NULL;
	assert_true(lost);
	/* The interrupt raised in the gap still reaches the handler. */
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	env_free(e);
}

static void test_prealloc_policy_enables_every_vector_at_the_first_alloc(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	e->cfg.policy = MSIDOM_VFIO_PREALLOC;
	env_open(e);
	must_alloc(e, 0, true);
	assert_int_equal(e->fk->num_ctx, 16);
	for (uint32_t i = 1; i < 16; i++) {
		unsigned int calls = e->fk->set_irqs;
		must_alloc(e, i, true);
		assert_int_equal(e->fk->set_irqs, calls + 1);
	}
	assert_int_equal(e->fk->disables, 0);
	assert_int_equal(e->fk->teardowns[0], 0);
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.resizes, 0);
	env_free(e);
}

static void test_alloc_at_any_index_and_refused_requests(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	struct msidom_map m = alloc_vec(e, MSIDOM_INDEX_ANY, true);
	assert_int_equal(m.index, 0);
	m = alloc_vec(e, 16, true);
	assert_int_equal(m.index, -ERANGE);
	m = alloc_vec(e, 0, true);
	assert_int_equal(m.index, -EEXIST);
	assert_int_equal(msidom_vfio_vector_eventfd(e->v, 5), -ENOENT);
	assert_int_equal(msidom_vfio_free(e->v, 5), -ENOENT);
	assert_int_equal(msidom_vfio_vector_eventfd(NULL, 0), -EINVAL);
	assert_int_equal(msidom_vfio_trigger(e->v, 3), -ENOENT);
	assert_int_equal(msidom_vfio_batch_end(e->v), -EINVAL);
	assert_int_equal(msidom_vfio_dispatch(NULL, 0), -EINVAL);
	/* The host runs out of vectors: the first enable fails cleanly. */
	env_free(e);

	kc.host_vectors = 2;
	e = env_new(&kc);
	env_open(e);
	struct snap *s = snap_take(e);
	m = alloc_vec(e, 5, true);
	assert_int_equal(m.index, -ENOSPC);
	snap_check(e, s);
	env_free(e);
}

static void setup_open(struct env *e)
{
	env_open(e);
}

static void setup_one(struct env *e)
{
	env_open(e);
	must_alloc(e, 0, true);
}

static int op_alloc0(struct env *e)
{
	return alloc_vec(e, 0, true).index;
}

static int op_alloc3(struct env *e)
{
	return alloc_vec(e, 3, true).index;
}

static int op_alloc3_masked(struct env *e)
{
	return alloc_vec(e, 3, false).index;
}

static void test_alloc_failing_anywhere_leaves_nothing(void **state)
{
	(void)state;
	const struct fk_config k61 = kcfg(61), k612 = kcfg(612);

	/* First vector (enables the index), on both kernels. */
	assert_true(fault_loop(&k61, setup_open, op_alloc0, false, FK_ANY) >= 4);
	assert_true(fault_loop(&k612, setup_open, op_alloc0, false, FK_ANY) >= 4);
	/* A vector beyond the enabled size: the grow cycle's every step. */
	assert_true(fault_loop(&k61, setup_one, op_alloc3, false, FK_ANY) >= 5);
	/* Dynamic add next to a live vector. */
	assert_true(fault_loop(&k612, setup_one, op_alloc3, false, FK_ANY) >= 4);
	assert_true(fault_loop(&k612, setup_one, op_alloc3_masked, false, FK_ANY) >= 4);
	/* Allocation failures. */
	assert_true(fault_loop(&k61, setup_one, op_alloc3, true, FK_ANY) >= 1);
	assert_true(fault_loop(&k612, setup_one, op_alloc3, true, FK_ANY) >= 1);
}

/* Grow where the re-enable fails and so does the restore: vectors come back later. */
static void test_failed_grow_whose_restore_fails_rearms_on_sync(void **state)
{
	(void)state;
	struct env *e = env_opened(61);
	must_alloc(e, 0, true);
	/* SET_IRQS #1 disable passes, #2 re-enable fails, #3 restore fails. */
	fk_fail(e->fk, 2, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
	struct msidom_map m = alloc_vec(e, 3, true);
	assert_int_equal(m.index, -EIO);
	assert_true(fk_fail_off(e->fk));
	assert_int_equal(e->fk->irq_type, 2);
	assert_true(armed_trigger(e, 0));

	/* Now the restore fails too: the index stays off until the unwind re-arms it. */
	fk_fail(e->fk, 2, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
	e->fk->fail_repeat = 1;
	m = alloc_vec(e, 3, true);
	assert_true(fk_fail_off(e->fk));
	assert_int_equal(m.index, -EIO);
	assert_true(ts_log_has(&e->h, "could not be re-enabled"));
	assert_int_equal(msidom_vfio_sync(e->v), 0);
	assert_true(armed_trigger(e, 0));
	assert_int_equal(msidom_irq_count(e->ctx), 1);
	env_free(e);
}

/* A free whose SET_IRQS fails: the library lets go, the kernel is fixed later. */
static void test_failed_free_is_repaired_by_the_next_sync(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 0, true);
	int fds = ts_count_fds();
	must_alloc(e, 1, true);
	fk_fail(e->fk, 1, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
	assert_int_equal(msidom_vfio_free(e->v, 1), 0);
	assert_true(fk_fail_off(e->fk));
	assert_int_equal(msidom_irq_count(e->ctx), 1);
	assert_true(e->fk->ctx[1] >= 0); /* still armed in the kernel */
	assert_true(ts_log_has(&e->h, "retried on the next update"));
	assert_int_equal(msidom_vfio_sync(e->v), 0);
	assert_int_equal(e->fk->ctx[1], -1);
	assert_true(armed_trigger(e, 0));
	assert_int_equal(ts_count_fds(), fds); /* the kept eventfd is closed now */
	env_free(e);
}

/*
 * A kernel with dynamic MSI-X whose host has 2 vectors: the first vector
 * at index 3 needs 4. Like vfio_msi_enable(), SET_IRQS returns the count
 * it could get (2) and enables nothing; the allocation fails and leaves
 * nothing behind.
 */
static void test_first_enable_beyond_the_host_vectors_fails_cleanly(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	kc.host_vectors = 2;
	struct env *e = env_new(&kc);
	env_open(e);
	struct snap *s = snap_take(e);
	struct msidom_map m = alloc_vec(e, 3, true);
	assert_int_equal(m.index, -ENOSPC);
	assert_int_equal(e->fk->irq_type, -1);
	assert_false(fk_raise(e->fk, 3));
	snap_check(e, s);
	env_free(e);
}

/*
 * The same short host on a NORESIZE kernel: vector 0 is live, growing to
 * index 3 disables the index and asks for 4 vectors, which the host
 * cannot give. The allocation fails and vector 0 is armed and delivering
 * again.
 */
static void test_grow_beyond_the_host_vectors_fails_and_keeps_the_live_vector(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	kc.host_vectors = 2;
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);

	struct msidom_map m = alloc_vec(e, 3, true);
	assert_int_equal(m.index, -ENOSPC);
	assert_true(armed_trigger(e, 0));
	assert_int_equal(e->fk->num_ctx, 1);
	/* Vector 0 still delivers (the re-enable may add one spurious call). */
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_true(e->hits[0] >= 2);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynamic_msix_arms_each_vector_with_one_set_irqs),
		cmocka_unit_test(test_noresize_msix_grows_by_reenabling_with_the_live_eventfds),
		cmocka_unit_test(test_interrupt_raised_while_growing_is_delivered),
		cmocka_unit_test(test_prealloc_policy_enables_every_vector_at_the_first_alloc),
		cmocka_unit_test(test_alloc_at_any_index_and_refused_requests),
		cmocka_unit_test(test_alloc_failing_anywhere_leaves_nothing),
		cmocka_unit_test(test_failed_grow_whose_restore_fails_rearms_on_sync),
		cmocka_unit_test(test_failed_free_is_repaired_by_the_next_sync),
		cmocka_unit_test(test_first_enable_beyond_the_host_vectors_fails_cleanly),
		cmocka_unit_test(test_grow_beyond_the_host_vectors_fails_and_keeps_the_live_vector),
	};

	return cmocka_run_group_tests_name("vfio-grow", tests, NULL, NULL);
}
