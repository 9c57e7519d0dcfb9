/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Batches: changes between batch_begin and the outermost batch_end reach
 * the kernel as one SET_IRQS per run of indexes (one grow cycle on a
 * NORESIZE kernel); a commit that fails leaves the kernel as before the
 * batch and the library ready to program it on the next sync.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include <linux/vfio.h>

#include "env.h"

static void test_batch_reaches_the_kernel_as_one_set_irqs_per_run(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 2, true);
	unsigned int calls = e->fk->set_irqs;
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0); /* nests */
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	must_alloc(e, 3, true);
	must_alloc(e, 4, true);
	must_alloc(e, 7, true);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	/* Nothing reached the kernel before the outermost commit. */
	assert_int_equal(e->fk->set_irqs, calls);
	assert_int_equal(e->fk->ctx[0], -1);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	/* Runs [0,1] and [3..7] (5, 6 carry -1); live vector 2 splits them. */
	assert_int_equal(e->fk->set_irqs, calls + 2);
	assert_int_equal(e->fk->teardowns[2], 0);
	for (uint32_t i = 0; i < 8; i++) {
		if (i == 5 || i == 6)
			assert_int_equal(e->fk->ctx[i], -1);
		else
			assert_true(armed_trigger(e, i));
	}
	/* A batch of frees: one call per run as well. */
	calls = e->fk->set_irqs;
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	assert_int_equal(msidom_vfio_free(e->v, 3), 0);
	assert_int_equal(msidom_vfio_free(e->v, 4), 0);
	assert_int_equal(msidom_vfio_free(e->v, 7), 0);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	assert_int_equal(e->fk->set_irqs, calls + 1);
	assert_int_equal(e->fk->ctx[3], -1);
	assert_int_equal(e->fk->ctx[7], -1);
	assert_true(armed_trigger(e, 2));
	env_free(e);
}

static void test_noresize_batch_enables_once_and_grows_once(void **state)
{
	(void)state;
	struct env *e = env_opened(61);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	for (uint32_t i = 0; i < 5; i++)
		must_alloc(e, i, true);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	/* One enable of 0..4; no resize cycle. */
	assert_int_equal(e->fk->set_irqs, 1);
	assert_int_equal(e->fk->num_ctx, 5);
	assert_int_equal(e->fk->disables, 0);
	/* Batch across the size: one grow cycle for all of them. */
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	for (uint32_t i = 5; i < 9; i++)
		must_alloc(e, i, true);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	assert_int_equal(e->fk->set_irqs, 3);
	assert_int_equal(e->fk->num_ctx, 9);
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.resizes, 1);
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSI), 0);
	env_free(e);
}

static void test_failed_commit_restores_the_kernel_and_keeps_the_vectors(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 2, true);
	struct fk_state *before = calloc(1, sizeof(*before));
	fk_state(e->fk, before);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	must_alloc(e, 0, true);
	must_alloc(e, 5, true);
	/* The second run fails: the first is put back. */
	fk_fail(e->fk, 2, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
	assert_int_equal(msidom_vfio_batch_end(e->v), -EIO);
	assert_true(fk_fail_off(e->fk));
	struct fk_state *after = calloc(1, sizeof(*after));
	fk_state(e->fk, after);
	assert_memory_equal(before->ino, after->ino, sizeof(before->ino));
	assert_int_equal(e->fk->teardowns[2], 0);
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSIX), 0);
	/* The library kept the vectors: a sync programs them. */
	assert_int_equal(msidom_vfio_sync(e->v), 0);
	assert_true(armed_trigger(e, 0));
	assert_true(armed_trigger(e, 5));
	free(before);
	free(after);
	env_free(e);
}

static void kstate_equal(const struct fk_state *a, const struct fk_state *b)
{
	assert_int_equal(a->irq_type, b->irq_type);
	assert_int_equal(a->num_ctx, b->num_ctx);
	assert_memory_equal(a->ino, b->ino, sizeof(a->ino));
}

/*
 * Every SET_IRQS of a commit (and of its restore) failing: the kernel keeps
 * exactly its pre-batch programming, the library keeps the batch, a sync
 * programs it, and closing leaves nothing behind.
 */
