/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Backings: guest MSI-X vectors backed by host IMS slots (through the
 * core and a simulated IMS device), emulated vectors beside them, lazy
 * acquisition, release on disable, quotas and host failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct t {
	struct ts_hooks h;
	struct msidom_ctx *ctx;
	size_t mem0;
	struct rec r;
	struct hsim host;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	t->ctx = vmm_ctx(&t->h, false);
	t->mem0 = msidom_ctx_mem_bytes(t->ctx);
	hsim_init(&t->host, t->ctx);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	assert_int_equal(t->r.bad_callbacks, 0);
	assert_int_equal(t->host.live_slots, 0);
	/* Every host vector went back (the core may keep radix nodes cached). */
	assert_int_equal(msidom_irq_count(t->ctx), 0);
	hsim_fini(&t->host);
	assert_int_equal(msidom_ctx_destroy(t->ctx), 0);
	ts_hooks_assert_clean(&t->h);
	free(t);
	return 0;
}

static void set_ims(struct t *t, struct msidom_vmm_fn *fn, uint32_t v, uint32_t host_index)
{
	MSIDOM_OPTS(msidom_vmm_backing, b, .type = MSIDOM_VMM_BACKING_IMS, .host_dev = t->host.dev,
		    .host_index = host_index, .cookie.value = 0x100 + v);

	assert_int_equal(msidom_vmm_set_backing(fn, v, &b), 0);
}

/* Host slot of guest vector v, from what the VMM was told. */
static uint32_t slot_of(struct t *t, uint32_t v)
{
	assert_true(t->r.gsi[v].host_virq != 0);
	return t->r.gsi[v].host_index;
}

static void test_ims_lazy(void **state)
{
	struct t *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 4, MSIDOM_VMM_UNLIMITED, 0);
	uint32_t slot;

	for (uint32_t v = 0; v < 4; v++)
		set_ims(t, fn, v, MSIDOM_INDEX_ANY);
	/* Choosing a backing for a masked vector takes nothing from the host. */
	assert_int_equal(t->host.live_slots, 0);
	g_linux_msix_setup(fn, 4);
	assert_int_equal(t->host.live_slots, 0);
	assert_int_equal(fn_stats(fn).host_vectors, 0);

	rec_clear(&t->r);
	g_mask(fn, 1, false);
	assert_int_equal(t->host.live_slots, 1);
	assert_int_equal(t->r.nroutes, 1);
	assert_false(t->r.gsi[1].masked);
	assert_int_equal(t->r.gsi[1].backing, MSIDOM_VMM_BACKING_IMS);
	assert_int_equal(t->r.gsi[1].host_fd, -1);
	slot = slot_of(t, 1);
	assert_int_equal(t->host.cookie[slot], 0x101);
	assert_true(t->host.unmasked[slot]);
	assert_int_equal(fn_stats(fn).host_vectors, 1);
	assert_int_equal(fn_stats(fn).host_fds, 0);

	/* The device raises the slot: the guest gets vector 1's message. */
	assert_true(hsim_raise(&t->host, slot));
	assert_int_equal(t->r.ndelivered, 1);
	assert_int_equal(t->r.delivered[0].vector, 1);
	assert_int_equal(t->r.delivered[0].msg.data, T_DATA(1));

	/* Guest masks: the slot stays, events latch into the PBA. */
	g_mask(fn, 1, true);
	assert_true(t->r.gsi[1].masked);
	assert_int_equal(t->host.live_slots, 1);
	assert_true(hsim_raise(&t->host, slot));
	assert_true(hsim_raise(&t->host, slot));
	assert_int_equal(t->r.ndelivered, 1);
	assert_true(g_pba(fn, 1));
	g_mask(fn, 1, false);
	assert_int_equal(t->r.ndelivered, 2);
	assert_false(g_pba(fn, 1));

	/* Function mask: same. */
	g_msix_ctrl(fn, true, true);
	assert_true(hsim_raise(&t->host, slot));
	assert_int_equal(t->r.ndelivered, 2);
	g_msix_ctrl(fn, true, false);
	assert_int_equal(t->r.ndelivered, 3);

	/* Disable: every host vector goes back, the route says so. */
	assert_true(hsim_raise(&t->host, slot)); /* live: delivered */
	rec_clear(&t->r);
	g_msix_ctrl(fn, false, false);
	assert_int_equal(t->host.live_slots, 0);
	assert_int_equal(fn_stats(fn).host_vectors, 0);
	assert_int_equal(t->r.nroutes, 1);
	assert_true(t->r.gsi[1].masked);
	assert_int_equal(t->r.gsi[1].host_virq, 0);

	/* Enable again with entry 1 still unmasked: acquired again at once. */
	g_msix_ctrl(fn, true, false);
	assert_int_equal(t->host.live_slots, 1);
	assert_false(t->r.gsi[1].masked);
	assert_true(hsim_raise(&t->host, slot_of(t, 1)));
	assert_int_equal(t->r.per_vec_deliveries[1], 1);

	msidom_vmm_fn_destroy(fn);
	assert_int_equal(t->host.live_slots, 0);
}

