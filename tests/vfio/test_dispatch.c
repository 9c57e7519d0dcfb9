/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Delivery: the event loop runs the handlers of signalled vectors, leaves
 * vectors handed to KVM alone, counts spurious ones, and calls the ERR and
 * REQ callbacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <unistd.h>

#include "env.h"

static void test_dispatch_runs_the_handlers_of_signalled_vectors(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	must_alloc(e, 2, true);
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 0);
	assert_true(fk_raise(e->fk, 0));
	assert_true(fk_raise(e->fk, 2));
	assert_true(fk_raise(e->fk, 2));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 2);
	assert_int_equal(e->hits[0], 1);
	assert_int_equal(e->hits[1], 0);
	assert_int_equal(e->hits[2], 1); /* coalesced in the eventfd counter */
	/* Loopback through the kernel. */
	assert_int_equal(msidom_vfio_trigger(e->v, 1), 0);
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 1);
	assert_int_equal(e->hits[1], 1);
	/* Handing vector 1 to "KVM": out of the loop, the eventfd still fires. */
	assert_int_equal(msidom_vfio_set_polled(e->v, 1, false), 0);
	assert_int_equal(msidom_vfio_set_polled(e->v, 1, false), 0);
	assert_true(fk_raise(e->fk, 1));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 0);
	uint64_t cnt = 0;
	assert_int_equal(read(msidom_vfio_vector_eventfd(e->v, 1), &cnt, 8), 8);
	assert_int_equal(cnt, 1);
	assert_int_equal(msidom_vfio_set_polled(e->v, 1, true), 0);
	/* msidom_handle works on the root's hwirq directly. */
	assert_int_equal(msidom_handle(msidom_vfio_root(e->v), MSIDOM_VFIO_HWIRQ(2, 0)), 0);
	assert_int_equal(e->hits[0], 2);
	/* A handler-less vector counts as spurious. */
	assert_int_equal(msidom_irq_set_handler(e->ctx, virq_of(e, 0), NULL, NULL), 0);
	assert_true(fk_raise(e->fk, 0));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 0);
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.spurious, 1);
	/* epoll_wait failing is reported. */
	fk_fail(e->fk, 1, EINTR, FK_EPOLL_WAIT, 0);
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), -EINTR);
	fk_fail_off(e->fk);
	env_free(e);
}

static void test_err_and_req_events_reach_their_callbacks(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	env_open(e);
	assert_true(fk_raise_err(e->fk));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 1);
	assert_int_equal(e->err_hits, 1);
	assert_true(fk_raise_req(e->fk));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 1);
	assert_int_equal(e->req_hits, 1);
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.err_events, 1);
	assert_int_equal(st.req_events, 1);
	env_free(e);

	/* Without callbacks nothing is armed. */
	e = env_new(&kc);
	e->cfg.on_err = NULL;
	e->cfg.on_req = NULL;
	env_open(e);
	assert_int_equal(e->fk->err_ctx, -1);
	assert_int_equal(e->fk->req_ctx, -1);
	env_free(e);

	/* A kernel without ERR/REQ: open works and says so. */
	kc.has_err = false;
	kc.has_req = false;
	e = env_new(&kc);
	env_open(e);
	assert_true(ts_log_has(&e->h, "no ERR interrupt"));
	env_free(e);
}

static uint32_t race_virq;
static int race_pending;

/* What a VMM does on the guest's disable: mask, collect, release. */
static void mask_collect_and_free(void *arg)
{
	struct env *e = arg;

	assert_int_equal(msidom_irq_mask(e->ctx, race_virq), 0);
	race_pending = msidom_vfio_vector_pending(e->v, 1);
	assert_int_equal(msidom_vfio_free(e->v, 1), 0);
}

/*
 * Dispatch has read vector 1's trigger and dropped the lock; before it
 * runs the handler, another thread masks and frees the vector. The count
 * read is in no eventfd any more: the pending query made before the free
 * reports it, and the handler does not run on top of it.
 */
static void test_count_read_by_dispatch_is_pending_for_a_concurrent_free(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 1, true);
	race_virq = virq_of(e, 1);
	race_pending = -1;
	e->fk->watch_fd = msidom_vfio_vector_eventfd(e->v, 1);
	assert_true(e->fk->watch_fd >= 0);
	ts_interleave(&e->h, &e->fk->watch_fired, mask_collect_and_free, e);
	assert_true(fk_raise(e->fk, 1));
	(void)msidom_vfio_dispatch(e->v, 0);
	assert_int_equal(race_pending, 1);
	assert_int_equal(e->hits[1], 0);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch_runs_the_handlers_of_signalled_vectors),
		cmocka_unit_test(test_err_and_req_events_reach_their_callbacks),
		cmocka_unit_test(test_count_read_by_dispatch_is_pending_for_a_concurrent_free),
	};

	return cmocka_run_group_tests_name("vfio-dispatch", tests, NULL, NULL);
}
