/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Review findings (review-bm) for IMS: each test states a property issue 3
 * or ims.h promises and fails while the implementation breaks it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim.h"

static int index_of(const struct sim_storage *s, enum sim_cb cb, uint32_t slot)
{
	for (unsigned int i = 0; i < s->nev; i++)
		if (s->ev[i].cb == cb && s->ev[i].slot == slot)
			return (int)i;
	return -1;
}

/*
 * Issue 3.1 + "freeing a slot whose storage is still unmasked masks it
 * first": with a bus-locked storage, the mask and the zeroed write of a
 * free are only recorded until bus_sync_unlock, but release_slot (which
 * lets the driver give back the slot's queue/PASID) is called before the
 * sync. The storage is told the slot is gone while, as the device sees
 * it, the slot is still unmasked and live; the sync then applies updates
 * to a released slot. The release must come after the updates took
 * effect.
 */
static void test_release_after_sync(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;
	struct msidom_alloc_opts o = { .unmasked = true };
	struct msidom_map m;
	int rel, am, aw;

	assert_non_null(s);
	sim_storage_init(s, 8, true);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(f->dev, &(struct msidom_ims_info){ .hwsize = 8 },
						  &st, f->root.d, &f->ims),
			 0);
	m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, 4, &o);
	assert_int_equal(m.index, 4);
	assert_true(s->unmasked[4]);
	sim_storage_reset_events(s);
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 4), 0);
	rel = index_of(s, CB_RELEASE, 4);
	am = index_of(s, CB_APPLY_MASK, 4);
	aw = index_of(s, CB_APPLY_WRITE, 4);
	for (unsigned int i = 0; i < s->nev; i++)
		print_message("event %u: cb %d slot %u\n", i, (int)s->ev[i].cb, s->ev[i].slot);
	assert_true(rel >= 0 && am >= 0 && aw >= 0);
	assert_true(am < rel);
	assert_true(aw < rel);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	sim_storage_fini(s);
	free(s);
}

static int count_of(const struct sim_storage *s, enum sim_cb cb, uint32_t slot)
{
	int n = 0;

	for (unsigned int i = 0; i < s->nev; i++)
		n += s->ev[i].cb == cb && s->ev[i].slot == slot;
	return n;
}

/*
 * A slot freed and allocated again inside one caller batch: the deferred
 * release runs before the new prepare_slot (the driver never sees a slot
 * prepared twice), exactly once, and nothing is released at the sync.
 */
static void test_release_then_reuse_in_batch(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;
	struct msidom_alloc_opts o = { .unmasked = true,
				       .has_cookie = true,
				       .cookie = { .value = 7 } };
	struct msidom_alloc_opts o2 = { .unmasked = true,
					.has_cookie = true,
					.cookie = { .value = 9 } };
	struct msidom_map m;
	int rel, prep;

	assert_non_null(s);
	sim_storage_init(s, 8, true);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(f->dev, &(struct msidom_ims_info){ .hwsize = 8 },
						  &st, f->root.d, &f->ims),
			 0);
	m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, 4, &o);
	assert_int_equal(m.index, 4);
	sim_storage_reset_events(s);
	assert_int_equal(msidom_domain_batch_begin(f->ims), 0);
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 4), 0);
	/* Still live as the device sees it: not released yet. */
	assert_int_equal(count_of(s, CB_RELEASE, 4), 0);
	assert_true(s->prepared[4]);
	m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, 4, &o2);
	assert_int_equal(m.index, 4);
	rel = index_of(s, CB_RELEASE, 4);
	prep = index_of(s, CB_PREPARE, 4);
	assert_true(rel >= 0 && prep > rel);
	assert_int_equal(s->ev[rel].cookie, 7);
	assert_int_equal(msidom_domain_batch_end(f->ims), 0);
	assert_int_equal(count_of(s, CB_RELEASE, 4), 1);
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
static void test_release_after_failed_sync(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;
	struct msidom_alloc_opts o = { .unmasked = true };
	struct msidom_map m;

	assert_non_null(s);
	sim_storage_init(s, 8, true);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(f->dev, &(struct msidom_ims_info){ .hwsize = 8 },
						  &st, f->root.d, &f->ims),
			 0);
	m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, 2, &o);
	assert_int_equal(m.index, 2);
	sim_storage_reset_events(s);
	s->fail_cb = CB_SYNC;
	s->fail_nth = s->calls[CB_SYNC] + 1;
	(void)msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 2);
	assert_int_equal(count_of(s, CB_RELEASE, 2), 1);
	assert_false(s->prepared[2]);
	s->fail_cb = CB_NONE;
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(count_of(s, CB_RELEASE, 2), 1);
	sim_storage_fini(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_release_after_sync, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_release_then_reuse_in_batch, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_release_after_failed_sync, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