/* Per-function quota on host vectors: the enable over it fails cleanly. */
static void test_quota(void **state)
{
	struct t *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 6, 2, 0);
	struct msidom_vmm_vector_info info = { .sz = sizeof(struct msidom_vmm_vector_info) };

	for (uint32_t v = 0; v < 4; v++)
		set_ims(t, fn, v, MSIDOM_INDEX_ANY);
	/* 4 and 5 stay emulated: they never count. */
	g_linux_msix_setup(fn, 6);
	for (uint32_t v = 0; v < 6; v++)
		g_mask(fn, v, false);
	assert_int_equal(t->host.live_slots, 2);
	assert_int_equal(t->r.nfailed, 2);
	assert_int_equal(t->r.failed[0].vector, 2);
	assert_int_equal(t->r.failed[0].err, -MSIDOM_EDQUOT);
	assert_int_equal(t->r.failed[1].vector, 3);
	for (uint32_t v = 0; v < 6; v++)
		assert_int_equal(t->r.gsi[v].masked, v == 2 || v == 3);
	assert_int_equal(fn_stats(fn).quota_denied, 2);
	assert_int_equal(msidom_vmm_get_vector_info(fn, 2, &info), 0);
	assert_true(info.backing_failed);
	assert_false(info.guest_masked); /* the guest's own bit is what it wrote */
	assert_true(info.route.masked);
	assert_int_equal(g_table32(fn, 2 * 16 + 12), 0);

	/* An interrupt for a vector without its host vector: pending. */
	assert_int_equal(msidom_vmm_fire(fn, 2), 0);
	/* Writing the same unmask again is no new attempt and no new callback. */
	g_mask(fn, 2, false);
	assert_int_equal(t->r.nfailed, 2);
	/* A new unmask is a new attempt. */
	g_mask(fn, 2, true);
	g_mask(fn, 2, false);
	assert_int_equal(t->r.nfailed, 3);
	assert_int_equal(t->host.live_slots, 2);

	/* Freeing one (guest masks and the VMM re-backs it) makes room. */
	rec_clear(&t->r);
	assert_int_equal(msidom_vmm_set_backing(fn, 0, NULL), 0);
	assert_int_equal(t->host.live_slots, 1);
	assert_false(t->r.gsi[0].masked); /* now emulated: live at once */
	g_mask(fn, 2, true);
	g_mask(fn, 2, false);
	assert_int_equal(t->host.live_slots, 2);
	assert_false(t->r.gsi[2].masked);
	assert_int_equal(t->r.per_vec_deliveries[2], 1); /* the pending one */

	/* Raising the quota retries the vector that failed. */
	rec_clear(&t->r);
	assert_int_equal(msidom_vmm_set_quota(fn, 3, 0), 0);
	assert_int_equal(t->host.live_slots, 3);
	assert_false(t->r.gsi[3].masked);
	assert_int_equal(t->r.nfailed, 0);
	/* Lowering it releases nothing. */
	assert_int_equal(msidom_vmm_set_quota(fn, 0, 0), 0);
	assert_int_equal(t->host.live_slots, 3);
	/* But a re-acquisition after disable obeys it. */
	g_msix_ctrl(fn, false, false);
	assert_int_equal(t->host.live_slots, 0);
	rec_clear(&t->r);
	g_msix_ctrl(fn, true, false);
	assert_int_equal(t->host.live_slots, 0);
	assert_int_equal(t->r.nfailed, 3);
	assert_int_equal(fn_stats(fn).host_vectors, 0);
	msidom_vmm_fn_destroy(fn);
}

