/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bus-locked storage: inside a batch, writes, masks and unmasks are only
 * recorded; the end of the batch makes them effective once, in order.
 * Driver storage with bus_lock/bus_sync_unlock, and the ready-made
 * queue (host-memory) storage.
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

static struct msidom_map alloc_ims(struct fx *f, uint32_t index, bool unmasked, uint64_t cookie)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = unmasked, .has_cookie = true);

	o.cookie.value = cookie;
	return msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, index, &o);
}

static void expect_event(const struct sim_storage *s, unsigned int i, enum sim_cb cb, uint32_t slot)
{
	assert_true(i < s->nev);
	if (s->ev[i].cb != cb || (cb != CB_LOCK && s->ev[i].slot != slot))
		print_message("event %u: got cb %d slot %u, want cb %d slot %u\n", i,
			      (int)s->ev[i].cb, s->ev[i].slot, (int)cb, slot);
	assert_int_equal(s->ev[i].cb, cb);
	if (cb != CB_LOCK)
		assert_int_equal(s->ev[i].slot, slot);
}

/* A bus-locked driver storage of @n slots with the device's IMS domain on it. */
static struct sim_storage *batched_ims_domain(struct fx *f, uint32_t n)
{
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;

	assert_non_null(s);
	sim_storage_init(s, n, true);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info),
							    .hwsize = n },
				 &st, f->root.d, &f->ims),
			 0);
	return s;
}

static void test_one_op_one_sync(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = batched_ims_domain(f, 16);
	struct msidom_map m;

	m = alloc_ims(f, 3, true, 77);
	assert_int_equal(m.index, 3);
	/* lock, prepare, write + unmask recorded, one sync applying both in order */
	assert_int_equal(s->nev, 7);
	expect_event(s, 0, CB_LOCK, 0);
	expect_event(s, 1, CB_PREPARE, 3);
	expect_event(s, 2, CB_WRITE, 3);
	expect_event(s, 3, CB_UNMASK, 3);
	expect_event(s, 4, CB_SYNC, 2);
	expect_event(s, 5, CB_APPLY_WRITE, 3);
	expect_event(s, 6, CB_APPLY_UNMASK, 3);
	assert_true(s->unmasked[3]);
	assert_int_equal(s->msg[3].address_lo, 0xFEE00000u);

	sim_storage_reset_events(s);
	assert_int_equal(msidom_irq_mask(f->ctx, m.virq), 0);
	assert_int_equal(s->nev, 4);
	expect_event(s, 0, CB_LOCK, 0);
	expect_event(s, 1, CB_MASK, 3);
	expect_event(s, 2, CB_SYNC, 1);
	expect_event(s, 3, CB_APPLY_MASK, 3);

	/* An op that changes nothing in storage still syncs exactly once. */
	sim_storage_reset_events(s);
	assert_int_equal(msidom_irq_refresh_msg(f->ctx, m.virq), 0);
	assert_int_equal(s->calls[CB_LOCK], 3);
	assert_int_equal(s->calls[CB_SYNC], 3);

	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(s->calls[CB_LOCK], s->calls[CB_SYNC]);
	assert_int_equal(s->nprepared, 0);
	sim_storage_fini(s);
	free(s);
}

