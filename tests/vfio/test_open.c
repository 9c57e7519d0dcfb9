/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening a device: the IOMMU group with a type1v2 container or the device
 * cdev with iommufd, the isolation check, every refusal, every failure on
 * the way, and closing with vectors still live.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "env.h"

static void test_open_on_61_reports_noresize_msix_and_builds_the_domains(void **state)
{
	(void)state;
	struct env *e = env_opened(61);
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
	assert_int_equal(msidom_vfio_get_info(e->v, &info), 0);
	assert_int_equal(info.group, 7);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSIX].count, 16);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSIX].flags, 0x9);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSI].count, 4);
	assert_int_equal(info.irq[MSIDOM_VFIO_ERR].count, 1);
	assert_int_equal(info.num_irqs, 5);
	assert_false(info.msix_dynamic);
	assert_true(info.isolated);
	assert_int_equal(info.mode, MSIDOM_VFIO_MODE_MSIX);

	struct msidom_domain *root = msidom_vfio_root(e->v);
	assert_string_equal(msidom_domain_name(root), "VFIO-" BDF);
	assert_int_equal(msidom_domain_bus(root), MSIDOM_BUS_VFIO);
	assert_true(msidom_domain_flags(root) & MSIDOM_DOMAIN_MSI_PARENT);
	assert_true(msidom_domain_flags(root) & MSIDOM_DOMAIN_ISOLATED_MSI);
	struct msidom_domain *d =
		msidom_device_domain(msidom_vfio_device(e->v), MSIDOM_DEFAULT_DOMAIN);
	assert_non_null(d);
	assert_string_equal(msidom_domain_name(d), "VFIO-PCI-MSIX-" BDF);
	assert_int_equal(msidom_domain_hwsize(d), 16);
	assert_int_equal(msidom_domain_bus(d), MSIDOM_BUS_PCI_MSIX);
	assert_ptr_equal(msidom_domain_parent(d), root);
	assert_int_equal(msidom_device_msi_isolated(msidom_vfio_device(e->v)), 1);
	assert_true(msidom_vfio_device_fd(e->v) >= 0);
	assert_true(msidom_vfio_event_fd(e->v) >= 0);
	/* ERR and REQ are armed. */
	assert_true(e->fk->err_ctx >= 0);
	assert_true(e->fk->req_ctx >= 0);
	env_free(e);
}

static void test_open_on_612_reports_dynamic_msix(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
	assert_int_equal(msidom_vfio_get_info(e->v, &info), 0);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSIX].flags, 0x1);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSI].flags, 0x9);
	assert_true(info.msix_dynamic);
	env_free(e);
}

static void test_open_without_interrupt_remapping_is_refused(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	kc.intremap = false;
	struct env *e = env_new(&kc);
	struct snap *s = snap_take(e);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -EPERM);
	assert_null(e->v);
	assert_true(ts_log_has(&e->h, "allow_unsafe_interrupts"));
	assert_true(ts_log_has(&e->h, "interrupt remapping"));
	snap_check(e, s);
	env_free(e);
}

static void test_open_with_unsafe_interrupts_allowed_claims_no_isolation(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	kc.intremap = false;
	kc.allow_unsafe = true;
	struct env *e = env_new(&kc);
	env_open(e);
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
	assert_int_equal(msidom_vfio_get_info(e->v, &info), 0);
	assert_false(info.isolated);
	assert_false(msidom_domain_flags(msidom_vfio_root(e->v)) & MSIDOM_DOMAIN_ISOLATED_MSI);
	assert_int_equal(msidom_device_msi_isolated(msidom_vfio_device(e->v)), 0);
	assert_true(ts_log_has(&e->h, "not known to be isolated"));
	env_free(e);
}

static void test_open_refuses_bad_config_and_unusable_devices(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	struct msidom_vfio *v = NULL;
	struct msidom_vfio_config c = e->cfg;

	assert_int_equal(msidom_vfio_open(NULL, &c, &v), -EINVAL);
	assert_int_equal(msidom_vfio_open(e->ctx, NULL, &v), -EINVAL);
	assert_int_equal(msidom_vfio_open(e->ctx, &c, NULL), -EINVAL);
	c.bdf = "00:03.0";
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -EINVAL);
	c.bdf = "0000:00:03.0x";
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -EINVAL);
	c.bdf = "0000:00:04.0";
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -ENOENT);
	c.bdf = BDF;
	c.mode = (enum msidom_vfio_mode)7;
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -EINVAL);
	c.mode = MSIDOM_VFIO_MODE_AUTO;
	struct msidom_vfio_sys bad = e->fk->sys;
	bad.readlink = NULL;
	c.sys = &bad;
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -EINVAL);
	assert_null(v);
	env_free(e);

	kc.not_viable = true;
	e = env_new(&kc);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -EBUSY);
	assert_true(ts_log_has(&e->h, "not viable"));
	env_free(e);

	kc = kcfg(61);
	kc.no_type1v2 = true;
	e = env_new(&kc);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -ENODEV);
	env_free(e);

	kc = kcfg(61);
	kc.msi_count = 0;
	kc.msix_count = 0;
	e = env_new(&kc);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -ENODEV);
	env_free(e);

	/* Only MSI: AUTO picks it; asking for MSI-X is refused. */
	kc = kcfg(61);
	kc.msix_count = 0;
	e = env_new(&kc);
	e->cfg.mode = MSIDOM_VFIO_MODE_MSIX;
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -ENODEV);
	e->cfg.mode = MSIDOM_VFIO_MODE_AUTO;
	env_open(e);
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
	msidom_vfio_get_info(e->v, &info);
	assert_int_equal(info.mode, MSIDOM_VFIO_MODE_MSI);
	env_free(e);

	/* Unreadable allow_unsafe_interrupts: open works, isolation not claimed. */
	kc = kcfg(612);
	kc.no_param = true;
	e = env_new(&kc);
	env_open(e);
	msidom_vfio_get_info(e->v, &info);
	assert_false(info.isolated);
	env_free(e);

	/* The group is in use by someone else. */
	kc = kcfg(612);
	e = env_new(&kc);
	env_open(e);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &v), -EBUSY);
	env_free(e);
}