/* Host refuses a slot: backing_failed with its error, nothing leaked. */
static void test_host_failure(void **state)
{
	struct t *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 2, MSIDOM_VMM_UNLIMITED, 0);
	size_t mem;

	set_ims(t, fn, 0, MSIDOM_INDEX_ANY);
	set_ims(t, fn, 1, 70); /* beyond the IMS domain's 64 slots */
	g_linux_msix_setup(fn, 2);
	mem = msidom_ctx_mem_bytes(t->ctx);
	t->host.fail_prepare = -MSIDOM_EBUSY;
	g_mask(fn, 0, false);
	g_mask(fn, 1, false);
	assert_int_equal(t->r.nfailed, 2);
	assert_int_equal(t->r.failed[0].err, -MSIDOM_EBUSY);
	assert_true(t->r.failed[1].err < 0);
	assert_true(t->r.gsi[0].masked);
	assert_int_equal(fn_stats(fn).host_failures, 2);
	assert_int_equal(fn_stats(fn).host_vectors, 0);
	assert_int_equal(msidom_ctx_mem_bytes(t->ctx), mem);
	assert_int_equal(msidom_irq_count(t->ctx), 0);
	/*
	 * Out of memory at each allocation the acquisition makes, until one
	 * attempt gets through: every failure is the same clean failure.
	 */
	t->host.fail_prepare = 0;
	for (long n = 1;; n++) {
		unsigned int nfailed = t->r.nfailed;

		g_mask(fn, 0, true);
		t->h.fail_at = n;
		g_mask(fn, 0, false);
		if (t->h.fail_at != 0) {
			assert_true(n > 1); /* acquisition does allocate */
			break;              /* no allocation failed: acquired */
		}
		assert_int_equal(t->r.nfailed, nfailed + 1);
		assert_int_equal(t->r.failed[nfailed].err, -MSIDOM_ENOMEM);
		assert_true(t->r.gsi[0].masked);
		assert_int_equal(msidom_irq_count(t->ctx), 0);
		assert_true(n < 50);
	}
	t->h.fail_at = 0;
	assert_false(t->r.gsi[0].masked);
	assert_int_equal(msidom_irq_count(t->ctx), 1);
	msidom_vmm_fn_destroy(fn);
	assert_int_equal(msidom_irq_count(t->ctx), 0);
}

/* Mixed backings on one function, and switching a live vector's backing. */
static void test_mixed(void **state)
{
	struct t *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 3, MSIDOM_VMM_UNLIMITED, 0);
	uint32_t slot;

	set_ims(t, fn, 1, 7);
	g_linux_msix_setup(fn, 3);
	for (uint32_t v = 0; v < 3; v++)
		g_mask(fn, v, false);
	assert_int_equal(t->host.live_slots, 1);
	slot = slot_of(t, 1);
	assert_int_equal(slot, 7);
	assert_int_equal(t->r.gsi[0].backing, MSIDOM_VMM_BACKING_EMULATED);
	assert_int_equal(t->r.gsi[1].backing, MSIDOM_VMM_BACKING_IMS);
	assert_int_equal(msidom_vmm_fire(fn, 0), 1);
	assert_true(hsim_raise(&t->host, slot));
	assert_int_equal(msidom_vmm_fire(fn, 2), 1);
	assert_int_equal(t->r.ndelivered, 3);
	assert_int_equal(t->r.delivered[1].vector, 1);

	/* Vector 1 moves from IMS to emulated while masked with an event held. */
	g_mask(fn, 1, true);
	assert_true(hsim_raise(&t->host, slot));
	assert_int_equal(msidom_vmm_set_backing(fn, 1, NULL), 0);
	assert_int_equal(t->host.live_slots, 0);
	assert_true(g_pba(fn, 1));
	/* And vector 0 from emulated to IMS while live: acquired at once. */
	rec_clear(&t->r);
	set_ims(t, fn, 0, MSIDOM_INDEX_ANY);
	assert_int_equal(t->host.live_slots, 1);
	assert_int_equal(t->r.nroutes, 1);
	/* Choosing the same backing again changes nothing. */
	set_ims(t, fn, 0, MSIDOM_INDEX_ANY);
	assert_int_equal(msidom_vmm_set_backing(fn, 1, NULL), 0);
	assert_int_equal(t->r.nroutes, 1);
	assert_int_equal(t->r.gsi[0].backing, MSIDOM_VMM_BACKING_IMS);
	assert_false(t->r.gsi[0].masked);
	g_mask(fn, 1, false);
	assert_int_equal(t->r.per_vec_deliveries[1], 1);
	msidom_vmm_fn_destroy(fn);
}