static void test_k_changes_one_sync(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = batched_ims_domain(f, 16);
	uint32_t virq[4];
	uint64_t cpu5 = 1u << 5;
	struct msidom_cpumask mask5 = { 8, &cpu5 };
	unsigned int locks, syncs;

	for (uint32_t i = 0; i < 4; i++) {
		struct msidom_map m = alloc_ims(f, i * 2, false, 100 + i);

		assert_int_equal(m.index, (int32_t)(i * 2));
		virq[i] = m.virq;
	}
	locks = s->calls[CB_LOCK];
	syncs = s->calls[CB_SYNC];
	sim_storage_reset_events(s);

	/* K = 5 changes; nested batches do not lock or sync again. */
	assert_int_equal(msidom_domain_batch_begin(f->ims), 0);
	assert_int_equal(msidom_domain_batch_begin(f->ims), 0);
	assert_int_equal(msidom_irq_unmask(f->ctx, virq[0]), 0);
	assert_int_equal(msidom_irq_unmask(f->ctx, virq[1]), 0);
	assert_int_equal(msidom_irq_mask(f->ctx, virq[0]), 0);
	assert_int_equal(msidom_irq_set_affinity(f->ctx, virq[2], &mask5), 0);
	assert_int_equal(msidom_domain_batch_end(f->ims), 0);
	assert_int_equal(msidom_irq_unmask(f->ctx, virq[3]), 0);

	/* Nothing took effect yet. */
	assert_int_equal(s->calls[CB_LOCK], locks + 1);
	assert_int_equal(s->calls[CB_SYNC], syncs);
	for (uint32_t i = 0; i < 8; i++)
		assert_false(s->unmasked[i]);
	assert_int_equal(s->msg[4].address_lo, 0xFEE00000u);

	assert_int_equal(msidom_domain_batch_end(f->ims), 0);
	assert_int_equal(s->calls[CB_LOCK], locks + 1);
	assert_int_equal(s->calls[CB_SYNC], syncs + 1);
	assert_int_equal(s->nev, 1 + 5 + 1 + 5);
	expect_event(s, 0, CB_LOCK, 0);
	expect_event(s, 1, CB_UNMASK, 0);
	expect_event(s, 2, CB_UNMASK, 2);
	expect_event(s, 3, CB_MASK, 0);
	expect_event(s, 4, CB_WRITE, 4);
	expect_event(s, 5, CB_UNMASK, 6);
	expect_event(s, 6, CB_SYNC, 5);
	expect_event(s, 7, CB_APPLY_UNMASK, 0);
	expect_event(s, 8, CB_APPLY_UNMASK, 2);
	expect_event(s, 9, CB_APPLY_MASK, 0);
	expect_event(s, 10, CB_APPLY_WRITE, 4);
	expect_event(s, 11, CB_APPLY_UNMASK, 6);
	/* Each effect carried its own slot's cookie. */
	for (unsigned int i = 1; i < s->nev; i++)
		if (s->ev[i].cb != CB_SYNC)
			assert_int_equal(s->ev[i].cookie, 100 + s->ev[i].slot / 2);
	assert_false(s->unmasked[0]);
	assert_true(s->unmasked[2]);
	assert_false(s->unmasked[4]);
	assert_true(s->unmasked[6]);
	assert_int_equal(s->msg[4].address_lo, 0xFEE05000u);

	/* An unbalanced end is refused and locks nothing. */
	assert_int_equal(msidom_domain_batch_end(f->ims), -MSIDOM_EINVAL);
	assert_int_equal(s->calls[CB_SYNC], syncs + 1);

	/* A range allocation is one batch: one lock, one sync, effects in index order. */
	sim_storage_reset_events(s);
	{
		MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);

		assert_int_equal(msidom_msi_alloc_range(f->dev, MSIDOM_SECONDARY_DOMAIN, 9, 12, &o),
				 0);
	}
	assert_int_equal(s->calls[CB_LOCK], locks + 2);
	assert_int_equal(s->calls[CB_SYNC], syncs + 2);
	{
		unsigned int n = 0, first = 0;

		for (unsigned int i = 0; i < s->nev; i++) {
			if (s->ev[i].cb == CB_SYNC) {
				first = i + 1;
				assert_int_equal(s->ev[i].slot, 8);
			}
		}
		for (unsigned int i = first; i < s->nev; i++, n++) {
			expect_event(s, i, n % 2 ? CB_APPLY_UNMASK : CB_APPLY_WRITE, 9 + n / 2);
		}
		assert_int_equal(n, 8);
	}
	/* Freeing everything is one batch as well. */
	assert_int_equal(msidom_msi_free_all(f->dev, MSIDOM_SECONDARY_DOMAIN), 8);
	assert_int_equal(s->calls[CB_SYNC], syncs + 3);
	for (uint32_t i = 0; i < 16; i++)
		assert_false(s->unmasked[i]);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	sim_storage_fini(s);
	free(s);
}

/* ---- queue (host-memory) storage ---- */

struct qctx {
	uint32_t doorbell;
	uint32_t pasid;
	uint32_t ims[4];
	uint64_t ring;
};

#define NQ           8u
#define QMAX_UPDATES 64u