static void batch_fault_loop(int version)
{
	int failures = 0;
	for (long n = 1; n < 100; n++) {
		struct fk_config kc = kcfg(version);
		struct env *e = env_new(&kc);
		env_open(e);
		must_alloc(e, 2, true);
		must_alloc(e, 3, true);
		must_alloc(e, 4, true); /* live, unchanged: splits the runs */
		struct fk_state *before = calloc(1, sizeof(*before));
		struct fk_state *after = calloc(1, sizeof(*after));
		fk_state(e->fk, before);
		assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
		must_alloc(e, 0, true);
		must_alloc(e, 5, false);
		assert_int_equal(msidom_vfio_free(e->v, 2), 0);
		assert_int_equal(msidom_irq_mask(e->ctx, virq_of(e, 3)), 0);
		fk_fail(e->fk, n, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
		int ret = msidom_vfio_batch_end(e->v);
		bool fired = fk_fail_off(e->fk);
		if (ret < 0) {
			assert_true(fired);
			failures++;
			fk_state(e->fk, after);
			kstate_equal(before, after);
			assert_int_equal(msidom_vfio_sync(e->v), 0);
		}
		assert_true(armed_trigger(e, 0));
		assert_true(armed_mask(e, 5));
		assert_true(armed_mask(e, 3));
		assert_int_equal(e->fk->ctx[2], -1);
		assert_true(armed_trigger(e, 4));
		if (version == 612)
			assert_int_equal(e->fk->teardowns[4], 0);
		free(before);
		free(after);
		env_free(e);
		if (!fired)
			break;
	}
	assert_true(failures >= 2);
}

static void test_commit_failing_at_any_set_irqs_keeps_the_pre_batch_kernel_state(void **state)
{
	(void)state;
	batch_fault_loop(612);
	batch_fault_loop(61);
}

/*
 * A guest rewriting its MSI-X table frees a vector and allocates the same
 * index again (explicitly, or as ANY) inside one batch: the index is
 * handed over to the new vector, the whole batch is one SET_IRQS, the
 * kernel ends armed with the new vector's eventfd, and the device's
 * interrupt reaches the new vector's handler only.
 */
static void reuse_in_one_batch(int version, bool any)
{
	struct env *e = env_opened(version);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	must_alloc(e, 2, true);
	int old_fd = msidom_vfio_vector_eventfd(e->v, 1);
	uint64_t old_ino = fk_ino(old_fd);
	unsigned int calls = e->fk->set_irqs, disables = e->fk->disables;
	size_t mapped = msidom_domain_mapped(msidom_vfio_root(e->v));

	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	assert_int_equal(msidom_vfio_free(e->v, 1), 0);
	e->hits[1] = 0;
	struct msidom_map m = any ? alloc_vec(e, MSIDOM_INDEX_ANY, true) : alloc_vec(e, 1, true);
	assert_int_equal(m.index, 1);
	assert_true(m.virq > 0);
	/* Nothing reached the kernel yet: it still holds the old eventfd. */
	assert_int_equal(e->fk->set_irqs, calls);
	assert_int_equal(fk_ino(e->fk->ctx[1]), old_ino);
	/* Free and allocate it once more: still one update at the end. */
	assert_int_equal(msidom_vfio_free(e->v, 1), 0);
	m = any ? alloc_vec(e, MSIDOM_INDEX_ANY, true) : alloc_vec(e, 1, true);
	assert_int_equal(m.index, 1);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);

	assert_int_equal(e->fk->set_irqs, calls + 1);
	assert_int_equal(e->fk->disables, disables);
	assert_int_equal(e->fk->teardowns[0], 0);
	assert_int_equal(e->fk->teardowns[2], 0);
	assert_true(armed_trigger(e, 1));
	assert_int_not_equal(fk_ino(e->fk->ctx[1]), old_ino);
	assert_int_equal(virq_of(e, 1), m.virq);
	assert_int_equal(msidom_domain_mapped(msidom_vfio_root(e->v)), mapped);
	assert_int_equal(msidom_domain_find_virq(msidom_vfio_root(e->v),
						 MSIDOM_VFIO_HWIRQ(MSIDOM_VFIO_MSIX, 1)),
			 m.virq);

	/* The device's interrupt reaches the new vector's handler. */
	dispatch_all(e); /* what grow cycles signalled */
	e->hits[0] = e->hits[1] = 0;
	assert_true(fk_raise(e->fk, 1));
	dispatch_all(e);
	assert_int_equal(e->hits[0], any ? 1 : 0);
	assert_int_equal(e->hits[1], any ? 0 : 1);
	/* And the freed vector left nothing behind. */
	assert_int_equal(msidom_vfio_free(e->v, 1), 0);
	assert_int_equal(e->fk->ctx[1], -1);
	env_free(e);
}

static void test_free_and_realloc_of_one_index_in_a_batch_is_one_update(void **state)
{
	(void)state;
	reuse_in_one_batch(612, false);
	reuse_in_one_batch(61, false);
}

static void test_free_and_realloc_at_any_in_a_batch_takes_the_freed_index(void **state)
{
	(void)state;
	reuse_in_one_batch(612, true);
	reuse_in_one_batch(61, true);
}

/* A reused index that the batch then frees for good is disarmed, once. */
static void test_reused_index_freed_again_in_the_batch_ends_disarmed(void **state)
{
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct env *e = env_opened(k ? 61 : 612);
		must_alloc(e, 0, true);
		must_alloc(e, 1, false);
		unsigned int calls = e->fk->set_irqs;
		assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
		assert_int_equal(msidom_vfio_free(e->v, 1), 0);
		must_alloc(e, 1, true);
		assert_int_equal(msidom_irq_mask(e->ctx, virq_of(e, 1)), 0);
		assert_int_equal(msidom_vfio_free(e->v, 1), 0);
		assert_int_equal(msidom_vfio_batch_end(e->v), 0);
		assert_int_equal(e->fk->set_irqs, calls + 1);
		assert_int_equal(e->fk->ctx[1], -1);
		assert_true(armed_trigger(e, 0));
		assert_int_equal(msidom_domain_mapped(msidom_vfio_root(e->v)), 1);
		env_free(e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_reaches_the_kernel_as_one_set_irqs_per_run),
		cmocka_unit_test(test_noresize_batch_enables_once_and_grows_once),
		cmocka_unit_test(test_failed_commit_restores_the_kernel_and_keeps_the_vectors),
		cmocka_unit_test(
			test_commit_failing_at_any_set_irqs_keeps_the_pre_batch_kernel_state),
		cmocka_unit_test(test_free_and_realloc_of_one_index_in_a_batch_is_one_update),
		cmocka_unit_test(test_free_and_realloc_at_any_in_a_batch_takes_the_freed_index),
		cmocka_unit_test(test_reused_index_freed_again_in_the_batch_ends_disarmed),
	};

	return cmocka_run_group_tests_name("vfio-batch", tests, NULL, NULL);
}