/* A guest MSI function backed by IMS slots too (multi-message). */
static void test_msi_ims(void **state)
{
	struct t *t = *state;
	struct msidom_vmm_fn *fn = mk_msi(t->ctx, &t->r, 4, true, true);
	uint32_t v;

	for (v = 0; v < 4; v++)
		set_ims(t, fn, v, MSIDOM_INDEX_ANY);
	assert_int_equal(msidom_vmm_set_quota(fn, MSIDOM_VMM_UNLIMITED, 0), 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 4, 4, 0xfee00000u), 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 12, 2, 0x4030), 0);
	/* Enable 2 of the 4 messages. */
	assert_int_equal(msidom_vmm_cfg_write(fn, 2, 2, 1u << 4 | 1u), 0);
	assert_int_equal(t->host.live_slots, 2);
	assert_true(hsim_raise(&t->host, slot_of(t, 1)));
	assert_int_equal(t->r.delivered[0].msg.data, 0x4031);
	/* Per-vector mask bit 1: the slot stays, the event waits. */
	assert_int_equal(msidom_vmm_cfg_write(fn, 16, 4, 2), 0);
	assert_true(hsim_raise(&t->host, slot_of(t, 1)));
	assert_int_equal(t->r.ndelivered, 1);
	assert_int_equal(msidom_vmm_cfg_read(fn, 20, 4, &v), 0);
	assert_int_equal(v, 2);
	/* Disable: slots released, the pending bit survives into the next enable. */
	assert_int_equal(msidom_vmm_cfg_write(fn, 2, 2, 0), 0);
	assert_int_equal(t->host.live_slots, 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 16, 4, 0), 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 2, 2, 2u << 4 | 1u), 0);
	assert_int_equal(t->host.live_slots, 4);
	assert_int_equal(t->r.ndelivered, 2);
	assert_int_equal(t->r.delivered[1].vector, 1);
	msidom_vmm_fn_destroy(fn);
}

/*
 * A guest writing garbage everywhere over host-backed vectors, with the
 * device interrupting throughout: never more host vectors than the quota,
 * the library's count always matches the host's, nothing left after.
 */
static void test_garbage_with_host(void **state)
{
	struct t *t = *state;
	const uint32_t n = 8;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, n, 3, 0);
	uint32_t x = 7;

	for (uint32_t v = 0; v < n; v += 2)
		set_ims(t, fn, v, MSIDOM_INDEX_ANY);
	for (int i = 0; i < 20000; i++) {
		int v = g_garbage_step(fn, n, &x);

		if (v >= 0 && t->r.gsi[v].host_virq)
			assert_true(hsim_raise(&t->host, t->r.gsi[v].host_index));
		else if (v >= 0)
			msidom_vmm_fire(fn, (uint32_t)v);
		assert_true(fn_stats(fn).host_vectors <= 3);
		assert_int_equal(fn_stats(fn).host_vectors, t->host.live_slots);
		assert_int_equal(t->r.bad_callbacks, 0);
	}
	assert_true(t->r.ndelivered > 0);
	g_msix_ctrl(fn, false, false);
	assert_int_equal(t->host.live_slots, 0);
	msidom_vmm_fn_destroy(fn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ims_lazy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_ims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_with_host, setup, teardown),
	};

	return cmocka_run_group_tests_name("vmm-backing", tests, NULL, NULL);
}