struct qdev {
	struct qctx q[NQ];
	unsigned int syncs;
	unsigned int fail_next; /* fail the n-th sync from now */
	struct msidom_ims_update last[QMAX_UPDATES];
	uint32_t nlast;
	uint32_t seen_ctrl[NQ]; /* control words as memory held them at the last sync */
};

static int qdev_sync(void *opaque, const struct msidom_ims_update *u, uint32_t nr)
{
	struct qdev *qd = opaque;

	qd->syncs++;
	if (qd->fail_next && --qd->fail_next == 0)
		return -EIO;
	qd->nlast = nr;
	for (uint32_t i = 0; i < nr && i < QMAX_UPDATES; i++)
		qd->last[i] = u[i];
	for (uint32_t i = 0; i < NQ; i++)
		qd->seen_ctrl[i] = qd->q[i].ims[3];
	return 0;
}

static void qdev_init(struct qdev *qd, struct msidom_ims_queue_config *cfg)
{
	memset(qd, 0, sizeof(*qd));
	for (uint32_t i = 0; i < NQ; i++) {
		qd->q[i].doorbell = 0xD0000000u + i;
		qd->q[i].ring = 0x1111111111111111ull * i;
		qd->q[i].ims[3] = MSIDOM_IMS_CTRL_MASKBIT;
	}
	memset(cfg, 0, sizeof(*cfg));
	cfg->sz = sizeof(*cfg);
	cfg->base = qd->q[0].ims;
	cfg->stride = sizeof(struct qctx);
	cfg->nr_entries = NQ;
	cfg->sync = qdev_sync;
	cfg->opaque = qd;
}

static void expect_update(const struct qdev *qd, uint32_t i, enum msidom_ims_update_kind kind,
			  uint32_t slot, uint64_t cookie)
{
	assert_true(i < qd->nlast);
	assert_int_equal(qd->last[i].kind, kind);
	assert_int_equal(qd->last[i].slot, slot);
	assert_int_equal(qd->last[i].cookie.value, cookie);
}

