/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Switching between MSI and MSI-X: the vectors of the old mode are freed,
 * the index disabled, the device domain rebuilt; a switch that runs out of
 * memory falls back to an empty domain of the old mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "env.h"

static void test_mode_switch_frees_the_vectors_and_rebuilds_the_domain(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	assert_int_equal(e->fk->irq_type, 2);
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSIX), 0);
	assert_int_equal(msidom_irq_count(e->ctx), 2);
	/* Switching frees the MSI-X vectors and disables the index. */
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSI), 0);
	assert_int_equal(msidom_irq_count(e->ctx), 0);
	assert_int_equal(e->fk->irq_type, -1);
	struct msidom_domain *d =
		msidom_device_domain(msidom_vfio_device(e->v), MSIDOM_DEFAULT_DOMAIN);
	assert_string_equal(msidom_domain_name(d), "VFIO-PCI-MSI-" BDF);
	assert_int_equal(msidom_domain_hwsize(d), 4);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	assert_int_equal(e->fk->irq_type, 1);
	assert_int_equal(e->fk->num_ctx, 2); /* MSI is NORESIZE: grew */
	assert_true(fk_raise(e->fk, 1));
	dispatch_all(e);
	assert_true(e->hits[1] >= 1);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSIX), -EBUSY);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	assert_int_equal(msidom_vfio_set_mode(e->v, (enum msidom_vfio_mode)9), -EINVAL);
	env_free(e);
}

static void test_mode_switch_out_of_memory_keeps_an_empty_domain_of_the_old_mode(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 0, true);
	/* Creating the MSI domain runs out of memory: an empty MSI-X domain is back. */
	int failures = 0;
	for (long n = 1; n < 50; n++) {
		unsigned long failed = e->h.failed;
		e->h.fail_at = n;
		int ret = msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSI);
		bool fired = e->h.failed != failed;
		e->h.fail_at = 0;
		if (!fired) {
			assert_int_equal(ret, 0);
			break;
		}
		if (ret < 0) {
			failures++;
			assert_int_equal(ret, -ENOMEM);
			struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
			msidom_vfio_get_info(e->v, &info);
			assert_int_equal(info.mode, MSIDOM_VFIO_MODE_MSIX);
			assert_int_equal(msidom_irq_count(e->ctx), 0);
			assert_int_equal(e->fk->irq_type, -1);
			must_alloc(e, 0, true);
		} else {
			assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSIX), 0);
			must_alloc(e, 0, true);
		}
	}
	assert_true(failures >= 1);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_switch_frees_the_vectors_and_rebuilds_the_domain),
		cmocka_unit_test(
			test_mode_switch_out_of_memory_keeps_an_empty_domain_of_the_old_mode),
	};

	return cmocka_run_group_tests_name("vfio-mode", tests, NULL, NULL);
}