static int op_open(struct env *e)
{
	return msidom_vfio_open(e->ctx, &e->cfg, &e->v);
}

static void test_open_failing_anywhere_leaves_nothing(void **state)
{
	(void)state;
	const struct fk_config k61 = kcfg(61), k612 = kcfg(612);

	/* Every system call of open, then every allocation, on both kernels. */
	assert_true(fault_loop(&k61, NULL, op_open, false, FK_ANY) >= 12);
	assert_true(fault_loop(&k612, NULL, op_open, false, FK_ANY) >= 12);
	assert_true(fault_loop(&k61, NULL, op_open, true, FK_ANY) >= 5);
}

static void test_open_prefers_the_cdev_and_falls_back_to_the_group(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	kc.cdev = true;
	struct env *e = env_new(&kc);
	env_open(e);
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
	msidom_vfio_get_info(e->v, &info);
	assert_true(info.cdev);
	assert_int_equal(info.group, -1);
	assert_true(info.isolated);
	assert_true(e->fk->cdev_bound);
	assert_true(e->fk->cdev_attached);
	assert_false(e->fk->group_open);
	must_alloc(e, 0, true);
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	env_free(e);
	/* cdev close unbinds. */

	/* no_cdev takes the group path. */
	e = env_new(&kc);
	e->cfg.no_cdev = true;
	env_open(e);
	msidom_vfio_get_info(e->v, &info);
	assert_false(info.cdev);
	assert_int_equal(info.group, 7);
	env_free(e);

	/* No /dev/iommu: falls back to the group path. */
	kc.no_dev_iommu = true;
	e = env_new(&kc);
	env_open(e);
	msidom_vfio_get_info(e->v, &info);
	assert_false(info.cdev);
	env_free(e);

	/* Without interrupt remapping iommufd refuses the bind. */
	kc = kcfg(612);
	kc.cdev = true;
	kc.intremap = false;
	e = env_new(&kc);
	struct snap *s = snap_take(e);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -EPERM);
	assert_true(ts_log_has(&e->h, "allow_unsafe_interrupts"));
	snap_check(e, s);
	env_free(e);

	/* A seam without first_dirent never looks for cdevs. */
	kc.intremap = true;
	e = env_new(&kc);
	struct msidom_vfio_sys sys = e->fk->sys;
	sys.first_dirent = NULL;
	e->cfg.sys = &sys;
	env_open(e);
	msidom_vfio_get_info(e->v, &info);
	assert_false(info.cdev);
	env_free(e);
}

static void test_cdev_open_failing_anywhere_leaves_nothing(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);

	kc.cdev = true;
	assert_true(fault_loop(&kc, NULL, op_open, false, FK_ANY) >= 10);
}

static void test_close_with_live_vectors_in_a_batch_releases_everything(void **state)
{
	(void)state;
	struct env *e = env_opened(61);
	for (uint32_t i = 0; i < 16; i += 3)
		must_alloc(e, i, i % 2 == 0);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	must_alloc(e, 1, true);
	/* Closed inside a batch: everything still goes. */
	env_free(e);
	msidom_vfio_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_on_61_reports_noresize_msix_and_builds_the_domains),
		cmocka_unit_test(test_open_on_612_reports_dynamic_msix),
		cmocka_unit_test(test_open_without_interrupt_remapping_is_refused),
		cmocka_unit_test(test_open_with_unsafe_interrupts_allowed_claims_no_isolation),
		cmocka_unit_test(test_open_refuses_bad_config_and_unusable_devices),
		cmocka_unit_test(test_open_failing_anywhere_leaves_nothing),
		cmocka_unit_test(test_open_prefers_the_cdev_and_falls_back_to_the_group),
		cmocka_unit_test(test_cdev_open_failing_anywhere_leaves_nothing),
		cmocka_unit_test(test_close_with_live_vectors_in_a_batch_releases_everything),
	};

	return cmocka_run_group_tests_name("vfio-open", tests, NULL, NULL);
}