static void test_queue_storage(void **state)
{
	struct fx *f = *state;
	struct qdev *qd = malloc(sizeof(*qd));
	struct msidom_ims_queue_config cfg;
	struct qctx before[NQ];
	uint32_t virq[NQ];
	uint64_t cpu2 = 1u << 2;
	struct msidom_cpumask mask2 = { 8, &cpu2 };

	assert_non_null(qd);
	qdev_init(qd, &cfg);
	assert_int_equal(msidom_ims_queue_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info) },
				 &cfg, f->root.d, &f->ims),
			 0);
	assert_int_equal(msidom_domain_hwsize(f->ims), NQ);

	/* One interrupt per queue, cookie = the queue's PASID. */
	for (uint32_t i = 0; i < 4; i++) {
		struct msidom_map m = alloc_ims(f, MSIDOM_INDEX_ANY, true, 0x500 + i);

		assert_int_equal(m.index, (int32_t)i);
		virq[i] = m.virq;
		assert_int_equal(qd->syncs, i + 1);
		assert_int_equal(qd->nlast, 2);
		expect_update(qd, 0, MSIDOM_IMS_UPDATE_WRITE, i, 0x500 + i);
		expect_update(qd, 1, MSIDOM_IMS_UPDATE_UNMASK, i, 0x500 + i);
		assert_int_equal(qd->q[i].ims[0], 0xFEE00000u);
		assert_int_equal(qd->q[i].ims[1], 0);
		assert_int_equal(qd->q[i].ims[2], msidom_desc_msg(msidom_desc_at(f->ims, i)).data);
		assert_int_equal(qd->q[i].ims[3], 0);
		assert_int_equal(qd->seen_ctrl[i], 0);
		/* The rest of the queue context is untouched. */
		assert_int_equal(qd->q[i].doorbell, 0xD0000000u + i);
		assert_int_equal(qd->q[i].ring, 0x1111111111111111ull * i);
	}

	/* K = 6 updates in one batch: memory unchanged until the end, then one sync. */
	memcpy(before, qd->q, sizeof(before));
	assert_int_equal(msidom_domain_batch_begin(f->ims), 0);
	assert_int_equal(msidom_irq_mask(f->ctx, virq[0]), 0);
	assert_int_equal(msidom_irq_mask(f->ctx, virq[1]), 0);
	assert_int_equal(msidom_irq_unmask(f->ctx, virq[0]), 0);
	assert_int_equal(msidom_irq_set_affinity(f->ctx, virq[2], &mask2), 0);
	assert_memory_equal(before, qd->q, sizeof(before));
	assert_int_equal(qd->syncs, 4);
	assert_int_equal(msidom_domain_batch_end(f->ims), 0);
	assert_int_equal(qd->syncs, 5);
	assert_int_equal(qd->nlast, 6);
	expect_update(qd, 0, MSIDOM_IMS_UPDATE_MASK, 0, 0x500);
	expect_update(qd, 1, MSIDOM_IMS_UPDATE_MASK, 1, 0x501);
	expect_update(qd, 2, MSIDOM_IMS_UPDATE_UNMASK, 0, 0x500);
	expect_update(qd, 3, MSIDOM_IMS_UPDATE_MASK, 2, 0x502);
	expect_update(qd, 4, MSIDOM_IMS_UPDATE_WRITE, 2, 0x502);
	expect_update(qd, 5, MSIDOM_IMS_UPDATE_UNMASK, 2, 0x502);
	assert_int_equal(qd->q[0].ims[3], 0);
	assert_int_equal(qd->q[1].ims[3], 1);
	assert_int_equal(qd->q[2].ims[3], 0);
	assert_int_equal(qd->q[2].ims[0], 0xFEE02000u);

	/* A failed sync of one op: error returned, memory and mask state as before. */
	memcpy(before, qd->q, sizeof(before));
	qd->fail_next = 1;
	assert_int_equal(msidom_irq_mask(f->ctx, virq[3]), -EIO);
	assert_memory_equal(before, qd->q, sizeof(before));
	assert_false(msidom_desc_masked(msidom_irq_desc(f->ctx, virq[3])));
	assert_int_equal(msidom_irq_mask(f->ctx, virq[3]), 0);
	assert_int_equal(qd->q[3].ims[3], 1);

	/* A failed sync of a whole batch puts every entry back. */
	memcpy(before, qd->q, sizeof(before));
	assert_int_equal(msidom_domain_batch_begin(f->ims), 0);
	assert_int_equal(msidom_irq_set_affinity(f->ctx, virq[0], &mask2), 0);
	assert_int_equal(msidom_irq_set_affinity(f->ctx, virq[1], &mask2), 0);
	qd->fail_next = 1;
	assert_int_equal(msidom_domain_batch_end(f->ims), -EIO);
	assert_memory_equal(before, qd->q, sizeof(before));

	/* A failed sync of an allocation: nothing allocated, memory as before. */
	{
		struct sim_snap a, b;
		struct msidom_map m;

		memcpy(before, qd->q, sizeof(before));
		sim_snap(f->ctx, f->dev, &f->root, &a);
		qd->fail_next = 1;
		m = alloc_ims(f, 6, true, 0x506);
		assert_int_equal(m.index, -EIO);
		sim_snap(f->ctx, f->dev, &f->root, &b);
		sim_snap_expect_equal(&a, &b);
		assert_memory_equal(before, qd->q, sizeof(before));
	}

	/* Free everything: one sync, every entry masked and cleared. */
	qd->syncs = 0;
	assert_int_equal(msidom_msi_free_all(f->dev, MSIDOM_SECONDARY_DOMAIN), 4);
	assert_int_equal(qd->syncs, 1);
	for (uint32_t i = 0; i < NQ; i++) {
		assert_int_equal(qd->q[i].ims[0], 0);
		assert_int_equal(qd->q[i].ims[2], 0);
		assert_int_equal(qd->q[i].ims[3], 1);
		assert_int_equal(qd->q[i].doorbell, 0xD0000000u + i);
	}
	/* Masks come before the cleared messages of the same slot. */
	for (uint32_t i = 0; i < qd->nlast; i++) {
		if (qd->last[i].kind != MSIDOM_IMS_UPDATE_WRITE)
			continue;
		for (uint32_t j = i + 1; j < qd->nlast; j++)
			assert_false(qd->last[j].slot == qd->last[i].slot &&
				     qd->last[j].kind == MSIDOM_IMS_UPDATE_MASK);
	}
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	free(qd);
}

static int event_at(const struct sim_storage *s, enum sim_cb cb, uint32_t slot)
{
	for (unsigned int i = 0; i < s->nev; i++)
		if (s->ev[i].cb == cb && s->ev[i].slot == slot)
			return (int)i;
	return -1;
}

static int event_count(const struct sim_storage *s, enum sim_cb cb, uint32_t slot)
{
	int n = 0;

	for (unsigned int i = 0; i < s->nev; i++)
		n += s->ev[i].cb == cb && s->ev[i].slot == slot;
	return n;
}

/*
 * A free on a bus-locked storage only records the mask and the zeroed
 * write until bus_sync_unlock; release_slot (which lets the driver give
 * back the slot's queue or PASID) comes after the sync made them take
 * effect, never while the device still sees the slot live.
 */
static void test_freed_slot_is_released_after_the_sync_applies_its_mask(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = batched_ims_domain(f, 8);
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	struct msidom_map m;
	int rel, am, aw;

	m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, 4, &o);
	assert_int_equal(m.index, 4);
	assert_true(s->unmasked[4]);
	sim_storage_reset_events(s);
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 4), 0);
	rel = event_at(s, CB_RELEASE, 4);
	am = event_at(s, CB_APPLY_MASK, 4);
	aw = event_at(s, CB_APPLY_WRITE, 4);
	assert_true(rel >= 0 && am >= 0 && aw >= 0);
	assert_true(am < rel);
	assert_true(aw < rel);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	sim_storage_fini(s);
	free(s);
}

/*
 * A slot freed and allocated again inside one caller batch: the deferred
 * release runs before the new prepare_slot (the driver never sees a slot
 * prepared twice), exactly once, and nothing is released at the sync.
 */
static void test_slot_freed_and_reused_in_a_batch_is_released_once_before_prepare(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = batched_ims_domain(f, 8);
	struct msidom_map m;
	int rel, prep;

	m = alloc_ims(f, 4, true, 7);
	assert_int_equal(m.index, 4);
	sim_storage_reset_events(s);
	assert_int_equal(msidom_domain_batch_begin(f->ims), 0);
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 4), 0);
	/* Still live as the device sees it: not released yet. */
	assert_int_equal(event_count(s, CB_RELEASE, 4), 0);
	assert_true(s->prepared[4]);
	m = alloc_ims(f, 4, true, 9);
	assert_int_equal(m.index, 4);
	rel = event_at(s, CB_RELEASE, 4);
	prep = event_at(s, CB_PREPARE, 4);
	assert_true(rel >= 0 && prep > rel);
	assert_int_equal(s->ev[rel].cookie, 7);
	assert_int_equal(msidom_domain_batch_end(f->ims), 0);
	assert_int_equal(event_count(s, CB_RELEASE, 4), 1);
	assert_true(s->prepared[4]);
	assert_int_equal(s->cookie[4], 9);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(s->nprepared, 0);
	sim_storage_fini(s);
	free(s);
}

/*
 * A failed sync still releases the freed slot (its descriptor is gone,
 * nothing could release it later), once, after the sync attempt.
 */
static void test_failed_sync_still_releases_the_freed_slot_once(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = batched_ims_domain(f, 8);
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	struct msidom_map m;

	m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, 2, &o);
	assert_int_equal(m.index, 2);
	sim_storage_reset_events(s);
	s->fail_cb = CB_SYNC;
	s->fail_nth = s->calls[CB_SYNC] + 1;
	(void)msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 2);
	assert_int_equal(event_count(s, CB_RELEASE, 2), 1);
	assert_false(s->prepared[2]);
	s->fail_cb = CB_NONE;
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(event_count(s, CB_RELEASE, 2), 1);
	sim_storage_fini(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_op_one_sync, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_k_changes_one_sync, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_queue_storage, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_freed_slot_is_released_after_the_sync_applies_its_mask, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_slot_freed_and_reused_in_a_batch_is_released_once_before_prepare,
			fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_failed_sync_still_releases_the_freed_slot_once,
						fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("ims-batch", tests, NULL, NULL);
}
